"""Turning Python values (choices, provider data, mimesis results) into typed Arrow arrays."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections.abc import Sequence
from typing import Any

import msgspec
import pyarrow as pa

UTC = dt.UTC


def normalise(value: Any) -> Any:
    """An Arrow-friendly form of a value: enums, decimals, times, bytes and tuples unwrapped."""
    if isinstance(value, enum.Enum):
        return normalise(value.value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [normalise(v) for v in value]
    if isinstance(value, dict):
        return {str(k): normalise(v) for k, v in value.items()}
    return value


def as_text(value: Any) -> str:
    """The text form of a value when a column must fall back to strings."""
    if isinstance(value, str):
        return value
    return msgspec.json.encode(value).decode()


def to_arrow(values: Sequence[Any]) -> pa.Array:
    """A typed array for the values, falling back to strings when their types disagree."""
    items = [normalise(v) for v in values]
    try:
        arr = pa.array(items)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return pa.array([None if v is None else as_text(v) for v in items], type=pa.string())
    if pa.types.is_timestamp(arr.type):
        return arr.cast(pa.timestamp("us", tz="UTC"))
    if pa.types.is_integer(arr.type) and arr.type != pa.int64():
        return arr.cast(pa.int64())
    if _mixed_scalars(items):
        return pa.array([None if v is None else as_text(v) for v in items], type=pa.string())
    if _has_unsupported(arr.type):
        return pa.array([None if v is None else as_text(v) for v in items], type=pa.string())
    return arr


def _mixed_scalars(items: list[Any]) -> bool:
    """Booleans mixed with numbers would be coerced silently; keep them as text instead."""
    kinds = {type(v) for v in items if v is not None}
    return bool in kinds and len(kinds) > 1


def _has_unsupported(kind: pa.DataType) -> bool:
    if pa.types.is_struct(kind):
        return kind.num_fields == 0 or any(_has_unsupported(f.type) for f in kind)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _has_unsupported(kind.value_type)
    return pa.types.is_null(kind) or pa.types.is_map(kind)
