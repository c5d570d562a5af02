"""Declared types round-trip: each is written to parquet as exactly its Arrow type with values in
range, rendered exactly in csv and json, and loads into PostgreSQL columns of the same types."""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import re
from decimal import Decimal
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.exporters import export
from pipeline.local import generate
from pipeline.plan import DEFAULT_SHARD_ROWS
from pipeline.schema import load_schema
from tests.datasets import problems_of
from tests.postgres import Postgres, binaries, throwaway

SCHEMA = """
version: 1
entities:
  Item:
    count: 400
    fields:
      id: {type: sequence}
      price: {type: decimal, precision: 12, scale: 2, min: "-5.25", max: "99999.99"}
      cents: {type: decimal, precision: 4, scale: 2, min: "0.10", max: "0.30"}
      wide: {type: decimal, precision: 38, scale: 6}
      level: {type: integer, width: 16, min: -300, max: 300}
      flags: {type: integer, width: 8, unsigned: true, max: 255}
      count32: {type: integer, width: 32, min: -5, max: 2000000000}
      ratio: {type: float, width: 32, min: 0, max: 1}
      digest: {type: binary, min_length: 1, max_length: 6}
      local: {type: datetime, timezone: false, start: 2020-01-01T00:00:00, end: 2020-12-31T00:00:00}
      name: {type: person.full_name, max_length: 6}
"""

TYPES = {
    "id": pa.int64(),
    "price": pa.decimal128(12, 2),
    "cents": pa.decimal128(4, 2),
    "wide": pa.decimal128(38, 6),
    "level": pa.int16(),
    "flags": pa.uint8(),
    "count32": pa.int32(),
    "ratio": pa.float32(),
    "digest": pa.binary(),
    "local": pa.timestamp("us"),
    "name": pa.string(),
}


def _write(tmp_path: Path, fmt: str, shard_rows: int = DEFAULT_SHARD_ROWS) -> Path:
    out = tmp_path / f"items-{shard_rows}.{fmt}"
    generate(SCHEMA, "Item", 400, seed=3, format=fmt, out=str(out), shard_rows=shard_rows)
    return out


def test_parquet_columns_have_the_declared_types_and_values_in_range(tmp_path: Path) -> None:
    table = pq.read_table(_write(tmp_path, "parquet"))
    assert {f.name: f.type for f in table.schema} == TYPES
    rows = table.to_pylist()
    assert len(rows) == 400
    assert all(Decimal("-5.25") <= r["price"] <= Decimal("99999.99") for r in rows)
    assert {r["cents"] for r in rows} == {Decimal(f"0.{n}") for n in range(10, 31)}
    assert all(abs(r["wide"]) < Decimal(10) ** 32 for r in rows)
    assert max(abs(r["wide"]) for r in rows) > Decimal(10) ** 30  # the full 38 digits are used
    assert all(-300 <= r["level"] <= 300 for r in rows)
    assert all(0 <= r["flags"] <= 255 for r in rows)
    assert all(0 <= r["ratio"] <= 1 for r in rows)
    assert {len(r["digest"]) for r in rows} == {1, 2, 3, 4, 5, 6}
    start, end = dt.datetime(2020, 1, 1), dt.datetime(2020, 12, 31)
    assert all(r["local"].tzinfo is None and start <= r["local"] <= end for r in rows)
    assert max(len(r["name"]) for r in rows) == 6


def test_csv_and_json_hold_the_exact_values_parquet_holds(tmp_path: Path) -> None:
    rows = pq.read_table(_write(tmp_path, "parquet")).to_pylist()
    lines = _write(tmp_path, "csv").read_text().splitlines()
    assert lines[0] == "id,price,cents,wide,level,flags,count32,ratio,digest,local,name"
    cells = [line.split(",") for line in lines[1:]]
    assert [c[1] for c in cells] == [str(r["price"]) for r in rows]
    assert [c[3] for c in cells] == [str(r["wide"]) for r in rows]
    assert all(re.fullmatch(r"0\.[123]\d", c[2]) for c in cells)
    assert [c[8] for c in cells] == ["\\x" + r["digest"].hex() for r in rows]
    assert [c[9] for c in cells] == [r["local"].isoformat(timespec="microseconds") for r in rows]
    text = _write(tmp_path, "json").read_text()
    parsed = json.loads(text, parse_float=Decimal)
    assert [p["price"] for p in parsed] == [r["price"] for r in rows]
    assert [p["wide"] for p in parsed] == [r["wide"] for r in rows]
    assert [p["local"] for p in parsed] == [
        r["local"].isoformat(timespec="microseconds") for r in rows
    ]
    assert [base64.b64decode(p["digest"]) for p in parsed] == [r["digest"] for r in rows]


