"""How many rows a shard holds: the configured maximum, fewer when rows are wide.

A shard's rows are held in memory as Arrow data while it is written (a parquet row group is a
shard), so a fixed row count lets memory grow with the row's width. Each field's Arrow bytes
per row are estimated from its spec, and a shard gets about ``TARGET_SHARD_BYTES`` of them.
"""

from __future__ import annotations

import functools

from pipeline.engine.rng import BLOCK_ROWS
from pipeline.schema import model as m
from pipeline.schema.errors import SchemaError
from pipeline.schema.parse import parse_schema
from pipeline.schema.resolved import ResolvedEntity, resolve
from pipeline.schema.widths import binary_max_length

TARGET_SHARD_BYTES = 128 * 1024 * 1024
OFFSET = 4  # a string's or list's offset per value
TEXT = 24  # a text value of unknown length (mimesis, providers, templates)
_FIXED: dict[type, int] = {
    m.Sequence: 8,
    m.Boolean: 1,
    m.Date: 4,
    m.Datetime: 8,
    m.Decimal: 16,
    m.Uuid: 36 + OFFSET,
    m.Reference: 8,
    m.Constant: 8,
}


def field_bytes(spec: m.Field) -> int:
    """Estimated Arrow bytes of one value of a field."""
    size = _value_bytes(spec)
    if spec.max_length is not None and not isinstance(spec, m.Binary | m.Object | m.Array | m.Map):
        size = min(size, spec.max_length * 4 + OFFSET)  # at most 4 bytes a character
    return size + 1  # the validity bit, rounded up


def _value_bytes(spec: m.Field) -> int:
    fixed = _FIXED.get(type(spec))
    if fixed is not None:
        return fixed
    if isinstance(spec, m.Integer | m.Float):
        return spec.width // 8
    if isinstance(spec, m.Binary):
        return (spec.min_length + binary_max_length(spec)) // 2 + OFFSET
    if isinstance(spec, m.Pattern):
        return len(spec.pattern) + OFFSET
    if isinstance(spec, m.Choice):
        lengths = [len(str(v)) for v in spec.values] or [0]
        return max(lengths) + OFFSET
    if isinstance(spec, m.Object):
        return sum(field_bytes(child) for child in spec.fields.values())
    if isinstance(spec, m.Array):
        items = (spec.min_items + spec.max_items + 1) // 2
        return items * field_bytes(spec.of) + OFFSET
    if isinstance(spec, m.Map):
        items = (spec.min_items + spec.max_items + 1) // 2
        return items * (field_bytes(spec.keys) + field_bytes(spec.values)) + OFFSET
    return TEXT + OFFSET


def row_bytes(entity: ResolvedEntity) -> int:
    """Estimated Arrow bytes of one row of an entity's written columns."""
    return sum(field_bytes(column.spec) for column in entity.columns())


def sized_shard_rows(entity: ResolvedEntity, maximum: int) -> int:
    """``maximum`` rows, or fewer so a shard holds about ``TARGET_SHARD_BYTES``: a multiple of
    the engine's block, since a shard generates whole blocks from their first row."""
    fitting = TARGET_SHARD_BYTES // max(row_bytes(entity), 1)
    if fitting >= maximum:
        return maximum
    return min(maximum, max(BLOCK_ROWS, fitting // BLOCK_ROWS * BLOCK_ROWS))


@functools.lru_cache(maxsize=64)
def shard_rows_for(schema_text: str, entity: str, maximum: int) -> int:
    """The rows per shard of a job; ``maximum`` when the schema cannot tell (it is checked
    again, with a clear error, where the job's rows are made)."""
    try:
        resolved = resolve(parse_schema(schema_text)).entity(entity)
    except SchemaError:
        return maximum
    return maximum if resolved is None else sized_shard_rows(resolved, maximum)
