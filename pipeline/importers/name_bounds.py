"""Where a name rule meets a declared type, the declared bounds win.

Every importer asks here for the generator a column's name picks within what its declared type
(and its checks, ``minimum``/``maximum``, lengths) allows: the rule's range is narrowed to the
declared one (a side the source states itself is kept as stated), and a rule that cannot fit
at all (an empty range, text that cannot fit the declared length) is dropped, with a reason the
importer turns into a warning naming the column. The importer then builds the field the type
alone gives, as if no rule had matched, so an import never makes a schema its own validation
refuses.
"""

from __future__ import annotations

import decimal
import math
from typing import Any, Literal, NamedTuple

from pipeline.importers import naming

# Room for the 38 decimals of the widest declared decimal on either side of the point.
_CONTEXT = decimal.Context(prec=100)


class Named(NamedTuple):
    """The generator a name picks within the declared bounds (None: the type's own), and why
    a rule the name matched was dropped (None when it was kept or none matched)."""

    spec: dict[str, Any] | None
    dropped: str | None = None


def number(
    column: str,
    base: Literal["integer", "float"],
    low: float | int | decimal.Decimal | None = None,
    high: float | int | decimal.Decimal | None = None,
    scale: int | None = None,
    *,
    stated: frozenset[str] = frozenset(),
) -> Named:
    """The ranged ``base`` generator ``column``'s name picks, its range narrowed to the declared
    ``low``..``high`` (None: open on that side) on the ``scale``'s steps (None: any float).

    ``stated`` holds the sides (``min``, ``max``) the source states itself (a ``CHECK``,
    ``minimum``): such a side is the declared one, and the rule only fills the others. With
    both stated the source's range is more telling than a name: no rule is picked. A rule
    giving another kind of value (a latitude) is not a range: the caller decides on it.
    """
    guessed = naming.guess(column, base)
    if stated >= {"min", "max"} or guessed is None or guessed["type"] != base:
        return Named(None)
    rule_low, rule_high = guessed["min"], guessed["max"]
    with decimal.localcontext(_CONTEXT):
        lo = _inwards(_side(rule_low, low, "min" in stated, max), scale, up=True)
        hi = _inwards(_side(rule_high, high, "max" in stated, min), scale)
    if base == "integer":
        lo, hi = decimal.Decimal(math.ceil(lo)), decimal.Decimal(math.floor(hi))
    if lo > hi:
        declared = f"{_text(low)}..{_text(high)}"
        return Named(
            None,
            f"the range {rule_low}..{rule_high} picked from the name is outside the declared "
            f"{declared}: generated from the declared type alone",
        )
    return Named({**guessed, "min": _plain(lo), "max": _plain(hi)})


def text(
    column: str,
    entity: str | None = None,
    min_length: int | None = None,
    max_length: int | None = None,
    unwritten: frozenset[str] = frozenset(),
) -> Named:
    """The text generator ``column``'s name picks within the declared lengths: whole where its
    values fit ``max_length``, cut to it where only their longer ones do (``max_length`` then
    set). ``unwritten`` are generators the caller's output cannot write as text: quietly not
    picked."""
    guessed = naming.guess(column, "string", entity)
    if guessed is None or guessed["type"] in unwritten:
        return Named(None)
    kind = guessed["type"]
    if min_length is not None and min_length > 1:
        return Named(
            None,
            f"{kind}, picked from the name, may be shorter than the declared minimum length "
            f"{min_length}: generated from the declared type alone",
        )
    if naming.fits(guessed, max_length):
        return Named(guessed)
    assert max_length is not None  # fits() holds for no limit
    if kind not in naming.NOT_TEXT and max_length >= naming.MIN_KEPT.get(kind, 1):
        return Named({**guessed, "max_length": max_length})
    return Named(
        None,
        f"{kind}, picked from the name, does not fit the declared length {max_length}: "
        "generated from the declared type alone",
    )


def _side(
    rule: float | int,
    declared: float | int | decimal.Decimal | None,
    stated: bool,
    inner: Any,
) -> decimal.Decimal:
    """One end of the range: the source's where it states it, else the rule's kept inside the
    declared end (``inner`` of the two: ``max`` for a lower end, ``min`` for an upper one)."""
    if declared is None:
        return _exact(rule)
    return _exact(declared) if stated else inner(_exact(rule), _exact(declared))


def _exact(value: float | int | decimal.Decimal) -> decimal.Decimal:
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def _inwards(
    value: float | int | decimal.Decimal, scale: int | None, *, up: bool = False
) -> decimal.Decimal:
    """``value`` on a step of the scale, rounded towards the inside of the range."""
    exact = _exact(value)
    if scale is None:
        return exact
    rounding = decimal.ROUND_CEILING if up else decimal.ROUND_FLOOR
    return exact.quantize(decimal.Decimal(10) ** -scale, rounding=rounding)


def _plain(value: decimal.Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _text(value: float | int | decimal.Decimal | None) -> str:
    if value is None:
        return ""
    with decimal.localcontext(_CONTEXT):
        exact = _exact(value)
        return f"{exact.normalize():f}" if exact == exact.to_integral_value() else f"{exact:f}"
