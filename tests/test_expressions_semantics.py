"""The documented decisions where SQL engines differ, as literal values, and the output types
written to parquet."""

from __future__ import annotations

import datetime as dt
import io
import pickle
from concurrent.futures import ThreadPoolExecutor

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.expressions import ColumnType, column_type_of, compile_expression, evaluate

ONE_ROW = pa.table({"x": pa.array([1])})


def value(text: str) -> object:
    return evaluate(compile_expression(text, {"x": ColumnType.INTEGER}), ONE_ROW)[0].as_py()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7 / 2", 3.5),
        ("7 // 2", 3),
        ("-7 // 2", -3),
        ("-7 % 3", -1),
        ("7 % -3", 1),
        ("5.5 % 2", 1.5),
        ("1 / 0", None),
        ("1 // 0", None),
        ("1 % 0", None),
        ("round(2.5)", 3.0),
        ("round(-2.5)", -3.0),
        ("round(0.125, 2)", 0.13),
        ("round(1250, -2)", 1300),
        ("cast(2.5 AS integer)", 3),
        ("cast(-2.5 AS integer)", -3),
        ("floor(-1.5)", -2.0),
        ("ceil(-1.5)", -1.0),
        ("extract(dow FROM DATE '2024-06-02')", 0),
        ("extract(dow FROM DATE '2024-06-08')", 6),
        ("extract(isodow FROM DATE '2024-06-02')", 7),
        ("DATE '2024-01-31' + INTERVAL 1 MONTH", dt.date(2024, 2, 29)),
        ("DATE '2024-02-29' + INTERVAL 1 YEAR", dt.date(2025, 2, 28)),
        ("DATE '2024-03-31' - INTERVAL 1 MONTH", dt.date(2024, 2, 29)),
        ("DATE '2024-01-01' + INTERVAL 36 HOUR", dt.datetime(2024, 1, 2, 12, tzinfo=dt.UTC)),
        ("date_diff('day', TIMESTAMP '2024-01-01 23:00:00', TIMESTAMP '2024-01-02 01:00:00')", 1),
        ("date_diff('month', DATE '2024-01-31', DATE '2024-02-01')", 1),
        ("least(1, NULL)", 1),
        ("greatest(NULL, NULL)", None),
        ("concat('a', NULL, 'b')", "ab"),
        ("'a' || NULL", None),
        ("trim('  x  ')", "x"),
        ("lpad('abcdef', 3, '0')", "abc"),
        ("substr('hello', -3, 2)", "ll"),
        ("cast(1.5 AS varchar)", "1.5"),
        ("cast(TRUE AS varchar)", "true"),
        ("cast('12x' AS integer)", None),
        ("NULL IN (1, 2)", None),
        ("3 IN (1, NULL)", None),
        ("1 IN (1, NULL)", True),
        ("NULL AND FALSE", False),
        ("NULL OR TRUE", True),
        ("CASE WHEN NULL THEN 1 ELSE 2 END", 2),
        ("nullif(1, 1)", None),
        ("strftime(TIMESTAMP '2024-05-06 07:08:09.75', '%H:%M:%S')", "07:08:09"),
        ("date_trunc('week', DATE '2024-06-02')", dt.date(2024, 5, 27)),
    ],
)
def test_documented_semantics(text: str, expected: object) -> None:
    assert value(text) == expected


def test_types_are_inferred_and_kept_in_parquet() -> None:
    columns = {"n": ColumnType.INTEGER, "p": ColumnType.FLOAT, "day": ColumnType.DATE}
    table = pa.table(
        {
            "n": pa.array([1, None]),
            "p": pa.array([2.5, 1.0]),
            "day": pa.array([dt.date(2024, 1, 31), None]),
        }
    )
    expressions = {
        "whole": "n * 2",
        "ratio": "n / 2",
        "label": "'#' || n",
        "flag": "p > 2",
        "due": "day + INTERVAL 1 MONTH",
        "stamp": "day + INTERVAL 1 HOUR",
        "cast_int": "cast(p AS integer)",
        "nothing": "NULL",
    }
    out = {name: evaluate(compile_expression(e, columns), table) for name, e in expressions.items()}
    sink = io.BytesIO()
    pq.write_table(pa.table(out), sink)
    read = pq.read_table(io.BytesIO(sink.getvalue())).schema
    assert {name: str(read.field(name).type) for name in expressions} == {
        "whole": "int64",
        "ratio": "double",
        "label": "string",
        "flag": "bool",
        "due": "date32[day]",
        "stamp": "timestamp[us, tz=UTC]",
        "cast_int": "int64",
        "nothing": "null",
    }
    assert [column_type_of(read.field(n).type) for n in ("whole", "stamp")] == [
        ColumnType.INTEGER,
        ColumnType.DATETIME,
    ]


