"""``when:`` conditions: the value is null exactly where the condition is not true."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest

from pipeline.expressions import compile_expression, evaluate, evaluate_condition, null_unless
from tests.expression_rows import COLUMNS, make_rows, make_table

ROWS = make_rows(seed=11)
TABLE = make_table(ROWS)

CONDITIONS: dict[str, Callable[[dict[str, Any]], bool | None]] = {
    "b": lambda r: r["b"],
    "i > 3": lambda r: None if r["i"] is None else r["i"] > 3,
    "s IN ('apple', 'Bob') AND NOT c": lambda r: (
        False
        if r["s"] is not None and r["s"] not in ("apple", "Bob")
        else False
        if r["c"] is True
        else None
        if r["s"] is None or r["c"] is None
        else True
    ),
    "d BETWEEN DATE '2000-01-01' AND DATE '2020-12-31' OR f IS NULL": lambda r: (
        True
        if r["f"] is None
        else None
        if r["d"] is None
        else "2000-01-01" <= r["d"].isoformat() <= "2020-12-31"
    ),
    "NULL": lambda r: None,
}


@pytest.mark.parametrize("text", list(CONDITIONS))
def test_a_condition_is_a_mask_where_null_counts_as_false(text: str) -> None:
    compiled = compile_expression(text, COLUMNS, kind="condition")
    mask = evaluate_condition(compiled, TABLE)
    assert mask.type == pa.bool_()
    assert mask.null_count == 0
    assert mask.to_pylist() == [CONDITIONS[text](row) is True for row in ROWS]


@pytest.mark.parametrize("text", list(CONDITIONS))
def test_when_gives_null_exactly_where_the_condition_is_false(text: str) -> None:
    condition = compile_expression(text, COLUMNS, kind="condition")
    value = compile_expression("coalesce(t, 'none') || '!'", COLUMNS)
    result = null_unless(evaluate(value, TABLE), evaluate_condition(condition, TABLE))
    expected = [
        f"{'none' if row['t'] is None else row['t']}!" if CONDITIONS[text](row) is True else None
        for row in ROWS
    ]
    assert result.to_pylist() == expected
