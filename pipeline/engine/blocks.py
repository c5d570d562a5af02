"""Rows [start, stop) of an entity as record batches, one logical block at a time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from pipeline.engine.frame import Frame, Job
from pipeline.engine.generators import generate
from pipeline.engine.rng import BLOCK_ROWS
from pipeline.schema.model import Schema


def generate_batches(
    schema: Schema,
    entity: str,
    start: int,
    stop: int,
    *,
    seed: int,
    providers: Mapping[str, Sequence[Any]],
    encoded: bool = False,
) -> Iterator[pa.RecordBatch]:
    """Batches (at most one block each) for rows [start, stop) in order, fields as columns.

    With ``encoded``, a column drawn from a pool stays a ``DictionaryArray`` (the parquet writer
    keeps it so); otherwise every column holds plain values.

    Each block is generated from its first row up to the last row asked for and then sliced:
    every draw is a prefix of the block's stream, so values never depend on the range asked.
    """
    job = Job(schema, entity, seed, providers)
    # Hidden fields are generated when another field reads them, and never become a column.
    names = [column.path for column in job.resolved.columns()]
    for block in range(start // BLOCK_ROWS, (max(stop, start + 1) - 1) // BLOCK_ROWS + 1):
        first = block * BLOCK_ROWS
        lo, hi = max(start, first), min(stop, first + BLOCK_ROWS)
        if hi <= lo:
            continue
        frame = Frame(job, block, np.arange(first, hi, dtype=np.int64), generate)
        column = frame.encoded if encoded else frame.column
        columns = [column(name) for name in names]
        batch = pa.RecordBatch.from_arrays(columns, names=names)
        yield batch.slice(lo - first) if lo > first else batch


def arrow_schema(
    schema: Schema, entity: str, *, seed: int, providers: Mapping[str, Sequence[Any]]
) -> pa.Schema:
    """The Arrow schema of an entity's batches (from its first row)."""
    return next(generate_batches(schema, entity, 0, 1, seed=seed, providers=providers)).schema
