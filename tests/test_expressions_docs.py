"""The examples of docs/expressions.md are true, and every function has one."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest

from pipeline.expressions import ColumnType, compile_expression, evaluate
from pipeline.expressions.rules import FUNCTIONS
from tests.conftest import ROOT

DOC = (ROOT / "docs" / "expressions.md").read_text()
# The example row the page describes.
COLUMNS = {
    "quantity": ColumnType.INTEGER,
    "unit_price": ColumnType.FLOAT,
    "discount": ColumnType.FLOAT,
    "name": ColumnType.STRING,
    "status": ColumnType.STRING,
    "note": ColumnType.STRING,
    "vip": ColumnType.BOOLEAN,
    "ordered": ColumnType.DATE,
    "seen": ColumnType.DATETIME,
    "address.city": ColumnType.STRING,
}
ROW = pa.table(
    {
        "quantity": [3],
        "unit_price": [19.99],
        "discount": [0.1],
        "name": ["Ada Lovelace"],
        "status": ["shipped"],
        "note": pa.array([None], pa.string()),
        "vip": [True],
        "ordered": [dt.date(2024, 1, 31)],
        "seen": pa.array([dt.datetime(2024, 3, 10, 14, 30, 15)], pa.timestamp("us", tz="UTC")),
        "address": [{"city": "Lyon"}],
    }
)
EXAMPLES = [
    (expression.replace("\\|", "|"), result)
    for expression, result in re.findall(r"(?m)^\| `(.+?)` \| `(.+?)` \|$", DOC)
]


def written(value: object) -> str:
    """A value as the page writes it: as a SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.strftime('%Y-%m-%d %H:%M:%S')}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return repr(value)


def test_the_page_has_its_examples() -> None:
    assert len(EXAMPLES) > 120


@pytest.mark.parametrize(("expression", "result"), EXAMPLES)
def test_each_example_gives_the_result_shown(expression: str, result: str) -> None:
    compiled = compile_expression(expression, COLUMNS)
    assert written(evaluate(compiled, ROW)[0].as_py()) == result


def test_every_function_has_an_example() -> None:
    shown = " ".join(expression.lower() for expression, _ in EXAMPLES)
    missing = [name for name in FUNCTIONS if f"{name}(" not in shown]
    assert missing == []
