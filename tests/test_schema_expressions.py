"""Expressions, `when:` and `cases` in a schema, end to end: the values written in json, ndjson,
csv and parquet equal the same computation done in Python on the other columns of the same
rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.exporters import export
from pipeline.local import generate
from pipeline.schema import SchemaError, load_schema
from tests.test_expressions_functions import add_months, half_up

SCHEMA = """\
version: 1
seed: 7
entities:
  Order:
    fields:
      id: {type: sequence}
      c: {type: expression, expr: "b * 2"}
      b: {type: expression, expr: "a + quantity"}
      a: {type: expression, expr: "quantity * 10"}
      quantity: {type: integer, min: 1, max: 10}
      unit_price: {type: float, min: 1, max: 100, decimals: 2}
      discount: {type: choice, values: [0, 0.1, 0.25]}
      first: person.first_name
      last: person.last_name
      status: {type: choice, values: [pending, shipped, delivered]}
      note: {type: choice, values: [gift, rush], null_rate: 0.3}
      ordered: {type: date, start: 2024-01-01, end: 2024-12-31}
      seen: {type: datetime, start: 2024-01-01T00:00:00Z, end: 2024-12-31T00:00:00Z}
      address:
        type: object
        fields:
          city: address.city
          zip: {type: pattern, pattern: "#####"}
      total: {type: expression, expr: "round(quantity * unit_price * (1 - discount), 2)"}
      ratio: {type: expression, expr: "quantity / 4"}
      rest: {type: expression, expr: "quantity % 3 - 1"}
      name: {type: expression, expr: "first || ' ' || last"}
      shout: {type: expression, expr: "upper(substr(last, 1, 3)) || lpad(cast(quantity AS varchar), 3, '0')"}
      tidy: {type: expression, expr: "replace(trim('  ' || status || '  '), 'e', 'E')"}
      letters: {type: expression, expr: "length(first) + length(lower(last))"}
      tag: {type: expression, expr: "concat(note, '-', status)"}
      due: {type: expression, expr: "ordered + INTERVAL 30 DAY"}
      next_month: {type: expression, expr: "ordered + INTERVAL 1 MONTH"}
      later: {type: expression, expr: "seen + quantity * INTERVAL 1 HOUR"}
      month: {type: expression, expr: "strftime(ordered, '%Y-%m')"}
      first_day: {type: expression, expr: "date_trunc('month', ordered)"}
      days: {type: expression, expr: "date_diff('day', ordered, DATE '2025-01-01')"}
      dow: {type: expression, expr: "extract(dow FROM ordered)"}
      hour: {type: expression, expr: "extract(hour FROM seen)"}
      size: {type: expression, expr: "CASE WHEN quantity > 5 THEN 'bulk' WHEN quantity > 1 THEN 'some' ELSE 'one' END"}
      whole: {type: expression, expr: "cast(unit_price AS integer)"}
      day: {type: expression, expr: "cast(seen AS date)"}
      city: {type: expression, expr: "lower(address.city) || '/' || address.zip"}
      shipped: {type: expression, expr: "status IN ('shipped', 'delivered') AND quantity BETWEEN 2 AND 8"}
      noted: {type: expression, expr: "coalesce(note, 'none') || cast(note IS NULL AS varchar)"}
      bounded: {type: expression, expr: "least(greatest(quantity, 3), 7) + coalesce(nullif(quantity, 5), 0)"}
      rounded: {type: expression, expr: "floor(unit_price) + ceil(unit_price) + abs(0 - quantity)"}
      big: {type: integer, min: 1, max: 99, when: "quantity > 5"}
      pricey: {type: expression, expr: "unit_price * 2", when: "status <> 'pending'"}
      label:
        type: cases
        cases:
          - {when: "quantity > 7", then: {type: constant, value: large}}
          - {when: "quantity > 3", then: {type: choice, values: [mid, medium]}}
          - {when: "quantity > 5", then: {type: constant, value: never}}
        else: {type: pattern, pattern: "S#"}
      points:
        type: cases
        cases:
          - {when: "status = 'shipped'", then: {type: integer, min: 1, max: 5}}
          - {when: "note IS NOT NULL", then: {type: float, min: 10, max: 20}}
