"""The pipeline's base error (the whole tree is drawn in ``storage/errors.py``)."""

from __future__ import annotations

from storage.errors import DraftaError


class PipelineError(DraftaError):
    """Base of every error the pipeline raises on purpose."""
