"""Readies a Dask worker for generation tasks when it starts (``dask worker --preload
pipeline.warm``; the embedded and local clusters preload it too).

A worker's first task otherwise pays, once, for importing the engine, for introspecting
mimesis to know which methods may be pooled, and for pyarrow importing pandas on its first
conversion of Python values: many times what a small job costs once warm
(docs/performance.md).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

import pipeline.tasks  # noqa: F401  (the engine and writers every task uses)
from pipeline import freeze_startup_objects
from pipeline.allocator import keep_freed_memory
from pipeline.schema.mimesis_methods import list_methods


def warm() -> None:
    list_methods()
    pa.array([{"a": 1}])


def dask_setup(worker: Any) -> None:
    """Dask calls this once in each worker process that preloads this module."""
    keep_freed_memory()
    warm()
    freeze_startup_objects()
