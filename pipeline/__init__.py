"""Schemas, the generation engine and job tasks: pure of the web service."""

# The module each Dask worker preloads so that its first task starts warm (pipeline/warm.py).
WORKER_PRELOAD = "pipeline.warm"
