"""Every operator and function of the expression language equals the same computation
written in plain Python over the same rows, nulls included."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pyarrow as pa
import pytest

from pipeline.expressions import ColumnType, compile_expression, evaluate
from pipeline.expressions.values import LazyColumns
from tests.expression_rows import COLUMNS, UTC, make_rows, make_table, member

ROWS = make_rows()
TABLE = make_table(ROWS)
Row = dict[str, Any]


def op(action: Callable[..., Any], *names: str) -> Callable[[Row], Any]:
    """SQL's strict functions: null as soon as one input is null."""

    def reference(row: Row) -> Any:
        values = [member(row, n) for n in names]
        return None if any(v is None for v in values) else action(*values)

    return reference


def both(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def either(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def half_up(x: float | int, places: int) -> float:
    """x scaled by 10**places in floating point, rounded half away from zero, scaled back."""
    scaled = x * 10**places if places >= 0 else x / 10**-places
    whole = Decimal(scaled).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(whole) / 10**places if places >= 0 else float(whole) * 10**-places


def add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def shift_months(moment: dt.datetime, months: int) -> dt.datetime:
    moved = add_months(moment.date(), months)
    return moment.replace(year=moved.year, month=moved.month, day=moved.day)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC)


def least(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def greatest(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def pad(value: str, width: int, fill: str, left: bool) -> str:
    if len(value) >= width:
        return value[:width]
    padding = fill * (width - len(value))
    return padding + value if left else value + padding


def boundaries(a: dt.datetime, b: dt.datetime, seconds: int) -> int:
    return math.floor(b.timestamp() / seconds) - math.floor(a.timestamp() / seconds)


def whole_number(value: str) -> int | None:
    return int(value) if re.fullmatch(r"\s*[+-]?[0-9]+\s*", value) else None


def decimal_number(value: str) -> float | None:
    pattern = r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*"
    return float(value) if re.fullmatch(pattern, value) else None


def iso_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def in_list(value: Any, items: list[Any]) -> bool | None:
    if value is None:
        return None
    found: bool | None = False
    for item in items:
        found = either(found, None if item is None else value == item)
    return found


CASES: dict[str, Callable[[Row], Any]] = {
    # arithmetic
    "i + j": op(lambda a, b: a + b, "i", "j"),
    "i - j": op(lambda a, b: a - b, "i", "j"),
    "i * 3 - j": op(lambda a, b: a * 3 - b, "i", "j"),
    "i / j": op(lambda a, b: None if b == 0 else a / b, "i", "j"),
    "i // j": op(lambda a, b: None if b == 0 else int(a / b), "i", "j"),
    "i % j": op(lambda a, b: None if b == 0 else int(math.fmod(a, b)), "i", "j"),
    "f % g": op(lambda a, b: None if b == 0 else math.fmod(a, b), "f", "g"),
    "f * 2 + g - 1.5": op(lambda a, b: a * 2 + b - 1.5, "f", "g"),
    "i + f": op(lambda a, b: a + b, "i", "f"),
    "-i": op(lambda a: -a, "i"),
    # comparisons
    "i < j": op(lambda a, b: a < b, "i", "j"),
    "i <= f": op(lambda a, b: a <= b, "i", "f"),
    "f = g": op(lambda a, b: a == b, "f", "g"),
    "i <> j": op(lambda a, b: a != b, "i", "j"),
    "s >= t": op(lambda a, b: a >= b, "s", "t"),
    "d < e": op(lambda a, b: a < b, "d", "e"),
    "ts > d": op(lambda a, b: a > midnight(b), "ts", "d"),
    "d >= '2000-01-01'": op(lambda a: a >= dt.date(2000, 1, 1), "d"),
    # logic
    "b AND c": lambda r: both(r["b"], r["c"]),
    "b OR c": lambda r: either(r["b"], r["c"]),
    "NOT b": op(lambda a: not a, "b"),
    "b AND i > 0": lambda r: both(r["b"], None if r["i"] is None else r["i"] > 0),
    # IN, BETWEEN, IS NULL
    "i IN (1, 2, 3)": lambda r: in_list(r["i"], [1, 2, 3]),
    "s IN ('apple', 'Bob')": lambda r: in_list(r["s"], ["apple", "Bob"]),
    "i IN (1, NULL)": lambda r: in_list(r["i"], [1, None]),
    # more than a few written-out values go through a hash lookup
    "i IN (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)": lambda r: in_list(r["i"], list(range(1, 11))),
    "i IN (1, 2, 3, 4, 5, 6, 7, 8, 9, NULL)": lambda r: in_list(r["i"], [*range(1, 10), None]),
    "i NOT IN (-9, -8, -7, -6, -5, -4, -3, -2, -1)": lambda r: (
        None if r["i"] is None else r["i"] not in range(-9, 0)
    ),
    "i NOT IN (1, 2)": lambda r: None if r["i"] is None else r["i"] not in (1, 2),
    "i IN (j, 3)": lambda r: in_list(r["i"], [r["j"], 3]),
    "i BETWEEN j AND 5": lambda r: both(
        op(lambda a, b: a >= b, "i", "j")(r), op(lambda a: a <= 5, "i")(r)
    ),
    "f NOT BETWEEN -1 AND 1": op(lambda a: not -1 <= a <= 1, "f"),
    "s IS NULL": lambda r: r["s"] is None,
    "f IS NOT NULL": lambda r: r["f"] is not None,
    # CASE
    "CASE WHEN i > 0 THEN 'pos' WHEN i < 0 THEN 'neg' ELSE 'zero' END": lambda r: (
        "zero" if r["i"] is None else "pos" if r["i"] > 0 else "neg" if r["i"] < 0 else "zero"
    ),
    "CASE WHEN b THEN f END": lambda r: r["f"] if r["b"] else None,
    "CASE WHEN b THEN 'yes' WHEN c THEN NULL ELSE 'no' END": lambda r: (
        "yes" if r["b"] else None if r["c"] else "no"
    ),
    "CASE i WHEN 1 THEN 'one' WHEN 2 THEN 'two' END": lambda r: {1: "one", 2: "two"}.get(r["i"]),
    "CASE WHEN c THEN i ELSE f END": lambda r: (
        (None if r["i"] is None else float(r["i"])) if r["c"] else r["f"]
    ),
    # null handling and extremes
    "coalesce(i, j, 0)": lambda r: next(v for v in (r["i"], r["j"], 0) if v is not None),
    "coalesce(s, t)": lambda r: r["s"] if r["s"] is not None else r["t"],
    "nullif(i, j)": lambda r: None if r["i"] is not None and r["i"] == r["j"] else r["i"],
    "least(i, j, 3)": lambda r: least(r["i"], r["j"], 3),
    "greatest(f, g)": lambda r: greatest(r["f"], r["g"]),
    "least(s, t)": lambda r: least(r["s"], r["t"]),
    "greatest(d, e)": lambda r: greatest(r["d"], r["e"]),
    # numbers
    "abs(i)": op(abs, "i"),
    "abs(f)": op(abs, "f"),
    "round(f, 2)": op(lambda a: half_up(a, 2), "f"),
    "round(f)": op(lambda a: half_up(a, 0), "f"),
    "round(g, 1)": op(lambda a: half_up(a, 1), "g"),
    "round(i, -1)": op(lambda a: int(half_up(a, -1)), "i"),
    "floor(f)": op(lambda a: float(math.floor(a)), "f"),
    "ceil(f)": op(lambda a: float(math.ceil(a)), "f"),
    "floor(i)": op(lambda a: a, "i"),
    # text
    "s || '-' || t": op(lambda a, b: f"{a}-{b}", "s", "t"),
    "s || i": op(lambda a, b: f"{a}{b}", "s", "i"),
    "s || ', ' || t || ', ' || s": op(lambda a, b: f"{a}, {b}, {a}", "s", "t"),
    "'<' || s || '-' || '>'": op(lambda a: f"<{a}->", "s"),
    "concat(s, '-', t)": lambda r: "".join(v for v in (r["s"], "-", r["t"]) if v is not None),
    "concat(s, i, b)": lambda r: "".join(
        text(v) for v in (r["s"], r["i"], r["b"]) if v is not None
    ),
    "upper(s)": op(str.upper, "s"),
    "lower(s)": op(str.lower, "s"),
    "length(s)": op(len, "s"),
    "substr(s, 2, 3)": op(lambda a: a[1:4], "s"),
    "substr(s, 2)": op(lambda a: a[1:], "s"),
    "substr(s, -2)": op(lambda a: a[-2:], "s"),
    "substr(s, -3, 2)": op(lambda a: a[-3:-1], "s"),
    "replace(s, 'a', 'X')": op(lambda a: a.replace("a", "X"), "s"),
    "trim(s)": op(lambda a: a.strip(" "), "s"),
    "lpad(s, 6, '*')": op(lambda a: pad(a, 6, "*", left=True), "s"),
    "rpad(s, 4, '.')": op(lambda a: pad(a, 4, ".", left=False), "s"),
    "s LIKE 'a%'": op(lambda a: a.startswith("a"), "s"),
    "upper(address.city)": op(str.upper, "address.city"),
    # casts
    "cast(f AS integer)": op(lambda a: int(half_up(a, 0)), "f"),
    "cast(i AS double)": op(float, "i"),
    "cast(i AS varchar)": op(str, "i"),
    "cast(b AS varchar)": op(text, "b"),
    "cast(b AS integer)": op(int, "b"),
    "cast(d AS varchar)": op(dt.date.isoformat, "d"),
    "cast(ts AS varchar)": op(lambda a: a.strftime("%Y-%m-%d %H:%M:%S"), "ts"),
    "cast(ts AS date)": op(lambda a: a.date(), "ts"),
    "cast(d AS timestamp)": op(midnight, "d"),
    "cast(digits AS integer)": op(whole_number, "digits"),
    "cast(digits AS double)": op(decimal_number, "digits"),
    "cast(day_text AS date)": op(iso_day, "day_text"),
    # intervals and date arithmetic
    "d + INTERVAL 3 DAY": op(lambda a: a + dt.timedelta(days=3), "d"),
    "d + INTERVAL 1 MONTH": op(lambda a: add_months(a, 1), "d"),
    "d - INTERVAL 2 YEAR": op(lambda a: add_months(a, -24), "d"),
    "d + j * INTERVAL 1 MONTH": op(add_months, "d", "j"),
    "d + INTERVAL 5 SECOND": op(lambda a: midnight(a) + dt.timedelta(seconds=5), "d"),
    "ts + INTERVAL 90 MINUTE": op(lambda a: a + dt.timedelta(minutes=90), "ts"),
    "ts + i * INTERVAL 1 HOUR": op(lambda a, n: a + dt.timedelta(hours=n), "ts", "i"),
    "ts - INTERVAL 1 MONTH": op(lambda a: shift_months(a, -1), "ts"),
    "d + i": op(lambda a, n: a + dt.timedelta(days=n), "d", "i"),
    "d - e": op(lambda a, b: (a - b).days, "d", "e"),
    "date_diff('day', d, e)": op(lambda a, b: (b - a).days, "d", "e"),
    "date_diff('day', ts, u)": op(lambda a, b: (b.date() - a.date()).days, "ts", "u"),
    "date_diff('month', d, e)": op(
        lambda a, b: b.year * 12 + b.month - a.year * 12 - a.month, "d", "e"
    ),
    "date_diff('year', d, e)": op(lambda a, b: b.year - a.year, "d", "e"),
    "date_diff('hour', ts, u)": op(lambda a, b: boundaries(a, b, 3600), "ts", "u"),
    "date_diff('minute', ts, u)": op(lambda a, b: boundaries(a, b, 60), "ts", "u"),
    "date_diff('second', ts, u)": op(lambda a, b: boundaries(a, b, 1), "ts", "u"),
    # parts and formats
    "extract(year FROM d)": op(lambda a: a.year, "d"),
    "extract(month FROM d)": op(lambda a: a.month, "d"),
    "extract(day FROM ts)": op(lambda a: a.day, "ts"),
    "extract(hour FROM ts)": op(lambda a: a.hour, "ts"),
    "extract(dow FROM d)": op(lambda a: a.isoweekday() % 7, "d"),
    "extract(dow FROM ts)": op(lambda a: a.isoweekday() % 7, "ts"),
    "strftime(d, '%Y-%m')": op(lambda a: a.strftime("%Y-%m"), "d"),
    "strftime(ts, '%Y-%m-%d %H:%M:%S')": op(lambda a: a.strftime("%Y-%m-%d %H:%M:%S"), "ts"),
    "strftime(ts, '%d/%m/%y %j %b %B %a %A %%')": op(
        lambda a: a.strftime("%d/%m/%y %j %b %B %a %A %%"), "ts"
    ),
    "strftime(d, 'week %U of %Y')": op(lambda a: a.strftime("week %U of %Y"), "d"),
    "date_trunc('month', d)": op(lambda a: a.replace(day=1), "d"),
    "date_trunc('year', d)": op(lambda a: a.replace(month=1, day=1), "d"),
    "date_trunc('week', d)": op(lambda a: a - dt.timedelta(days=a.weekday()), "d"),
    "date_trunc('month', ts)": op(lambda a: midnight(a.date().replace(day=1)), "ts"),
    "date_trunc('hour', ts)": op(lambda a: a.replace(minute=0, second=0), "ts"),
}


@pytest.mark.parametrize("text", list(CASES))
def test_expression_equals_python(text: str) -> None:
    compiled = compile_expression(text, COLUMNS)
    result = evaluate(compiled, TABLE)
    assert result.type == compiled.type.arrow
    assert result.to_pylist() == [CASES[text](row) for row in ROWS]


EDGES = [2.675, -2.675, 0.125, -0.125, 2.5, -2.5, -0.49999999999999994, None, -0.0, 254.7, 1e300]
ROUNDED = {
    "round(x, 2)": [2.68, -2.68, 0.13, -0.13, 2.5, -2.5, -0.5, None, -0.0, 254.7, 1e300],
    # Arrow reads the fraction of -0.49999999999999994 as exactly one half.
    "round(x)": [3.0, -3.0, 0.0, -0.0, 3.0, -3.0, -1.0, None, -0.0, 255.0, 1e300],
    "round(x, -1)": [0.0, -0.0, 0.0, -0.0, 0.0, -0.0, -0.0, None, -0.0, 250.0, 1e300],
}


@pytest.mark.parametrize("text", list(ROUNDED))
def test_round_of_floats_gives_the_same_bits_read_in_place_or_from_an_offset(text: str) -> None:
    compiled = compile_expression(text, {"x": ColumnType.FLOAT})
    column = pa.array([7.0, *EDGES]).slice(1)  # a slice is rounded by Arrow's own kernel
    for values in (pa.array(EDGES), column):
        result = evaluate(compiled, {"x": values}).to_pylist()
        assert result == ROUNDED[text]
        signs = [None if v is None else math.copysign(1, v) for v in result]
        assert signs == [None if v is None else math.copysign(1, v) for v in ROUNDED[text]]


@pytest.mark.parametrize("width", ["int8", "int16", "int32", "int64"])
def test_a_join_of_pooled_columns_is_the_join_of_their_values(width: str) -> None:
    firsts = pa.array(["Ann", "Bo", "Éva", ""] + [f"x{i}" for i in range(200)])
    lasts = pa.array(["Lee", "Ngô"])
    first = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2, 3, 0], type=width), firsts)
    last = pa.DictionaryArray.from_arrays(pa.array([1, 0, 0, 1, 1], type=width), lasts)
    compiled = compile_expression(
        "'<' || a || ' ' || b || '>'", {"a": ColumnType.STRING, "b": ColumnType.STRING}
    )
    data = {"a": first.cast(pa.string()), "b": last.cast(pa.string())}
    expected = ["<Ann Ngô>", "<Bo Lee>", "<Éva Lee>", "< Ngô>", "<Ann Ngô>"]
    assert evaluate(compiled, data, pools={"a": first, "b": last}).to_pylist() == expected
    assert evaluate(compiled, {"a": first, "b": last}).to_pylist() == expected
    assert evaluate(compiled, data).to_pylist() == expected


