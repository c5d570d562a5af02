"""Every pooled mimesis method generates rows in every format."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.engine import EngineError, generate_batches
from pipeline.local import generate
from pipeline.schema.mimesis_methods import list_methods
from pipeline.schema.parse import parse_schema

# Values relative to the current time cannot be reproduced from a seed.
CLOCK_DEPENDENT = {"datetime.future_datetime", "datetime.past_datetime"}


def every_method_schema() -> tuple[str, list[str]]:
    names = sorted(set(list_methods()) - CLOCK_DEPENDENT)
    fields = {f"f{i}": name for i, name in enumerate(names)}
    return yaml.safe_dump({"seed": 3, "entities": {"M": {"fields": fields}}}), names


@pytest.mark.parametrize("fmt", ["parquet", "json", "csv"])
def test_every_mimesis_method_in_every_format(tmp_path: Path, fmt: str) -> None:
    text, names = every_method_schema()
    assert len(names) > 150
    out = tmp_path / f"m.{fmt}"
    result = generate(text, "M", 20, format=fmt, out=str(out))
    assert result["rows"] == 20
    if fmt == "parquet":
        table = pq.read_table(out)
        assert table.num_columns == len(names) and table.num_rows == 20
    elif fmt == "json":
        rows = json.loads(out.read_text())
        assert len(rows) == 20 and len(rows[0]) == len(names)
    else:
        with out.open(newline="") as handle:
            records = list(csv.reader(handle))
        assert len(records) == 21 and all(len(r) == len(names) for r in records)


def test_clock_dependent_methods_are_refused_clearly() -> None:
    for name in sorted(CLOCK_DEPENDENT):
        schema = parse_schema(f"entities:\n  M:\n    fields:\n      v: {name}\n")
        with pytest.raises(EngineError, match="cannot be pooled"):
            list(generate_batches(schema, "M", 0, 5, seed=1, providers={}))
