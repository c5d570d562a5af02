"""Rows [start, stop) of an entity as record batches, one logical block at a time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from pipeline.engine.frame import Frame, Job, output_field
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
) -> Iterator[pa.RecordBatch]:
    """Batches (at most one block each) for rows [start, stop) in order, fields as columns.

    Each block is generated from its first row up to the last row asked for and then sliced:
    every draw is a prefix of the block's stream, so values never depend on the range asked.
    """
    job = Job(schema, entity, seed, providers)
    # Hidden fields are generated when another field reads them, and never become a column.
    written = job.resolved.columns()
    names = [column.path for column in written]
    for block in range(start // BLOCK_ROWS, (max(stop, start + 1) - 1) // BLOCK_ROWS + 1):
        first = block * BLOCK_ROWS
        lo, hi = max(start, first), min(stop, first + BLOCK_ROWS)
        if hi <= lo:
            continue
        frame = Frame(job, block, np.arange(first, hi, dtype=np.int64), generate)
        columns = [frame.column(name) for name in names]
        fields = [
            output_field(at.path, at.spec, values.type)
            for at, values in zip(written, columns, strict=True)
        ]
        batch = pa.RecordBatch.from_arrays(columns, schema=pa.schema(fields))
        yield batch.slice(lo - first) if lo > first else batch


def arrow_schema(
    schema: Schema, entity: str, *, seed: int, providers: Mapping[str, Sequence[Any]]
) -> pa.Schema:
    """The Arrow schema of an entity's batches (from its first row)."""
    return next(generate_batches(schema, entity, 0, 1, seed=seed, providers=providers)).schema