def test_a_join_of_pooled_columns_keeps_texts_longer_than_a_view_holds_inline() -> None:
    firsts = pa.array(["Bartholomew-Alexander", "Al", "Zoë-Émilie-Françoise"])
    lasts = pa.array(["Montgomery-Featherstonehaugh", "Wu"])
    first = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2, 0], type="int32"), firsts)
    last = pa.DictionaryArray.from_arrays(pa.array([1, 0, 0, 0], type="int32"), lasts)
    compiled = compile_expression("a || ' ' || b", {"a": ColumnType.STRING, "b": ColumnType.STRING})
    data = {"a": first.cast(pa.string()), "b": last.cast(pa.string())}
    assert evaluate(compiled, data, pools={"a": first, "b": last}).to_pylist() == [
        "Bartholomew-Alexander Wu",
        "Al Montgomery-Featherstonehaugh",
        "Zoë-Émilie-Françoise Montgomery-Featherstonehaugh",
        "Bartholomew-Alexander Montgomery-Featherstonehaugh",
    ]


def test_a_join_of_pooled_texts_reads_the_pools_not_the_decoded_columns() -> None:
    first = pa.DictionaryArray.from_arrays(pa.array([0, 1, 1, 0]), pa.array(["Ann", "Bo"]))
    last = pa.DictionaryArray.from_arrays(pa.array([1, 0, 1, 0]), pa.array(["Li", "Moreno"]))
    decoded: list[str] = []

    def read(name: str) -> pa.Array:
        decoded.append(name)
        return {"first": first, "last": last}[name].cast(pa.string())

    columns = LazyColumns(["first", "last"], read, 4)
    compiled = compile_expression(
        "first || ' ' || last", {"first": ColumnType.STRING, "last": ColumnType.STRING}
    )
    joined = evaluate(compiled, columns, rows=4, pools={"first": first, "last": last})
    assert joined.to_pylist() == ["Ann Moreno", "Bo Li", "Bo Moreno", "Ann Li"]
    assert decoded == []