"""  # noqa: E501

Row = dict[str, Any]
EPOCH = dt.date(2025, 1, 1)


def _sunday_first(day: dt.date) -> int:
    return day.isoweekday() % 7


EXPECTED: dict[str, Callable[[Row], Any]] = {
    "a": lambda r: r["quantity"] * 10,
    "b": lambda r: r["quantity"] * 11,
    "c": lambda r: r["quantity"] * 22,
    "total": lambda r: half_up(r["quantity"] * r["unit_price"] * (1 - r["discount"]), 2),
    "ratio": lambda r: r["quantity"] / 4,
    "rest": lambda r: r["quantity"] % 3 - 1,
    "name": lambda r: f"{r['first']} {r['last']}",
    "shout": lambda r: r["last"][:3].upper() + str(r["quantity"]).rjust(3, "0"),
    "tidy": lambda r: r["status"].replace("e", "E"),
    "letters": lambda r: len(r["first"]) + len(r["last"]),
    "tag": lambda r: f"{r['note'] or ''}-{r['status']}",
    "due": lambda r: r["ordered"] + dt.timedelta(days=30),
    "next_month": lambda r: add_months(r["ordered"], 1),
    "later": lambda r: r["seen"] + dt.timedelta(hours=r["quantity"]),
    "month": lambda r: r["ordered"].strftime("%Y-%m"),
    "first_day": lambda r: r["ordered"].replace(day=1),
    "days": lambda r: (EPOCH - r["ordered"]).days,
    "dow": lambda r: _sunday_first(r["ordered"]),
    "hour": lambda r: r["seen"].hour,
    "size": lambda r: "bulk" if r["quantity"] > 5 else "some" if r["quantity"] > 1 else "one",
    "whole": lambda r: int(half_up(r["unit_price"], 0)),
    "day": lambda r: r["seen"].date(),
    "city": lambda r: f"{r['address']['city'].lower()}/{r['address']['zip']}",
    "shipped": lambda r: r["status"] in ("shipped", "delivered") and 2 <= r["quantity"] <= 8,
    "noted": lambda r: (r["note"] or "none") + ("true" if r["note"] is None else "false"),
    "bounded": lambda r: (
        min(max(r["quantity"], 3), 7) + (0 if r["quantity"] == 5 else r["quantity"])
    ),
    "rounded": lambda r: (
        float(int(r["unit_price"]) + -int(-r["unit_price"] // 1)) + r["quantity"]
    ),
}  # fmt: skip

TYPES = {
    "a": pa.int64(), "total": pa.float64(), "ratio": pa.float64(), "name": pa.string(),
    "due": pa.date32(), "later": pa.timestamp("us", tz="UTC"), "dow": pa.int64(),
    "shipped": pa.bool_(), "first_day": pa.date32(), "day": pa.date32(), "whole": pa.int64(),
    "big": pa.int64(), "pricey": pa.float64(), "label": pa.string(), "points": pa.float64(),
}  # fmt: skip

# Enough rows for columns of few distinct values (quantity, ordered) to be computed per value.
COUNT = 2000


def _write(tmp_path: Path, text: str, fmt: str, count: int = COUNT, **options: Any) -> Path:
    out = tmp_path / f"{abs(hash(text))}-{options.get('shard_rows', 0)}.{fmt}"
    written = generate(
        text, next(iter(load_schema(text).entities)), count, format=fmt, out=str(out), **options
    )
    assert written["rows"] == count
    return out


def _typed(text: str | None, kind: pa.DataType) -> Any:
    """A value written as text (json's dates, every csv cell) read back as its column's type."""
    if text is None or text == "":
        return None
    if pa.types.is_date(kind):
        return dt.date.fromisoformat(text)
    if pa.types.is_timestamp(kind):
        return dt.datetime.fromisoformat(text)
    if isinstance(text, str) and pa.types.is_integer(kind):
        return int(text)
    if isinstance(text, str) and pa.types.is_floating(kind):
        return float(text)
    if isinstance(text, str) and pa.types.is_boolean(kind):
        return text == "true"
    if isinstance(text, str) and pa.types.is_struct(kind):
        return json.loads(text)
    return text


def read_rows(path: Path, schema: pa.Schema) -> list[Row]:
    """The rows of any format, each value of its column's type."""
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    if path.suffix == ".json":
        records = json.loads(path.read_text())
    elif path.suffix == ".ndjson":
        records = [json.loads(line) for line in path.read_text().splitlines()]
    else:
        records = list(csv.DictReader(io.StringIO(path.read_text())))
    return [{f.name: _typed(r[f.name], f.type) for f in schema} for r in records]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Row]]:
    folder = tmp_path_factory.mktemp("expressions")
    parquet = _write(folder, SCHEMA, "parquet")
    schema = pq.read_schema(parquet)
    formats = ("json", "ndjson", "csv")
    return {fmt: read_rows(_write(folder, SCHEMA, fmt), schema) for fmt in formats} | {
        "parquet": read_rows(parquet, schema)
    }


