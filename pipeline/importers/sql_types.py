"""Declared SQL column types -> the declared types of the language: integer widths, 32-bit
floats, exact decimals, binary, timestamps without zone and text lengths. The written columns
then have the table's own types (SMALLINT, NUMERIC(12,2), BYTEA, TIMESTAMP...)."""

from __future__ import annotations

import decimal
from typing import Any

from sqlglot import exp

from pipeline.importers import declared_decimal, naming
from pipeline.schema.widths import integer_range

T = exp.DataType.Type

_INT_WIDTHS: dict[str, tuple[int, bool]] = {
    "TINYINT": (8, False), "UTINYINT": (8, True), "SMALLINT": (16, False),
    "USMALLINT": (16, True), "MEDIUMINT": (32, False), "UMEDIUMINT": (32, True),
    "INT": (32, False), "UINT": (32, True), "BIGINT": (64, False), "UBIGINT": (64, True),
    "SERIAL": (32, False), "SMALLSERIAL": (16, False), "BIGSERIAL": (64, False),
}  # fmt: skip
_WIDTHS = {getattr(T, n): v for n, v in _INT_WIDTHS.items() if hasattr(T, n)}
# The types that hold a zone (or an instant); every other timestamp is wall-clock time.
ZONED = frozenset(getattr(T, n) for n in ("TIMESTAMPTZ", "TIMESTAMPLTZ") if hasattr(T, n))
FLOAT32_BITS = 24  # FLOAT(p) up to 24 bits of mantissa is a REAL


def integer_width(dtype: Any) -> dict[str, Any]:
    """``width``/``unsigned`` options of an integer type (none for a 64-bit signed one)."""
    width, unsigned = _WIDTHS.get(dtype, (64, False))
    out: dict[str, Any] = {"width": width} if width != 64 else {}
    if unsigned:
        out["unsigned"] = True
    return out


def integer_limits(dtype: Any, type_max: int | None) -> tuple[int, int]:
    """The smallest and largest value the integer type holds."""
    width, unsigned = _WIDTHS.get(dtype, (64, False))
    low, high = integer_range(width, unsigned)
    return low, min(high, type_max) if type_max is not None else high


def float_width(dtype: Any, params: list[int]) -> dict[str, Any]:
    single = dtype == T.FLOAT or (dtype == T.DOUBLE and params and params[0] <= FLOAT32_BITS)
    return {"width": 32} if single else {}


def is_decimal(params: list[int]) -> bool:
    """Whether a DECIMAL(p, s) is one the language's decimal holds."""
    return bool(params) and declared_decimal.holds(params[0], params[1] if len(params) > 1 else 0)


def decimal_spec(
    float_spec: dict[str, Any], params: list[int], open_sides: set[str]
) -> dict[str, Any]:
    """A decimal with the bounds worked out for the column as a float; a side a strict CHECK
    gives (``price > 0.5``) moves one step of the scale inwards."""
    scale = params[1] if len(params) > 1 else 0
    step = decimal.Decimal(10) ** -scale
    low, high = decimal.Decimal(repr(float_spec["min"])), decimal.Decimal(repr(float_spec["max"]))
    low = low + step if "min" in open_sides and low == low.quantize(step) else low
    high = high - step if "max" in open_sides and high == high.quantize(step) else high
    return declared_decimal.decimal_spec(low, high, params[0], scale)


def binary_spec(dtype: Any, params: list[int]) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": "binary"}
    if params:
        spec["max_length"] = params[0]
        if dtype == T.BINARY:  # fixed length
            spec["min_length"] = params[0]
    return spec


def datetime_spec(dtype: Any) -> dict[str, Any]:
    return {"type": "datetime"} if dtype in ZONED else {"type": "datetime", "timezone": False}


def with_max_length(spec: dict[str, Any], length: int | None) -> dict[str, Any]:
    """A text generator cut to the declared length (a pattern already has its own)."""
    if length is None or spec["type"] == "pattern" or spec["type"] in naming.NOT_TEXT:
        return spec
    return {**spec, "max_length": length}
