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
