"""Declared widths of values: integer bits, decimal precision and scale, text and binary
lengths. What they allow is worked out here once, for the rules and the engine alike."""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from typing import TypeAlias

from pipeline.schema import model as m

Finding: TypeAlias = tuple[tuple[str | int, ...], str]

MAX_PRECISION = 38  # decimal128
DEFAULT_BINARY_LENGTH = 16
# The engine draws integers as int64, so an unsigned 64-bit field stops at int64's maximum.
INT64_MAX = 2**63 - 1
# Types whose values are never text, so a max_length would mean nothing.
NOT_TEXT: tuple[type[m.FieldBase], ...] = (
    m.Sequence,
    m.Integer,
    m.Float,
    m.Decimal,
    m.Boolean,
    m.Date,
    m.Datetime,
    m.Object,
    m.Array,
    m.Map,
)


def integer_range(width: int, unsigned: bool) -> tuple[int, int]:
    """The values an integer of ``width`` bits holds (unsigned 64 stops at int64's max)."""
    if unsigned:
        return 0, min(2**width - 1, INT64_MAX)
    return -(2 ** (width - 1)), 2 ** (width - 1) - 1


def integer_type_name(width: int, unsigned: bool) -> str:
    return f"{'u' if unsigned else ''}int{width}"


def decimal_value(value: str | int | float) -> decimal.Decimal:
    """A written bound as an exact decimal; a float is read from its shortest text."""
    try:
        out = decimal.Decimal(str(value))
    except decimal.InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a decimal number") from exc
    if not out.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return out


def decimal_bounds(spec: m.Decimal) -> tuple[int, int]:
    """The lowest and highest value as integers of 10**-scale (the unscaled values).

    Raises ValueError naming the option at fault."""
    limit = 10**spec.precision - 1
    low, high = -limit, limit
    if spec.min is not None:
        low = _scaled(spec.min, spec.scale, "min", decimal.ROUND_CEILING)
    if spec.max is not None:
        high = _scaled(spec.max, spec.scale, "max", decimal.ROUND_FLOOR)
    for name, value in (("min", low), ("max", high)):
        if abs(value) > limit:
            raise ValueError(
                f"{name} does not fit NUMERIC({spec.precision},{spec.scale}) "
                f"(at most {limit_text(spec)} in absolute value)"
            )
    if low > high:
        raise ValueError(f"min ({spec.min}) is greater than max ({spec.max})")
    return low, high


def limit_text(spec: m.Decimal) -> str:
    return str(decimal.Decimal(10**spec.precision - 1).scaleb(-spec.scale))


def _scaled(value: str | int | float, scale: int, name: str, rounding: str) -> int:
    try:
        exact = decimal_value(value)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from exc
    with decimal.localcontext() as ctx:
        ctx.prec = MAX_PRECISION * 2
        return int(exact.scaleb(scale).to_integral_value(rounding=rounding))


def width_findings(spec: m.Field) -> Iterator[Finding]:
    """Every problem of the width options of one field."""
    if spec.max_length is not None:
        if isinstance(spec, NOT_TEXT):
            yield ("max_length",), f"max_length applies to text and binary, not to {_tag(spec)}"
        elif spec.max_length < (1 if not isinstance(spec, m.Binary) else 0):
            yield ("max_length",), f"max_length must be at least 1, got {spec.max_length}"
        elif isinstance(spec, m.Uuid) and spec.parquet == "uuid" and spec.max_length < 36:
            yield (
                ("max_length",),
                f"max_length {spec.max_length} cuts the uuids that parquet: uuid writes as "
                "16 bytes: give 36 or more",
            )
    if isinstance(spec, m.Integer):
        yield from _integer_findings(spec)
    elif isinstance(spec, m.Decimal):
        yield from _decimal_findings(spec)
    elif isinstance(spec, m.Binary):
        longest = binary_max_length(spec)
        if spec.min_length < 0:
            yield ("min_length",), "min_length must be >= 0"
        elif longest < spec.min_length:
            yield (
                ("max_length",),
                f"max_length ({longest}) is less than min_length ({spec.min_length})",
            )


def binary_max_length(spec: m.Binary) -> int:
    if spec.max_length is not None:
        return spec.max_length
    return max(DEFAULT_BINARY_LENGTH, spec.min_length)


def _integer_findings(spec: m.Integer) -> Iterator[Finding]:
    low, high = integer_range(spec.width, spec.unsigned)
    name = integer_type_name(spec.width, spec.unsigned)
    for option, value in (("min", spec.min), ("max", spec.max)):
        if not low <= value <= high:
            yield (option,), f"{option} ({value}) is outside {name}'s range [{low}, {high}]"


def _decimal_findings(spec: m.Decimal) -> Iterator[Finding]:
    if not 1 <= spec.precision <= MAX_PRECISION:
        yield ("precision",), f"precision must be between 1 and {MAX_PRECISION}"
        return
    if not 0 <= spec.scale <= spec.precision:
        yield ("scale",), f"scale must be between 0 and precision ({spec.precision})"
        return
    try:
        decimal_bounds(spec)
    except ValueError as exc:
        text = str(exc)
        option = "max" if text.startswith("max") else "min"
        yield (option,), text


def _tag(spec: m.FieldBase) -> str:
    return str(spec.__struct_config__.tag)
