"""Dates and datetimes: intervals, date arithmetic, date_diff, extract, strftime, date_trunc."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions.civil import add_months
from pipeline.expressions.formatting import strftime
from pipeline.expressions.nodes import Checker, IntervalKind, Kind, Node, handles, sql_of
from pipeline.expressions.types import TIMESTAMP, ColumnType
from pipeline.expressions.values import Batch, Datum, Interval, Value, on_numpy, per_day, typed

_DATE, _DATETIME, _I, _F = (
    ColumnType.DATE,
    ColumnType.DATETIME,
    ColumnType.INTEGER,
    ColumnType.FLOAT,
)
_NULL = ColumnType.NULL
DAY_US = 86_400_000_000
# Interval units: (months, microseconds) per unit.
_UNITS: dict[str, tuple[int, int]] = {
    "YEAR": (12, 0),
    "MONTH": (1, 0),
    "WEEK": (0, 7 * DAY_US),
    "DAY": (0, DAY_US),
    "HOUR": (0, 3_600_000_000),
    "MINUTE": (0, 60_000_000),
    "SECOND": (0, 1_000_000),
}


def _unit(expression: exp.Expr) -> str:
    unit = expression.args.get("unit")
    name = (unit.name if unit is not None else "").upper()
    return name[:-1] if name.endswith("S") and name[:-1] in _UNITS else name


@handles(exp.Interval)
def _interval(checker: Checker, expression: exp.Interval) -> Node | None:
    unit, sql = _unit(expression), sql_of(expression)
    if unit not in _UNITS:
        checker.fail(
            f"unknown interval unit '{unit}' in '{sql}': use YEAR, MONTH, WEEK, DAY, HOUR, "
            "MINUTE or SECOND"
        )
        return None
    amount = expression.this
    if isinstance(amount, exp.Literal) and amount.is_string:
        try:
            number: float = float(amount.this)
        except ValueError:
            checker.fail(f"'{amount.this}' is not a number in '{sql}'")
            return None
        whole = number == int(number)
        months, micros = _UNITS[unit]
        if months and not whole:
            checker.fail(f"a number of months or years must be whole in '{sql}'")
            return None
        value = Interval(int(number) * months, round(number * micros))
        kind = IntervalKind.DAYS if value.micros % DAY_US == 0 else IntervalKind.CLOCK
        return Node(kind, lambda batch: value, sql, value)
    count = checker.node(amount)
    if count is None:
        return None
    one = Interval(*_UNITS[unit])
    return _scaled(checker, count, Node(_kind_of(unit), lambda batch: one, sql, one), sql)


def _kind_of(unit: str) -> IntervalKind:
    return IntervalKind.DAYS if _UNITS[unit][1] % DAY_US == 0 else IntervalKind.CLOCK


def _scaled(checker: Checker, count: Node, interval: Node, sql: str) -> Node | None:
    """``n * INTERVAL 1 HOUR``: an interval per row."""
    if count.kind not in (_I, _F, _NULL):
        checker.fail(f"an interval can only be multiplied by a number in '{sql}'")
        return None
    step_written = interval.literal
    if count.kind is _F and not (isinstance(step_written, Interval) and step_written.months == 0):
        checker.fail(
            f"only a whole number of months or years can be added in '{sql}' "
            "(cast the count to integer)"
        )
        return None
    kind = IntervalKind.CLOCK if count.kind is _F else interval.kind

    def run(batch: Batch) -> Value:
        step = interval.run(batch)
        assert isinstance(step, Interval)
        n = count.datum(batch)
        return Interval(_times(n, step.months), _times(n, step.micros))

    return Node(kind, run, sql)


def _times(n: Datum, amount: int | Any) -> Any:
    if isinstance(amount, int) and amount == 0:
        return 0
    if pa.types.is_floating(n.type):
        return pc.round(pc.multiply(n, amount), 0, round_mode="half_towards_infinity").cast(
            pa.int64()
        )
    return pc.multiply_checked(n.cast(pa.int64()), amount)


def negate(inner: Node, sql: str) -> Node:
    def run(batch: Batch) -> Value:
        step = inner.run(batch)
        assert isinstance(step, Interval)
        return Interval(_negative(step.months), _negative(step.micros))

    return Node(inner.kind, run, sql)


def _negative(amount: Any) -> Any:
    return -amount if isinstance(amount, int) else pc.negate_checked(amount)


def arithmetic(checker: Checker, expression: exp.Binary, left: Node, right: Node) -> Node | None:
    """Arithmetic where a date, a datetime or an interval takes part."""
    sql = sql_of(expression)
    a, b = left.kind, right.kind
    if isinstance(expression, exp.Mul):
        if isinstance(b, IntervalKind) and not isinstance(a, IntervalKind):
            return _scaled(checker, left, right, sql)
        if isinstance(a, IntervalKind) and not isinstance(b, IntervalKind):
            return _scaled(checker, right, left, sql)
    elif isinstance(expression, exp.Add | exp.Sub):
        sign = 1 if isinstance(expression, exp.Add) else -1
        if is_temporal(a) and isinstance(b, IntervalKind):
            return _shift(left, right, sign, sql)
        if sign == 1 and isinstance(a, IntervalKind) and is_temporal(b):
            return _shift(right, left, sign, sql)
        if isinstance(a, IntervalKind) and isinstance(b, IntervalKind):
            return _sum(left, right, sign, sql)
        if a is _DATE and b in (_I, _NULL):
            return _add_days(left, right, sign, sql)
        if sign == 1 and a in (_I, _NULL) and b is _DATE:
            return _add_days(right, left, sign, sql)
        if sign == -1 and a is _DATE and b is _DATE:
            return _days_apart(left, right, sql)
        if sign == -1 and is_temporal(a) and is_temporal(b):
            checker.fail(f"subtract datetimes with date_diff('hour', a, b) and the like in '{sql}'")
            return None
    words = {exp.Add: "plus", exp.Sub: "minus", exp.Mul: "times"}.get(type(expression), "/")
    checker.fail(f"cannot compute {a.article} {words} {b.article} in '{sql}'")
    return None


def is_temporal(kind: Kind) -> bool:
    return isinstance(kind, ColumnType) and kind.is_temporal


def _sum(left: Node, right: Node, sign: int, sql: str) -> Node:
    kind = IntervalKind.DAYS if left.kind == right.kind == IntervalKind.DAYS else IntervalKind.CLOCK

    def run(batch: Batch) -> Value:
        x, y = left.run(batch), right.run(batch)
        assert isinstance(x, Interval) and isinstance(y, Interval)
        combine = _plus if sign == 1 else _minus
        return Interval(combine(x.months, y.months), combine(x.micros, y.micros))

    return Node(kind, run, sql)


def _plus(x: Any, y: Any) -> Any:
    return x + y if isinstance(x, int) and isinstance(y, int) else pc.add_checked(x, y)


def _minus(x: Any, y: Any) -> Any:
    return x - y if isinstance(x, int) and isinstance(y, int) else pc.subtract_checked(x, y)


def _shift(moment: Node, step: Node, sign: int, sql: str) -> Node:
    """A date or datetime moved by an interval: months first (the day of month kept, or the
    month's last day when it has fewer), then the fixed part."""
    kind = _DATE if moment.kind is _DATE and step.kind is IntervalKind.DAYS else _DATETIME

    def run(batch: Batch) -> Value:
        value = moment.datum(batch)
        interval = step.run(batch)
        assert isinstance(interval, Interval)
        months = interval.months if sign == 1 else _negative(interval.months)
        micros = interval.micros if sign == 1 else _negative(interval.micros)
        if kind is _DATE:
            if isinstance(months, int) and isinstance(micros, int):
                return per_day(value, lambda dates: _move_dates(dates, months, micros))
            return _move_dates(value, months, micros)
        us = typed(value, _DATETIME).cast(pa.int64())
        if not (isinstance(months, int) and months == 0):
            us = on_numpy(_add_months_us, pa.int64(), us, months)
        if not (isinstance(micros, int) and micros == 0):
            us = pc.add_checked(us, micros)
        return us.cast(TIMESTAMP)

    return Node(kind, run, sql)


def _move_dates(value: Datum, months: Any, micros: Any) -> Datum:
    days = value.cast(pa.int32()).cast(pa.int64())
    if not (isinstance(months, int) and months == 0):
        days = on_numpy(add_months, pa.int64(), days, months)
    if not (isinstance(micros, int) and micros == 0):
        days = pc.add_checked(days, _whole_days(micros))
    return days.cast(pa.int32()).cast(pa.date32())


def _whole_days(micros: Any) -> Any:
    return micros // DAY_US if isinstance(micros, int) else pc.divide(micros, DAY_US)


def _add_months_us(us: Any, months: Any) -> np.ndarray:
    micros = np.asarray(us, dtype=np.int64)
    day = np.floor_divide(micros, DAY_US)
    return add_months(day, months) * DAY_US + (micros - day * DAY_US)


def _add_days(moment: Node, count: Node, sign: int, sql: str) -> Node:
    def run(batch: Batch) -> Value:
        days = moment.datum(batch).cast(pa.int32()).cast(pa.int64())
        n = typed(count.datum(batch), _I)
        moved = pc.add_checked(days, n) if sign == 1 else pc.subtract_checked(days, n)
        return moved.cast(pa.int32()).cast(pa.date32())

    return Node(_DATE, run, sql)


def _days_apart(left: Node, right: Node, sql: str) -> Node:
    def run(batch: Batch) -> Value:
        a = left.datum(batch).cast(pa.int32()).cast(pa.int64())
        b = right.datum(batch).cast(pa.int32()).cast(pa.int64())
        return pc.subtract(a, b)

    return Node(_I, run, sql)


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
    unit, sql = _unit(expression), sql_of(expression)
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
    unit, sql = _unit(expression), sql_of(expression)
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
