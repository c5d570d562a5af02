"""The writers that take dictionaries (json, ndjson, csv, parquet) write the same bytes (parquet:
the same table) from dictionary-encoded batches as from plain ones: pools, providers with a null,
expressions computed per combination of few values (repeated values, nulls, a `when`), keys that
may be absent."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.engine import arrow_schema, generate_batches
from pipeline.schema.parse import parse_schema
from storage.formats import DICTIONARY_FORMATS
from storage.formats.csv import write_csv
from storage.formats.json import write_json
from storage.formats.ndjson import write_ndjson
from storage.formats.parquet import write_parquet

SCHEMA = """
seed: 11
entities:
  Person:
    fields:
      first: person.first_name
      tier:  {type: choice, values: [free, pro, "a,b", "say \\"hi\\""], weights: [5, 3, 1, 1]}
      seg:   {type: provider, name: seg, absent_rate: 0.3}
      age:   {type: integer, min: 18, max: 90}
      band:
        type: expression
        expr: "CASE WHEN age < 30 THEN 'young' WHEN age < 60 THEN NULL ELSE tier END"
      label: {type: expression, expr: "upper(tier) || '-' || tier", when: "age > 40"}
"""
PROVIDERS = {"seg": ["retail", None, "gov", "retail"]}
ROWS = 70_000  # more than one block


def batches(encoded: bool) -> list[pa.RecordBatch]:
    schema = parse_schema(SCHEMA)
    made = generate_batches(
        schema, "Person", 0, ROWS, seed=11, providers=PROVIDERS, encoded=encoded
    )
    return list(made)


def written(fmt: str, encoded: bool) -> bytes:
    schema = parse_schema(SCHEMA)
    columns = arrow_schema(schema, "Person", seed=11, providers=PROVIDERS)
    out = io.BytesIO()
    if fmt == "json":
        write_json(batches(encoded), out)
    elif fmt == "ndjson":
        write_ndjson(batches(encoded), out)
    elif fmt == "csv":
        write_csv(batches(encoded), out, schema=columns, with_header=True)
    else:
        write_parquet(batches(encoded), out, schema=columns)
    return out.getvalue()


def test_expressions_over_few_values_come_as_dictionaries_when_encoded() -> None:
    first = batches(True)[0]
    assert pa.types.is_dictionary(first.schema.field("band").type)
    assert pa.types.is_dictionary(first.schema.field("label").type)
    # The nulls are values of the dictionary, not null indices.
    assert first.column("band").cast(pa.string()).null_count > 0
    plain = batches(False)[0]
    assert plain.schema.field("band").type == pa.string()
    assert first.column("band").cast(pa.string()).equals(plain.column("band"))


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv"])
def test_text_bytes_are_the_same_from_dictionaries(fmt: str) -> None:
    assert fmt in DICTIONARY_FORMATS
    plain = written(fmt, False)
    assert written(fmt, True) == plain
    assert b'"a,b"' in plain


def test_parquet_table_is_the_same_from_dictionaries() -> None:
    encoded = pq.read_table(io.BytesIO(written("parquet", True)))
    plain = pq.read_table(io.BytesIO(written("parquet", False)))
    assert encoded.schema == plain.schema
    assert encoded.to_pylist() == plain.to_pylist()
    assert encoded.num_rows == ROWS
