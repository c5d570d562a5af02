"""Schemas, the generation engine and job tasks: pure of the web service."""

import gc

# The module each Dask worker preloads so that its first task starts warm (pipeline/warm.py).
WORKER_PRELOAD = "pipeline.warm"


def freeze_startup_objects() -> None:
    """Keep what start-up made (modules, mimesis data, the app or the cluster) out of the
    collector's full passes: it lives as long as the process, and walking it again on each
    pass paused the process under load (docs/performance.md)."""
    gc.collect()
    gc.freeze()
