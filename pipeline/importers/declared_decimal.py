"""The decimal field of a DECIMAL(p, s) column, for every importer alike."""

from __future__ import annotations

import decimal
from typing import Any

from pipeline.schema.rules import MAX_DECIMALS
from pipeline.schema.widths import MAX_PRECISION

# Room for 38 digits on either side of the point while bounds are worked out.
_CONTEXT = decimal.Context(prec=2 * MAX_PRECISION + 2)


def holds(precision: int, scale: int) -> bool:
    """Whether the language's decimal holds DECIMAL(precision, scale)."""
    return 1 <= precision <= MAX_PRECISION and 0 <= scale <= precision


def largest(precision: int, scale: int, places: int | None = None) -> float:
    """The largest value of DECIMAL(precision, scale) written with ``places`` decimals: one
    step of them below ``10 ** (precision - scale)``. By default the decimals a float field
    makes of the scale (``MAX_DECIMALS`` at most), so the bound never rounds up to a value the
    type cannot hold. An int for no decimals."""
    places = min(scale, MAX_DECIMALS) if places is None else places
    return round(10 ** (precision - scale) - 10**-places, places)


def top(precision: int, scale: int) -> decimal.Decimal:
    """The largest value of DECIMAL(precision, scale), exactly."""
    with decimal.localcontext(_CONTEXT):
        return decimal.Decimal(10) ** (precision - scale) - decimal.Decimal(10) ** -scale


def decimal_spec(
    low: float | int | decimal.Decimal,
    high: float | int | decimal.Decimal,
    precision: int,
    scale: int,
) -> dict[str, Any]:
    """A decimal between ``low`` and ``high`` kept within what the type holds, the bounds
    written as exact text."""
    with decimal.localcontext(_CONTEXT):
        quantum = decimal.Decimal(10) ** -scale
        largest = top(precision, scale)
        lo = max(decimal.Decimal(repr(low) if isinstance(low, float) else low), -largest)
        hi = min(decimal.Decimal(repr(high) if isinstance(high, float) else high), largest)
        # Inwards, so a bound with more decimals than the scale stays inside the range.
        lo = lo.quantize(quantum, rounding=decimal.ROUND_CEILING)
        hi = max(hi.quantize(quantum, rounding=decimal.ROUND_FLOOR), lo)
        lo, hi = (abs(v) if v == 0 else v for v in (lo, hi))  # no "-0.00"
    return {
        "type": "decimal",
        "precision": precision,
        "scale": scale,
        "min": f"{lo:f}",
        "max": f"{hi:f}",
    }


def as_float(spec: dict[str, Any]) -> dict[str, Any]:
    """A decimal spec as a float rounded to its scale, for the places that take no decimal
    (a tuple of fields unique together)."""
    out = {k: v for k, v in spec.items() if k not in ("precision", "scale", "min", "max")}
    out.update(
        type="float",
        min=_number(spec["min"]),
        max=_number(spec["max"]),
        decimals=min(spec["scale"], MAX_DECIMALS),
    )
    return out


def _number(text: str) -> int | float:
    value = decimal.Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)
