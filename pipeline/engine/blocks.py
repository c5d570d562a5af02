"""Rows [start, stop) of an entity as record batches, one logical block at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from pipeline.engine.frame import Frame, Job, output_field
from pipeline.engine.generators import generate, uuid_bytes
from pipeline.engine.rng import BLOCK_ROWS
from pipeline.engine.uuids import uuid_values
from pipeline.schema.model import Schema, Uuid


def generate_batches(
    schema: Schema,
    entity: str,
    start: int,
    stop: int,
    *,
    seed: int,
    providers: Mapping[str, Sequence[Any]],
    encoded: bool = False,
    uuid_bytes: bool | None = None,
) -> Iterator[pa.RecordBatch]:
    """Batches (at most one block each) for rows [start, stop) in order, fields as columns.

    ``encoded`` asks for a column drawn from a pool (or computed per combination of few values)
    as a ``DictionaryArray``, as the writers of ``DICTIONARY_FORMATS`` take it; ``uuid_bytes``
    (by default as ``encoded``, for parquet) a uuid field marked ``parquet: uuid`` as
    ``arrow.uuid``. Otherwise every column holds plain values, uuids as strings.

    Each block is generated from its first row up to the last row asked for and then sliced:
    every draw is a prefix of the block's stream, so values never depend on the range asked.
    """
    job = Job(schema, entity, seed, providers)
    # Hidden fields are generated when another field reads them, and never become a column.
    written = job.resolved.columns()
    names = [column.path for column in written]
    as_bytes = encoded if uuid_bytes is None else uuid_bytes
    as_uuid = {
        c.path
        for c in written
        if as_bytes and isinstance(c.spec, Uuid) and c.spec.parquet == "uuid"
    }
    for block in range(start // BLOCK_ROWS, (max(stop, start + 1) - 1) // BLOCK_ROWS + 1):
        first = block * BLOCK_ROWS
        lo, hi = max(start, first), min(stop, first + BLOCK_ROWS)
        if hi <= lo:
            continue
        frame = Frame(job, block, np.arange(first, hi, dtype=np.int64), generate)
        column = frame.encoded if encoded else frame.column
        columns = [
            _uuid(frame, name, column) if name in as_uuid else column(name) for name in names
        ]
        fields = [
            output_field(at.path, at.spec, values.type)
            for at, values in zip(written, columns, strict=True)
        ]
        batch = pa.RecordBatch.from_arrays(columns, schema=pa.schema(fields))
        yield batch.slice(lo - first) if lo > first else batch


def _uuid(frame: Frame, name: str, column: Callable[[str], pa.Array]) -> pa.Array:
    """A uuid column written as ``arrow.uuid``: from the generated words, else (a text that
    may be cut) parsed from the field's text."""
    made = uuid_bytes(frame, name)
    return made if made is not None else uuid_values(name, column(name))


def arrow_schema(
    schema: Schema,
    entity: str,
    *,
    seed: int,
    providers: Mapping[str, Sequence[Any]],
    encoded: bool = False,
    uuid_bytes: bool | None = None,
) -> pa.Schema:
    """The Arrow schema of an entity's batches (from its first row); ``encoded`` as for
    ``generate_batches``, with every dictionary given as its values' type."""
    first = next(
        generate_batches(
            schema,
            entity,
            0,
            1,
            seed=seed,
            providers=providers,
            encoded=encoded,
            uuid_bytes=uuid_bytes,
        )
    )
    return pa.schema(
        [
            f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f
            for f in first.schema
        ],
        metadata=first.schema.metadata,
    )