def test_expression_columns_are_typed_in_parquet(tmp_path: Path) -> None:
    schema = pq.read_schema(_write(tmp_path, SCHEMA, "parquet"))
    assert {name: schema.field(name).type for name in TYPES} == TYPES


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "parquet"])
@pytest.mark.parametrize("name", list(EXPECTED))
def test_an_expression_equals_python_on_the_same_row(
    outputs: dict[str, list[Row]], fmt: str, name: str
) -> None:
    rows = outputs[fmt]
    assert len(rows) == COUNT
    assert [r[name] for r in rows] == [EXPECTED[name](r) for r in rows]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "parquet"])
def test_when_is_null_exactly_where_the_condition_is_not_true(
    outputs: dict[str, list[Row]], fmt: str
) -> None:
    rows = outputs[fmt]
    assert [r["big"] is None for r in rows] == [r["quantity"] <= 5 for r in rows]
    assert all(1 <= r["big"] <= 99 for r in rows if r["big"] is not None)
    assert [r["pricey"] for r in rows] == [
        None if r["status"] == "pending" else r["unit_price"] * 2 for r in rows
    ]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "parquet"])
def test_cases_takes_the_first_branch_that_holds(outputs: dict[str, list[Row]], fmt: str) -> None:
    rows = outputs[fmt]
    for r in rows:
        if r["quantity"] > 7:
            assert r["label"] == "large"
        elif r["quantity"] > 3:
            assert r["label"] in ("mid", "medium")
        else:
            assert len(r["label"]) == 2 and r["label"][0] == "S"
        if r["status"] == "shipped":
            assert r["points"] in (1.0, 2.0, 3.0, 4.0, 5.0)
        elif r["note"] is not None:
            assert 10 <= r["points"] <= 20
        else:
            assert r["points"] is None
    # Both choices of the middle branch and more than one pattern come out: real branches.
    assert {r["label"] for r in rows if 3 < r["quantity"] <= 7} == {"mid", "medium"}
    assert len({r["label"] for r in rows if r["quantity"] <= 3}) > 3


PLAIN = """\
version: 1
seed: 3
entities:
  Order:
    fields:
      id: {type: sequence}
      quantity: {type: integer, min: 1, max: 10}
      status: {type: choice, values: [pending, shipped]}
      when_at: {type: datetime, null_rate: 0.2}
      name: person.first_name
      code: {type: pattern, pattern: "??-###", unique: true}
"""
ADDED = {
    "twice": '{type: expression, expr: "quantity * 2"}',
    "gated": "{type: float, when: \"status = 'shipped'\"}",
    "pick": (
        '{type: cases, cases: [{when: "quantity > 5", then: {type: integer}}],'
        " else: {type: constant, value: 0}}"
    ),
}


def _with_added(text: str) -> str:
    lines = text.splitlines(keepends=True)
    # Before, between and after the existing fields, so order of declaration is exercised.
    lines.insert(6, f"      twice: {ADDED['twice']}\n")
    lines.insert(8, f"      gated: {ADDED['gated']}\n")
    lines.append(f"      pick: {ADDED['pick']}\n")
    return "".join(lines)


def _columns(path: Path, drop: set[str]) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(path.read_text())))
    keep = [i for i, name in enumerate(rows[0]) if name not in drop]
    return [[row[i] for i in keep] for row in rows]


def test_adding_expressions_when_and_cases_changes_no_other_column(tmp_path: Path) -> None:
    before = _write(tmp_path, PLAIN, "csv")
    after = _write(tmp_path, _with_added(PLAIN), "csv")
    header = after.read_text().splitlines()[0]
    assert header == "id,twice,quantity,gated,status,when_at,name,code,pick"
    assert _columns(after, set(ADDED)) == _columns(before, set())
    gated = PLAIN.replace(
        "name: person.first_name", 'name: {type: person.first_name, when: "quantity > 3"}'
    )
    changed = _write(tmp_path, gated, "csv")
    assert _columns(changed, {"name"}) == _columns(before, {"name"})


def test_one_and_five_shards_give_the_same_rows(tmp_path: Path) -> None:
    one = _write(tmp_path, SCHEMA, "csv", count=320)
    five = _write(tmp_path, SCHEMA, "csv", count=320, shard_rows=64, workers=2)
    assert generate(SCHEMA, "Order", 320, format="csv", out=str(five), shard_rows=64)["shards"] == 5
    assert one.read_bytes() == five.read_bytes()
    table = pq.read_table(_write(tmp_path, SCHEMA, "parquet", count=320))
    sharded = pq.read_table(_write(tmp_path, SCHEMA, "parquet", count=320, shard_rows=64))
    assert table.equals(sharded)


def _problems(text: str) -> list[dict[str, Any]]:
    with pytest.raises(SchemaError) as info:
        load_schema(text)
    return info.value.problems


