"""Intervals, and arithmetic on dates and datetimes: shifts by days, months and clock time."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions.civil import add_months
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


def unit_of(expression: exp.Expr) -> str:
    unit = expression.args.get("unit")
    name = (unit.name if unit is not None else "").upper()
    return name[:-1] if name.endswith("S") and name[:-1] in _UNITS else name


@handles(exp.Interval)
def _interval(checker: Checker, expression: exp.Interval) -> Node | None:
    unit, sql = unit_of(expression), sql_of(expression)
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