def test_csv_bytes_do_not_depend_on_shards(tmp_path: Path) -> None:
    one = _write(tmp_path, "csv", shard_rows=1_048_576).read_bytes()
    five = _write(tmp_path, "csv", shard_rows=80).read_bytes()
    assert one == five


def test_max_length_cuts_every_mimesis_method_value(tmp_path: Path) -> None:
    schema = """
version: 1
entities:
  P:
    count: 300
    fields:
      email: {type: person.email, max_length: 10}
      city: {type: address.city, max_length: 3}
      text: {type: text.sentence, max_length: 12, null_rate: 0.2}
      label: {type: template, template: "{city}-{email}", max_length: 5}
"""
    out = tmp_path / "p.json"
    generate(schema, "P", 300, seed=1, format="json", out=str(out))
    rows = json.loads(out.read_text())
    assert max(len(r["email"]) for r in rows) == 10
    assert max(len(r["city"]) for r in rows) == 3
    assert max(len(r["text"]) for r in rows if r["text"] is not None) == 12
    assert sum(r["text"] is None for r in rows) > 0
    assert max(len(r["label"]) for r in rows) == 5


WIDTH_PROBLEMS = [
    (
        "f: {type: integer, width: 8}",
        "entities.A.fields.f.max",
        "max (1000000) is outside int8's range [-128, 127]",
    ),
    (
        "f: {type: integer, width: 16, unsigned: true, min: -1, max: 5}",
        "entities.A.fields.f.min",
        "min (-1) is outside uint16's range [0, 65535]",
    ),
    (
        'f: {type: decimal, precision: 5, scale: 2, max: "1000"}',
        "entities.A.fields.f.max",
        "max does not fit NUMERIC(5,2) (at most 999.99 in absolute value)",
    ),
    (
        "f: {type: decimal, precision: 40}",
        "entities.A.fields.f.precision",
        "precision must be between 1 and 38",
    ),
    (
        "f: {type: integer, max_length: 4}",
        "entities.A.fields.f.max_length",
        "max_length applies to text and binary, not to integer",
    ),
    (
        "f: {type: binary, min_length: 8, max_length: 4}",
        "entities.A.fields.f.max_length",
        "max_length (4) is less than min_length (8)",
    ),
]


@pytest.mark.parametrize(("field", "path", "message"), WIDTH_PROBLEMS)
def test_widths_outside_their_type_are_refused_naming_the_field(
    field: str, path: str, message: str
) -> None:
    schema = f"version: 1\nentities:\n  A:\n    count: 1\n    fields:\n      {field}\n"
    assert problems_of(schema) == [{"path": path, "line": 6, "message": message}]


DDL = """
CREATE TABLE item (
  id BIGINT PRIMARY KEY,
  price NUMERIC(12,2) NOT NULL,
  cents NUMERIC(4,2) NOT NULL,
  wide NUMERIC(38,6) NOT NULL,
  level SMALLINT NOT NULL,
  flags SMALLINT NOT NULL,
  count32 INTEGER NOT NULL,
  ratio REAL NOT NULL,
  digest BYTEA NOT NULL,
  local TIMESTAMP WITHOUT TIME ZONE NOT NULL,
  name VARCHAR(6) NOT NULL
);
"""


@pytest.mark.skipif(binaries() is None, reason="PostgreSQL is not installed (make test does)")
def test_rows_load_into_postgresql_columns_of_the_declared_types(tmp_path: Path) -> None:
    with throwaway() as postgres:
        _load_and_compare(postgres, tmp_path)