def test_circles_through_templates_are_refused_naming_the_fields() -> None:
    text = """\
entities:
  A:
    fields:
      e: {type: expression, expr: "t || 'y'"}
      t: {type: template, template: "x{u}"}
      u: {type: template, template: "{e}"}
      w: {type: integer, when: "length(v) > 1"}
      v: {type: template, template: "{w}"}
"""
    assert _problems(text) == [
        {
            "path": "entities.A.fields.e",
            "line": 4,
            "message": "these fields read each other (through templates), so none can be "
            "computed first: e -> t -> u -> e",
        },
        {
            "path": "entities.A.fields.w",
            "line": 7,
            "message": "these fields read each other (through templates), so none can be "
            "computed first: w -> v -> w",
        },
    ]


def test_a_referenced_key_with_when_is_refused() -> None:
    text = """\
entities:
  A:
    count: 5
    fields:
      id: {type: sequence, when: "flag"}
      flag: boolean
  B:
    fields:
      a: {type: reference, entity: A}
"""
    assert _problems(text) == [
        {
            "path": "entities.B.fields.a.field",
            "line": 9,
            "message": "A.id has a `when:`; a referenced field must never be null",
        }
    ]


def test_expressions_read_hidden_fields(tmp_path: Path) -> None:
    text = """\
version: 1
seed: 2
entities:
  A:
    fields:
      price: {type: float, min: 1, max: 9, decimals: 2, hidden: true}
      qty: {type: integer, min: 1, max: 5, hidden: true}
      total: {type: expression, expr: "price * qty"}
"""
    shown = text.replace(", hidden: true", "")
    hidden_rows = json.loads(_write(tmp_path, text, "json", count=50).read_text())
    rows = json.loads(_write(tmp_path, shown, "json", count=50).read_text())
    assert list(hidden_rows[0]) == ["total"]
    assert [r["total"] for r in hidden_rows] == [r["price"] * r["qty"] for r in rows]


def test_exports_type_computed_columns_and_keep_them_nullable() -> None:
    text = """\
entities:
  A:
    fields:
      qty: {type: integer, min: 1, max: 9}
      total: {type: expression, expr: "qty * 1.5"}
      day: {type: date, when: "qty > 2"}
      size: {type: cases, cases: [{when: "qty > 5", then: {type: constant, value: L}}]}
"""
    schema = load_schema(text)
    sql = export(schema, "sql")
    assert '"total" DOUBLE PRECISION,  -- expression qty * 1.5' in sql
    assert '"day" DATE,  -- null unless qty > 2' in sql
    assert '"size" TEXT  -- cases: qty > 5' in sql
    doc = json.loads(export(schema, "json_schema"))["$defs"]["A"]
    assert doc["properties"]["total"] == {
        "type": ["number", "null"],
        "$comment": "expression qty * 1.5",
    }
    assert doc["properties"]["day"] == {"type": ["string", "null"], "format": "date"}
    assert doc["properties"]["size"] == {"type": ["string", "null"]}
    assert doc["required"] == ["qty"]


@pytest.mark.parametrize(
    ("field", "path", "message"),
    [
        ("f: {type: expression, expr: 5}", "f.expr", "Expected `str`, got `int` (got 5)"),
        ("f: {type: expression}", "f", "type expression needs option 'expr'"),
        ("f: {type: expression, expr: ''}", "f.expr", "the expression is empty"),
        (
            "f: {type: expression, expr: 'n; DROP TABLE x'}",
            "f.expr",
            "write one expression, not several separated by ';'",
        ),
        (
            "f: {type: cases, cases: x}",
            "f.cases",
            "`cases` must be a non-empty list of {when: ..., then: ...}",
        ),
        (
            "f: {type: cases, cases: [{when: 'n > 1', then: integer, x: 1}]}",
            "f.cases[0].x",
            "unknown option 'x' for a case (options: then, when)",
        ),
        (
            "f: {type: cases, cases: [{when: 'n > 1', then: {type: object, fields: {x: uuid}}}]}",
            "f.cases[0].then.type",
            "a branch of cases gives one value: an object is not allowed here",
        ),
        (
            "f: {type: expression, expr: 'n', unique: true}",
            "f.unique",
            "unique is not allowed on type expression",
        ),
    ],
)
def test_a_bad_computed_field_is_refused_with_its_path(field: str, path: str, message: str) -> None:
    found = _problems(f"entities:\n  A:\n    fields:\n      n: integer\n      {field}\n")
    assert [(p["path"], p["line"]) for p in found] == [(f"entities.A.fields.{path}", 5)]
    assert found[0]["message"] == message
