"""Keys left out of JSON objects.

A field whose Arrow metadata marks it ``absent`` writes no key where its value is null, in json
and ndjson rows and in the JSON text of nested objects (csv, sql); every other format, and
every column, holds the null as usual.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

ABSENT = b"drafta.absent"
ABSENT_METADATA = {ABSENT: b"1"}


def may_be_absent(field: pa.Field) -> bool:
    """True when a null of this field is written by leaving its key out."""
    return field.metadata is not None and field.metadata.get(ABSENT) == b"1"


def has_absent(kind: pa.DataType) -> bool:
    """True when an object somewhere inside values of ``kind`` has a key that may be absent."""
    if pa.types.is_struct(kind):
        return any(may_be_absent(f) or has_absent(f.type) for f in kind)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return has_absent(kind.value_type)
    if pa.types.is_map(kind):
        return has_absent(kind.key_type) or has_absent(kind.item_type)
    return False


def without_absent(value: Any, kind: pa.DataType) -> Any:
    """A plain value of ``kind`` (as ``to_pylist`` gives it) without the keys that are absent."""
    if value is None:
        return None
    if pa.types.is_struct(kind):
        return {
            f.name: without_absent(value[f.name], f.type)
            for f in kind
            if value[f.name] is not None or not may_be_absent(f)
        }
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return [without_absent(v, kind.value_type) for v in value]
    if pa.types.is_map(kind) and isinstance(value, dict):
        return {k: without_absent(v, kind.item_type) for k, v in value.items()}
    return value
