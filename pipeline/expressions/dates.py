"""Date functions: date_diff, extract and its short forms, strftime, date_trunc."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions.formatting import strftime
from pipeline.expressions.intervals import is_temporal, unit_of
from pipeline.expressions.nodes import Checker, Node, handles, sql_of
from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch, Datum, Value, per_day, typed

_DATE, _DATETIME, _I, _NULL = (
    ColumnType.DATE,
    ColumnType.DATETIME,
    ColumnType.INTEGER,
    ColumnType.NULL,
)


def _moment(checker: Checker, expression: exp.Expr, what: str) -> Node | None:
    found = checker.node(expression)
    if found is None:
        return None
    if not (is_temporal(found.kind) or found.kind is _NULL):
        checker.fail(
            f"{what} must be a date or datetime, but '{found.sql}' is {found.kind.article}"
        )
        return None
    return found


def _months_between(a: Datum, b: Datum) -> Datum:
    index_a = pc.add(pc.multiply(pc.year(a), 12), pc.month(a))
    return pc.subtract(pc.add(pc.multiply(pc.year(b), 12), pc.month(b)), index_a)


_BETWEEN: dict[str, Callable[[Datum, Datum], Datum]] = {
    "YEAR": lambda a, b: pc.subtract(pc.year(b), pc.year(a)),
    "MONTH": _months_between,
    "DAY": pc.days_between,
    "HOUR": pc.hours_between,
    "MINUTE": pc.minutes_between,
    "SECOND": pc.seconds_between,
}


@handles(exp.DateDiff)
def _date_diff(checker: Checker, expression: exp.DateDiff) -> Node | None:
    unit, sql = unit_of(expression), sql_of(expression)
    later = _moment(checker, expression.this, "each date of date_diff")
    earlier = _moment(checker, expression.expression, "each date of date_diff")
    if unit not in _BETWEEN:
        checker.fail(
            f"unknown part '{unit.lower()}' in '{sql}': use year, month, day, hour, minute or "
            "second"
        )
        return None
    if later is None or earlier is None:
        return None
    same = later.kind == earlier.kind == _DATE
    kind = _DATE if same else _DATETIME
    action = _BETWEEN[unit]

    def run(batch: Batch) -> Value:
        a, b = typed(earlier.datum(batch), kind), typed(later.datum(batch), kind)
        return action(a, b).cast(pa.int64())

    return Node(_I, run, sql)


_PARTS: dict[str, tuple[Callable[..., Datum], bool]] = {
    # part: (the function, whether it needs a time of day)
    "YEAR": (pc.year, False),
    "QUARTER": (pc.quarter, False),
    "MONTH": (pc.month, False),
    "DAY": (pc.day, False),
    "HOUR": (pc.hour, True),
    "MINUTE": (pc.minute, True),
    "SECOND": (pc.second, True),
    "DOW": (lambda v: pc.day_of_week(v, count_from_zero=True, week_start=7), False),
    "DAYOFWEEK": (lambda v: pc.day_of_week(v, count_from_zero=True, week_start=7), False),
    "ISODOW": (lambda v: pc.day_of_week(v, count_from_zero=False, week_start=1), False),
    "DOY": (pc.day_of_year, False),
    "DAYOFYEAR": (pc.day_of_year, False),
    "WEEK": (pc.iso_week, False),
}


def extract(checker: Checker, part: str, value: exp.Expr, sql: str) -> Node | None:
    """One part of a date or datetime as an integer (extract, date_part, year()...)."""
    moment = _moment(checker, value, f"the value of {part.lower()}")
    if part not in _PARTS:
        checker.fail(
            f"unknown part '{part.lower()}' in '{sql}': use year, quarter, month, day, hour, "
            "minute, second, dow, isodow, doy or week"
        )
        return None
    if moment is None:
        return None
    action, clock = _PARTS[part]
    kind = _DATETIME if clock or moment.kind is _NULL else moment.column_kind

    def run(batch: Batch) -> Value:
        return action(typed(moment.datum(batch), kind)).cast(pa.int64())

    return Node(_I, run, sql)


@handles(exp.Extract)
def _extract(checker: Checker, expression: exp.Extract) -> Node | None:
    return extract(checker, expression.this.name.upper(), expression.expression, sql_of(expression))


_SHORTHANDS = {
    exp.Year: "YEAR",
    exp.Quarter: "QUARTER",
    exp.Month: "MONTH",
    exp.Day: "DAY",
    exp.Hour: "HOUR",
    exp.Minute: "MINUTE",
    exp.Second: "SECOND",
    exp.DayOfWeek: "DOW",
    exp.DayOfYear: "DOY",
    exp.Week: "WEEK",
}


@handles(*_SHORTHANDS)
def _shorthand(checker: Checker, expression: exp.Func) -> Node | None:
    return extract(checker, _SHORTHANDS[type(expression)], expression.this, sql_of(expression))


@handles(exp.TimeToStr)
def _strftime(checker: Checker, expression: exp.TimeToStr) -> Node | None:
    sql = sql_of(expression)
    moment = _moment(checker, expression.this, "the value of strftime")
    pattern = expression.args.get("format")
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        checker.fail(f"the format of strftime must be a string written out in '{sql}'")
        return None
    if moment is None:
        return None
    text = str(pattern.this)

    def run(batch: Batch) -> Value:
        value = moment.datum(batch)
        if moment.kind is _DATE:
            return per_day(value, lambda dates: strftime(dates, text))
        return strftime(typed(value, _DATETIME), text)

    return Node(ColumnType.STRING, run, sql)


_TRUNCATIONS = {
    "YEAR": "year",
    "QUARTER": "quarter",
    "MONTH": "month",
    "WEEK": "week",
    "DAY": "day",
    "HOUR": "hour",
    "MINUTE": "minute",
    "SECOND": "second",
}


@handles(exp.TimestampTrunc, exp.DateTrunc)
def _date_trunc(checker: Checker, expression: exp.Expr) -> Node | None:
    unit, sql = unit_of(expression), sql_of(expression)
    moment = _moment(checker, expression.this, "the value of date_trunc")
    if unit not in _TRUNCATIONS:
        checker.fail(
            f"unknown part '{unit.lower()}' in '{sql}': use year, quarter, month, week, day, "
            "hour, minute or second"
        )
        return None
    if moment is None:
        return None
    kind = moment.column_kind
    if kind is _NULL:
        return Node(kind, moment.run, sql)
    step = _TRUNCATIONS[unit]
    clock = step in ("hour", "minute", "second")

    def run(batch: Batch) -> Value:
        value = moment.datum(batch)
        if kind is _DATE and clock:
            return value
        return pc.floor_temporal(value, unit=step, week_starts_monday=True)

    return Node(kind, run, sql)