def _load_and_compare(postgres: Postgres, tmp_path: Path) -> None:
    rows = pq.read_table(_write(tmp_path, "parquet")).to_pylist()
    postgres.create_database("typed")
    assert postgres.psql("typed", stdin=DDL).returncode == 0
    copy = "\\copy item FROM STDIN WITH (FORMAT csv, HEADER true)"
    done = postgres.psql("typed", "-c", copy, stdin=_write(tmp_path, "csv").read_text())
    assert done.returncode == 0, done.stderr
    query = (
        "SELECT count(*), sum(price), sum(wide), sum(length(digest)), min(local)::text FROM item"
    )
    counted = postgres.psql("typed", "-At", "-F", "|", "-c", query).stdout.strip().split("|")
    assert counted[0] == "400"
    assert Decimal(counted[1]) == sum(r["price"] for r in rows)
    with decimal.localcontext() as exact:
        exact.prec = 60  # the sum of 400 values of 38 digits, without rounding
        assert Decimal(counted[2]) == sum(r["wide"] for r in rows)
    assert int(counted[3]) == sum(len(r["digest"]) for r in rows)
    assert counted[4] == str(min(r["local"] for r in rows))
    hex_query = "SELECT encode(digest, 'hex') FROM item WHERE id = 1"
    first = postgres.psql("typed", "-At", "-c", hex_query)
    assert first.stdout.strip() == rows[0]["digest"].hex()


MAPS = """
version: 1
entities:
  M:
    count: 300
    fields:
      scores: {type: map, keys: {type: choice, values: [math, art, music]},
               values: {type: integer, width: 16, max: 100}, min_items: 1, max_items: 5}
      seen: {type: map, keys: {type: integer, min: 1, max: 3},
             values: {type: datetime, timezone: false}}
"""


def test_a_map_is_a_parquet_map_with_distinct_keys_and_a_json_object(tmp_path: Path) -> None:
    written = {}
    for fmt in ("parquet", "json", "csv"):
        written[fmt] = tmp_path / f"m.{fmt}"
        generate(MAPS, "M", 300, seed=2, format=fmt, out=str(written[fmt]))
    table = pq.read_table(written["parquet"])
    assert table.schema.field("scores").type == pa.map_(pa.string(), pa.int16())
    assert table.schema.field("seen").type == pa.map_(pa.int64(), pa.timestamp("us"))
    maps = [dict(m) for m in table.column("scores").to_pylist()]
    assert all(1 <= len(m) <= 3 and set(m) <= {"math", "art", "music"} for m in maps)
    assert any(len(m) == 3 for m in maps)
    assert all(0 <= v <= 100 for m in maps for v in m.values())
    parsed = json.loads(written["json"].read_text())
    assert [p["scores"] for p in parsed] == maps
    assert [p["seen"] for p in parsed] == [
        {str(k): v.isoformat(timespec="microseconds") for k, v in m}
        for m in table.column("seen").to_pylist()
    ]
    csv_lines = written["csv"].read_text().splitlines()
    assert csv_lines[1].startswith(
        '"' + json.dumps(maps[0], separators=(",", ":")).replace('"', '""')
    )


def test_map_entries_are_refused_unique_and_need_keys_and_values() -> None:
    head = "version: 1\nentities:\n  A:\n    count: 1\n    fields:\n      f: "
    assert problems_of(head + "{type: map, keys: {type: integer}}\n") == [
        {
            "path": "entities.A.fields.f",
            "line": 6,
            "message": "type map needs option 'values' (the spec of its values)",
        }
    ]
    assert problems_of(
        head + "{type: map, keys: {type: integer, unique: true}, values: uuid}\n"
    ) == [
        {
            "path": "entities.A.fields.f.keys.unique",
            "line": 6,
            "message": "unique is not allowed inside an array",
        }
    ]


def test_the_exported_json_schema_accepts_every_generated_row(tmp_path: Path) -> None:
    for text, entity in ((SCHEMA, "Item"), (MAPS, "M")):
        document = json.loads(export(load_schema(text), "json_schema"))
        validator = jsonschema.Draft202012Validator(document)
        part = validator.evolve(schema={**document, "$ref": f"#/$defs/{entity}"})
        out = tmp_path / f"{entity}.json"
        generate(text, entity, 300, seed=4, format="json", out=str(out))
        rows = json.loads(out.read_text())
        assert [list(part.iter_errors(row)) for row in rows] == [[]] * 300
    item = json.loads(export(load_schema(SCHEMA), "json_schema"))["$defs"]["Item"]
    assert item["properties"]["digest"] == {"type": "string", "contentEncoding": "base64"}
    assert item["properties"]["name"]["maxLength"] == 6
