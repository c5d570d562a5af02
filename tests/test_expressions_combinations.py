"""An expression over few-valued columns is computed once per combination of their values and
spread to the rows: the rows must hold exactly what evaluating them row by row gives."""

from __future__ import annotations

import pyarrow as pa

from pipeline.engine import generate_batches
from pipeline.schema import load_schema

SCHEMA = """\
entities:
  P:
    count: 10
    fields:
      tier: {type: choice, values: [free, pro, enterprise], weights: [80, 15, 5]}
      age: {type: integer, min: 18, max: 90}
      signup: {type: date, start: 2015-01-01, end: 2025-12-31}
      renewal:
        type: expression
        expr: "signup + INTERVAL 1 YEAR"
        when: "tier IN ('pro', 'enterprise') AND age >= 21"
      band: {type: expression, expr: "tier || '-' || CAST(age // 10 AS VARCHAR)"}
"""


def test_combinations_give_the_row_by_row_values() -> None:
    schema = load_schema(SCHEMA)
    batches = list(generate_batches(schema, "P", 0, 70_000, seed=3, providers={}))
    rows = pa.Table.from_batches(batches).to_pylist()
    assert len(rows) == 70_000
    for row in rows:
        holds = row["tier"] in ("pro", "enterprise") and row["age"] >= 21
        signup = row["signup"]
        leap_day = (signup.month, signup.day) == (2, 29)  # a year on: the month's last day
        later = signup.replace(year=signup.year + 1, day=28 if leap_day else signup.day)
        assert row["renewal"] == (later if holds else None)
        assert row["band"] == f"{row['tier']}-{row['age'] // 10}"


JOINS = """\
entities:
  P:
    count: 10
    fields:
      first: person.first_name
      last: person.last_name
      nick: {type: person.first_name, null_rate: 0.3}
      signup: {type: date, start: 2015-01-01, end: 2025-12-31}
      score: {type: integer, min: 0, max: 1000, distribution: {kind: normal, mean: 500, stddev: 60}}
      full: {type: expression, expr: "first || ' ' || last"}
      titled: {type: expression, expr: "'Dr. ' || first || ' ' || last || '!'"}
      glued: {type: expression, expr: "concat(last, first)"}
      called: {type: expression, expr: "first || ' ' || nick"}
      month: {type: expression, expr: "strftime(signup, '%Y-%m')"}
      grade: {type: expression, expr: "score * 2 + 1"}
"""


def test_joins_of_pooled_fields_and_spread_texts_give_the_row_by_row_values() -> None:
    # Two blocks and part of a third: the values kept from one block serve the next ones only
    # while the columns' values are the same (the score's range differs from block to block).
    batches = list(generate_batches(load_schema(JOINS), "P", 0, 140_000, seed=5, providers={}))
    rows = pa.Table.from_batches(batches).to_pylist()
    assert len(rows) == 140_000
    assert len({row["score"] for row in rows}) > 300
    for row in rows:
        first, last, nick = row["first"], row["last"], row["nick"]
        assert row["full"] == f"{first} {last}"
        assert row["titled"] == f"Dr. {first} {last}!"
        assert row["glued"] == last + first
        assert row["called"] == (None if nick is None else f"{first} {nick}")
        assert row["month"] == row["signup"].strftime("%Y-%m")
        assert row["grade"] == row["score"] * 2 + 1
