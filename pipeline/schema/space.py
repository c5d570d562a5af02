"""How many distinct values a field can take, where the schema alone says so."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from pipeline.schema import model as m

_PATTERN_SIZES = {"#": 10, "?": 26, "*": 62}
_MICROSECOND = dt.timedelta(microseconds=1)


def pattern_space(pattern: str) -> int:
    """Distinct strings a pattern can produce (``\\`` escapes the next character)."""
    total = 1
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        else:
            total *= _PATTERN_SIZES.get(char, 1)
    return total


def distinct_values(values: Iterable[Any]) -> list[Any]:
    """The values without repeats, first occurrence kept; 1 and 1.0 and True stay apart, as
    they print differently."""
    seen: dict[str, Any] = {}
    for value in values:
        seen.setdefault(f"{type(value).__name__}:{value!r}", value)
    return list(seen.values())


def value_space(spec: m.Field) -> int | None:
    """Distinct values of a field; None when unbounded or unknown before a job runs."""
    if isinstance(spec, m.Integer):
        return max(spec.max - spec.min + 1, 0)
    if isinstance(spec, m.Float) and spec.decimals is not None:
        scale = 10**spec.decimals
        return max(math.floor(spec.max * scale) - math.ceil(spec.min * scale) + 1, 0)
    if isinstance(spec, m.Boolean):
        return 2
    if isinstance(spec, m.Choice):
        return len(distinct_values(spec.values))
    if isinstance(spec, m.Date):
        return max((spec.end - spec.start).days + 1, 0)
    if isinstance(spec, m.Datetime):
        return max((spec.end - spec.start) // _MICROSECOND + 1, 0)
    if isinstance(spec, m.Pattern):
        return pattern_space(spec.pattern)
    if isinstance(spec, m.Constant):
        return 1
    return None
