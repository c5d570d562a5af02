"""The engine's one exception type."""

from __future__ import annotations


class EngineError(ValueError):
    """A schema the engine cannot generate (normally caught earlier by validation)."""
