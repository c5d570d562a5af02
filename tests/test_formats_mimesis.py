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
from pipeline.schema.mimesis_methods import (
    LOCALES,
    REFERENCE_YEAR,
    list_methods,
    pinned_defaults,
)
from pipeline.schema.model import Entity, Mimesis, Schema
from pipeline.schema.parse import SchemaError, parse_schema

# Values relative to the current time cannot be reproduced from a seed. A JWT's issue time
# and a future date change only once a second or a day, so two calls side by side rarely differ.
CLOCK_DEPENDENT = {
    "cryptographic.jwt",
    "datetime.future_date",
    "datetime.future_datetime",
    "datetime.past_datetime",
}


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
        assert name not in list_methods()
        text = f"entities:\n  M:\n    fields:\n      v: {name}\n"
        with pytest.raises(SchemaError, match="could not be repeated") as refused:
            parse_schema(text)
        assert refused.value.problems[0]["path"] == "entities.M.fields.v.type"
        assert refused.value.problems[0]["line"] == 4
        # The engine refuses them too, should a schema reach it without validation.
        built = Schema(entities={"M": Entity(fields={"v": Mimesis(method=name)})})
        with pytest.raises(EngineError, match="cannot be pooled"):
            list(generate_batches(built, "M", 0, 5, seed=1, providers={}))


def test_defaults_bound_to_the_current_year_are_pinned() -> None:
    assert pinned_defaults("datetime.year") == {"maximum": REFERENCE_YEAR}
    shown = {arg.name: arg.default for arg in list_methods()["datetime.year"].args}
    assert shown == {"minimum": 1990, "maximum": REFERENCE_YEAR}
    schema = parse_schema(
        "entities:\n  M:\n    fields:\n      y: datetime.year\n"
        "      z: {type: datetime.year, args: {minimum: 2040, maximum: 2041}}\n"
    )
    (batch,) = generate_batches(schema, "M", 0, 2000, seed=1, providers={})
    years = batch.column(0).to_pylist()
    assert min(years) == 1990 and max(years) == REFERENCE_YEAR
    assert set(batch.column(1).to_pylist()) == {2040, 2041}  # the user's arguments win


LOCALE_METHODS = ["person.first_name", "person.last_name", "address.city", "text.word"]


def test_every_locale_generates_realistic_values() -> None:
    fields = "".join(f"      f{i}: {m}\n" for i, m in enumerate(LOCALE_METHODS))
    seen: dict[str, list[str]] = {}
    for locale in LOCALES:
        schema = parse_schema(f'locale: "{locale}"\nentities:\n  M:\n    fields:\n{fields}')
        (batch,) = generate_batches(schema, "M", 0, 50, seed=1, providers={})
        columns = [batch.column(i).to_pylist() for i in range(len(LOCALE_METHODS))]
        assert all(isinstance(v, str) and v for column in columns for v in column), locale
        # Names and cities vary in every locale (some locales have a single sample word).
        assert all(len(set(column)) > 5 for column in columns[:3]), locale
        seen[locale] = columns[0]
    # Each locale draws its own names: German names are not English ones.
    assert set(seen["de"]) != set(seen["en"])
    assert len(seen) == len(LOCALES) > 40


def test_unquoted_no_is_explained() -> None:
    with pytest.raises(SchemaError, match="quote the text") as refused:
        parse_schema("locale: no\nentities:\n  M:\n    fields:\n      n: person.name\n")
    assert refused.value.problems[0]["path"] == "locale"