def test_columns_of_other_arrow_widths_are_read_as_their_type() -> None:
    table = pa.table(
        {
            "small": pa.array([1, 2], pa.int8()),
            "when": pa.array([0, 86_400], pa.timestamp("s")),
            "word": pa.array(["a", "b"]).dictionary_encode(),
        }
    )
    columns = {f.name: column_type_of(f.type) for f in table.schema}
    compiled = compile_expression("small * 100 || word || strftime(\"when\", '%d')", columns)
    assert evaluate(compiled, table).to_pylist() == ["100a01", "200b02"]


def test_a_constant_expression_fills_every_row() -> None:
    result = evaluate(compile_expression("1 + 1", {}), pa.table({"x": [1, 2, 3]}))
    assert result.to_pylist() == [2, 2, 2]


def test_integer_overflow_is_an_error_not_a_wrapped_value() -> None:
    compiled = compile_expression("x * 4611686018427387904", {"x": ColumnType.INTEGER})
    with pytest.raises(ValueError, match="overflow"):
        evaluate(compiled, pa.table({"x": [4]}))


def test_dates_over_a_short_range_take_the_per_day_path_with_the_same_values() -> None:
    start = dt.date(2023, 1, 1)
    days = [start + dt.timedelta(days=k % 400) for k in range(5000)] + [None]
    table = pa.table({"day": pa.array(days, pa.date32())})
    columns = {"day": ColumnType.DATE}
    moved = evaluate(compile_expression("day + INTERVAL 1 MONTH", columns), table).to_pylist()
    texts = evaluate(compile_expression("strftime(day, '%b %Y')", columns), table).to_pylist()
    assert moved[:3] == [dt.date(2023, 2, 1), dt.date(2023, 2, 2), dt.date(2023, 2, 3)]
    assert moved[30] == dt.date(2023, 2, 28)
    assert moved[-1] is None and texts[-1] is None
    assert texts[:-1] == [d.strftime("%b %Y") for d in days[:-1] if d is not None]


def test_a_compiled_expression_pickles_as_its_text() -> None:
    compiled = compile_expression("x + 1", {"x": ColumnType.INTEGER})
    again = pickle.loads(pickle.dumps(compiled))
    assert again == compiled
    assert evaluate(again, pa.table({"x": [1]})).to_pylist() == [2]


def test_evaluation_from_many_threads_gives_the_same_values() -> None:
    columns = {"x": ColumnType.INTEGER}
    compiled = compile_expression(
        "CASE WHEN x % 3 = 0 THEN 'fizz' ELSE cast(x AS varchar) END", columns
    )
    tables = [pa.table({"x": pa.array(range(k, k + 5000))}) for k in range(8)]
    expected = [evaluate(compiled, t).to_pylist() for t in tables]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda t: evaluate(compiled, t).to_pylist(), tables * 4))
    assert results == expected * 4


def test_columns_made_so_far_are_read_by_name_in_dependency_order() -> None:
    columns = {"qty": ColumnType.INTEGER, "price": ColumnType.FLOAT}
    subtotal = compile_expression("qty * price", columns)
    total = compile_expression("round(subtotal * 1.2, 2)", {**columns, "subtotal": subtotal.type})
    made = {"qty": pa.array([2, None, 3]), "price": pa.array([1.25, 2.0, 0.1])}
    made["subtotal"] = evaluate(subtotal, made)
    assert evaluate(total, made).to_pylist() == [3.0, None, 0.36]
    assert evaluate(compile_expression("'x'", {}), {}, rows=2).to_pylist() == ["x", "x"]


def test_empty_and_chunked_tables() -> None:
    columns = {"day": ColumnType.DATE}
    compiled = compile_expression("strftime(day + INTERVAL 1 MONTH, '%Y-%m-%d')", columns)
    days = pa.array([dt.date(2024, 1, 31), None, dt.date(2023, 1, 31)])
    chunked = pa.Table.from_batches(
        [pa.record_batch({"day": days[:1]}), pa.record_batch({"day": days[1:]})]
    )
    assert evaluate(compiled, chunked).to_pylist() == ["2024-02-29", None, "2023-02-28"]
    empty = evaluate(compiled, chunked.slice(0, 0))
    assert (len(empty), empty.type) == (0, pa.string())
