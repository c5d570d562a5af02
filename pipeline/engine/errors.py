"""The engine's one exception type."""

from __future__ import annotations

from pipeline.errors import PipelineError


class EngineError(PipelineError, ValueError):
    """A schema the engine cannot generate (normally caught earlier by validation)."""
