"""strftime for whole columns: the common directives built from integer parts and lookup
tables, since Arrow's own strftime formats each value through the C++ locale machinery,
which is slow next to everything else an expression does."""

from __future__ import annotations

import functools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.expressions.civil import join_days, split_days
from pipeline.expressions.values import Datum

DAY_US = 86_400_000_000
_DIRECTIVE = re.compile(r"%(.)", re.DOTALL)
_EXPANSIONS = {"F": "%Y-%m-%d", "T": "%H:%M:%S", "D": "%m/%d/%y", "R": "%H:%M"}
_FAST = set("YmdHMSyjBbAa%")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


def tokens(pattern: str) -> list[tuple[bool, str]] | None:
    """The format as (is a directive, text) pieces, or None when a directive has no fast
    form (Arrow's strftime then formats it)."""
    for short, long in _EXPANSIONS.items():
        pattern = pattern.replace(f"%{short}", long)
    pieces: list[tuple[bool, str]] = []
    at = 0
    for match in _DIRECTIVE.finditer(pattern):
        if match.start() > at:
            pieces.append((False, pattern[at : match.start()]))
        letter = match.group(1)
        if letter not in _FAST:
            return None
        pieces.append((letter != "%", "%" if letter == "%" else letter))
        at = match.end()
    if at < len(pattern):
        pieces.append((False, pattern[at:]))
    return pieces if any(directive for directive, _ in pieces) else None


@functools.cache
def _table(kind: str) -> pa.Array:
    if kind == "two":
        return pa.array([f"{i:02d}" for i in range(100)])
    if kind == "three":
        return pa.array([f"{i:03d}" for i in range(1000)])
    if kind == "year":
        return pa.array([f"{i:04d}" for i in range(10000)])
    if kind == "B":
        return pa.array(_MONTHS)
    if kind == "b":
        return pa.array([m[:3] for m in _MONTHS])
    if kind == "A":
        return pa.array(_DAYS)
    return pa.array([d[:3] for d in _DAYS])


class _Parts:
    """The integer parts of a column of microseconds, each computed once when first asked."""

    def __init__(self, micros: np.ndarray) -> None:
        self.days = np.floor_divide(micros, DAY_US)
        self.clock = micros - self.days * DAY_US
        self._ymd: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @property
    def ymd(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._ymd is None:
            self._ymd = split_days(self.days)
        return self._ymd

    def text(self, letter: str) -> pa.Array:
        if letter == "Y":
            year = self.ymd[0]
            if year.min(initial=0) < 0 or year.max(initial=0) > 9999:
                return pa.array(year).cast(pa.string())
            return pc.take(_table("year"), pa.array(year))
        if letter in "Bb":
            return pc.take(_table(letter), pa.array(self.ymd[1] - 1))
        if letter in "Aa":
            return pc.take(_table(letter), pa.array(np.mod(self.days + 4, 7)))
        if letter == "j":
            year = self.ymd[0]
            return pc.take(_table("three"), pa.array(self.days - join_days(year, 1, 1) + 1))
        return pc.take(_table("two"), pa.array(self._number(letter)))

    def _number(self, letter: str) -> np.ndarray:
        if letter == "m":
            return self.ymd[1]
        if letter == "d":
            return self.ymd[2]
        if letter == "y":
            return np.mod(self.ymd[0], 100)
        seconds = self.clock // 1_000_000
        if letter == "H":
            return seconds // 3600
        if letter == "M":
            return seconds // 60 % 60
        return seconds % 60


def strftime(value: Datum, pattern: str) -> Datum:
    """Dates or datetimes (UTC) as text in ``pattern``'s format, seconds truncated."""
    pieces = tokens(pattern)
    if pieces is None or isinstance(value, pa.Scalar):
        return _slow(value, pattern)
    if isinstance(value, pa.ChunkedArray):
        value = value.combine_chunks()
    if pa.types.is_date32(value.type):
        micros = value.cast(pa.int32()).fill_null(0).to_numpy().astype(np.int64) * DAY_US
    else:
        micros = value.cast(pa.int64()).fill_null(0).to_numpy()
    parts = _Parts(micros)
    texts = [parts.text(text) if directive else pa.scalar(text) for directive, text in pieces]
    joined = texts[0] if len(texts) == 1 else pc.binary_join_element_wise(*texts, "")
    if value.null_count:
        joined = pc.if_else(value.is_valid(), joined, pa.scalar(None, pa.string()))
    return joined


def _slow(value: Datum, pattern: str) -> Datum:
    if pa.types.is_date32(value.type):
        value = value.cast(pa.timestamp("s", tz="UTC"))
    seconds = pc.floor_temporal(value, unit="second").cast(pa.timestamp("s", tz="UTC"))
    return pc.strftime(seconds, format=pattern)
