"""The generation engine: (schema, entity, rows, seed) -> Arrow record batches, deterministic
across any partitioning of the rows."""

from pipeline.engine.blocks import arrow_schema, generate_batches
from pipeline.engine.errors import EngineError
from pipeline.engine.pools import POOL_SIZE
from pipeline.engine.rng import BLOCK_ROWS

__all__ = ["BLOCK_ROWS", "POOL_SIZE", "EngineError", "arrow_schema", "generate_batches"]
