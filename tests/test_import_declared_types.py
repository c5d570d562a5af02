"""Imported table schemas keep their declared types: the written parquet has the source's types."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.importers import convert_with_warnings
from pipeline.local import generate
from pipeline.schema import load_schema
from pipeline.schema import model as m
from tests.postgres import Postgres
from tests.test_import_sql_load import _load


def _column(name: str, typ: object, nullable: bool = True) -> dict[str, object]:
    return {"name": name, "type": typ, "nullable": nullable, "metadata": {}}


SPARK = {
    "type": "struct",
    "name": "Reading",
    "fields": [
        _column("level", "byte", False),
        _column("floor", "short"),
        _column("count", "integer"),
        _column("ratio", "float"),
        _column("amount", "decimal(38,18)"),
        _column("payload", "binary"),
        _column("seen_local", "timestamp_ntz"),
        _column("seen_at", "timestamp"),
        _column(
            "attrs",
            {"type": "map", "keyType": "string", "valueType": "long", "valueContainsNull": True},
        ),
    ],
}

SPARK_TYPES = {
    "level": pa.int8(),
    "floor": pa.int16(),
    "count": pa.int32(),
    "ratio": pa.float32(),
    "amount": pa.decimal128(38, 18),
    "payload": pa.binary(),
    "seen_local": pa.timestamp("us"),
    "seen_at": pa.timestamp("us", tz="UTC"),
    "attrs": pa.map_(pa.string(), pa.int64()),
}

ARROW = [
    {"name": "tiny", "type": "int8", "nullable": False},
    {"name": "small", "type": "int16", "nullable": True},
    {"name": "medium", "type": "int32", "nullable": True},
    {"name": "flags", "type": "uint8", "nullable": True},
    {"name": "wide_unsigned", "type": "uint32", "nullable": True},
    {"name": "ratio", "type": "float", "nullable": True},
    {"name": "total", "type": "decimal128(38, 18)", "nullable": True},
    {"name": "blob", "type": "binary", "nullable": True},
    {"name": "local", "type": "timestamp[us]", "nullable": True},
    {"name": "zoned", "type": "timestamp[us, tz=UTC]", "nullable": True},
    {"name": "scores", "type": "map<string, int32>", "nullable": True},
]

ARROW_TYPES = {
    "tiny": pa.int8(),
    "small": pa.int16(),
    "medium": pa.int32(),
    "flags": pa.uint8(),
    "wide_unsigned": pa.uint32(),
    "ratio": pa.float32(),
    "total": pa.decimal128(38, 18),
    "blob": pa.binary(),
    "local": pa.timestamp("us"),
    "zoned": pa.timestamp("us", tz="UTC"),
    "scores": pa.map_(pa.string(), pa.int32()),
}


def _written_types(doc: object, tmp_path: Path) -> tuple[dict[str, pa.DataType], list[object]]:
    yaml_text, warnings = convert_with_warnings(json.dumps(doc), "json_parquet")
    entity = yaml_text.split("entities:\n  ", 1)[1].split(":", 1)[0]
    out = tmp_path / "rows.parquet"
    generate(yaml_text, entity, 200, seed=5, format="parquet", out=str(out))
    table = pq.read_table(out)
    assert table.num_rows == 200
    return {f.name: f.type for f in table.schema}, list(warnings)


def test_spark_schema_is_written_with_its_declared_types(tmp_path: Path) -> None:
    types, warnings = _written_types(SPARK, tmp_path)
    assert types == SPARK_TYPES
    assert warnings == []


def test_arrow_field_list_is_written_with_its_declared_types(tmp_path: Path) -> None:
    types, warnings = _written_types(ARROW, tmp_path)
    assert types == ARROW_TYPES
    assert warnings == []


def test_a_decimal_wider_than_38_digits_becomes_a_float_with_a_warning() -> None:
    doc = [{"name": "big", "type": "STRING", "mode": "NULLABLE"},
           {"name": "huge", "type": "BIGNUMERIC", "mode": "REQUIRED"}]  # fmt: skip
    yaml_text, warnings = convert_with_warnings(json.dumps(doc), "json_parquet")
    assert "huge: {type: float, min: 0, max: 1000, decimals: 15" in yaml_text
    assert [w["message"] for w in warnings] == [
        "huge: decimal(76,38) is wider than 38 digits: a float with 15 decimals"
    ]


PAYROLL_DDL = """
CREATE TABLE staff (
  id SERIAL PRIMARY KEY,
  job_title VARCHAR(8) NOT NULL,
  salary NUMERIC(12,2) NOT NULL CHECK (salary >= 1000 AND salary <= 250000),
  bonus NUMERIC(12,2),
  grade SMALLINT NOT NULL,
  rating REAL,
  badge BYTEA,
  hired_at TIMESTAMP NOT NULL,
  seen_at TIMESTAMP WITH TIME ZONE
);
"""


def _imported(text: str, fmt: str) -> tuple[m.Schema, list[dict[str, object]]]:
    yaml_text, warnings = convert_with_warnings(text, fmt)  # type: ignore[arg-type]
    return load_schema(yaml_text), list(warnings)


def test_postgres_types_are_imported_as_declared_types() -> None:
    schema, warnings = _imported(PAYROLL_DDL, "sql")
    fields = schema.entities["staff"].fields
    assert fields["job_title"] == m.Mimesis(
        method="text.title", max_length=8, description="VARCHAR(8)"
    )
    assert fields["salary"] == m.Decimal(
        precision=12, scale=2, min="1000.00", max="250000.00", description="DECIMAL(12, 2)"
    )
    assert fields["grade"] == m.Integer(width=16, max=32767)
    assert fields["rating"] == m.Float(width=32, min=0, max=1000, null_rate=0.1)
    assert fields["badge"] == m.Binary(null_rate=0.1)
    assert fields["hired_at"] == m.Datetime(timezone=False)
    assert fields["seen_at"] == m.Datetime(null_rate=0.1)
    assert warnings == []


def test_postgres_types_load_into_postgresql_with_no_row_rejected(postgres: Postgres) -> None:
    loaded = _load(postgres, "payroll", PAYROLL_DDL, _imported(PAYROLL_DDL, "sql")[0])
    assert loaded == {"staff": 1000}
    longest = postgres.psql("payroll", "-At", "-c", "SELECT max(length(job_title)) FROM staff")
    assert int(longest.stdout) == 8  # cut to the declared length, not replaced by a pattern


def test_json_schema_max_length_cuts_the_name_picked_generator(tmp_path: Path) -> None:
    doc = {
        "title": "Place",
        "type": "object",
        "required": ["city", "created_at"],
        "properties": {
            "city": {"type": "string", "maxLength": 5},
            "created_at": {"type": "string", "maxLength": 4},
        },
    }
    yaml_text, _ = convert_with_warnings(json.dumps(doc), "json_schema")
    fields = load_schema(yaml_text).entities["Place"].fields
    assert fields["city"] == m.Mimesis(
        method="address.city", max_length=5, description="maxLength: 5"
    )
    assert fields["created_at"] == m.Pattern(pattern="????", description="maxLength: 4")
    out = tmp_path / "places.parquet"
    generate(yaml_text, "Place", 200, seed=5, format="parquet", out=str(out))
    cities = pq.read_table(out).column("city").to_pylist()
    assert max(len(c) for c in cities) == 5


def test_a_decimal_in_a_composite_key_is_a_float_rounded_to_its_scale() -> None:
    ddl = (
        "CREATE TABLE section (course_id VARCHAR(8), sec_id VARCHAR(8), "
        "year NUMERIC(4,0) CHECK (year > 1701 AND year < 2100), "
        "fee NUMERIC(6,2), PRIMARY KEY (course_id, sec_id, year));"
    )
    entity = _imported(ddl, "sql")[0].entities["section"]
    assert sorted(entity.unique[0]) == ["course_id", "sec_id", "year"]
    assert entity.fields["year"] == m.Float(
        min=1702,
        max=2099,
        decimals=0,
        description="DECIMAL(4, 0); part of PRIMARY KEY (course_id, sec_id, year)",
    )
    assert entity.fields["fee"] == m.Decimal(
        precision=6, scale=2, min="1.00", max="1000.00", null_rate=0.1, description="DECIMAL(6, 2)"
    )


def test_a_strict_check_on_a_decimal_keeps_its_bound_out() -> None:
    ddl = (
        "CREATE TABLE t (id INT PRIMARY KEY, "
        "price NUMERIC(6,2) NOT NULL CHECK (price > 0.5 AND price < 99.99), "
        "w NUMERIC(6,2) NOT NULL CHECK (w >= 0.25 AND w > 0.555));"
    )
    fields = _imported(ddl, "sql")[0].entities["t"].fields
    assert fields["price"] == m.Decimal(
        precision=6, scale=2, min="0.51", max="99.98", description="DECIMAL(6, 2)"
    )
    assert fields["w"] == m.Decimal(
        precision=6, scale=2, min="0.56", max="1000.00", description="DECIMAL(6, 2)"
    )


def test_a_float_for_a_decimal_of_more_than_15_decimals_stays_inside_its_type() -> None:
    # Wider than 38 digits: floats with 15 decimals, whose largest value is a step of those
    # below the type's bound (DECIMAL(40, 39) holds less than 10, DECIMAL(45, 45) less than 1).
    ddl = (
        "CREATE TABLE t (id INT PRIMARY KEY, x DECIMAL(40,39), y DECIMAL(45,45), "
        "g DECIMAL(45,45) GENERATED ALWAYS AS (y * 2) STORED);"
    )
    schema, _ = _imported(ddl, "sql")
    fields = schema.entities["t"].fields
    assert fields["x"] == m.Float(
        min=0, max=9.999999999999998, decimals=15, null_rate=0.1, description="DECIMAL(40, 39)"
    )
    # y * 2 must stay below 1: y at most 0.49, not 0.5.
    assert fields["y"] == m.Float(
        min=0,
        max=0.49,
        decimals=15,
        null_rate=0.1,
        description="DECIMAL(45, 45); at most 0.49 so that g fits its type",
    )
