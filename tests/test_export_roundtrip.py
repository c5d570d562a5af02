"""Exporters: JSON Schema and SQL output, and round trips back through the importers."""

from __future__ import annotations

import json
import pathlib
import sqlite3

import sqlglot

from pipeline.exporters import export
from pipeline.importers import convert
from pipeline.schema import load_schema
from pipeline.schema import model as m

CORPUS = pathlib.Path(__file__).parent / "corpus"
SCHEMA = load_schema((CORPUS / "examples" / "contract_shape.yaml").read_text())


def test_sql_export_runs_in_sqlite_and_parses_in_every_dialect() -> None:
    sql = export(SCHEMA, "sql")
    db = sqlite3.connect(":memory:")
    db.executescript(sql)
    assert [
        r[0]
        for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
    ] == [
        "Customer",
        "Order",
    ]
    for dialect in ("postgres", "mysql", "sqlite"):
        assert len(sqlglot.parse(sql, read=dialect)) == 2
    assert '"customer_id" BIGINT NOT NULL REFERENCES "Customer" ("id")' in sql
    assert """"tier" VARCHAR(10) NOT NULL CHECK ("tier" IN ('free', 'pro', 'enterprise'))""" in sql


def test_sql_round_trip_keeps_keys_references_choices_and_nulls() -> None:
    back = load_schema(convert(export(SCHEMA, "sql"), "sql"))
    customer = back.entities["Customer"].fields
    assert isinstance(customer["id"], m.Sequence)
    assert customer["tier"] == m.Choice(
        values=["free", "pro", "enterprise"], description="VARCHAR(10)"
    )
    assert customer["age"] == m.Integer(min=18, max=90)
    # A float with decimals is written DECIMAL(p, s), which comes back as an exact decimal.
    assert customer["balance"] == m.Decimal(
        precision=7, scale=2, min="0.00", max="10000.00", null_rate=0.1, description="DECIMAL(7, 2)"
    )
    assert customer["code"].unique
    order = back.entities["Order"].fields
    assert isinstance(order["id"], m.Uuid)
    assert order["customer_id"] == m.Reference(entity="Customer")
    assert list(back.entities["Customer"].fields) == list(SCHEMA.entities["Customer"].fields)


def test_json_schema_export_is_draft_2020_12() -> None:
    doc = json.loads(export(SCHEMA, "json_schema"))
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    customer = doc["$defs"]["Customer"]
    assert customer["properties"]["code"] == {
        "type": "string",
        "pattern": "^CUS\\-[0-9]{4}\\-[A-Z]{2}$",
    }
    assert customer["properties"]["balance"]["type"] == ["number", "null"]
    assert "balance" not in customer["required"]
    assert customer["properties"]["tags"] == {
        "type": "array",
        "items": {"enum": ["a", "b", "c"]},
        "minItems": 0,
        "maxItems": 3,
    }
    assert doc["$defs"]["Order"]["properties"]["customer_id"] == {
        "type": "integer",
        "minimum": 1,
        "description": "references Customer.id",
    }


def test_json_schema_round_trip_keeps_names_types_and_constraints() -> None:
    back = load_schema(convert(export(SCHEMA, "json_schema"), "json_schema"))
    customer = back.entities["Customer"].fields
    assert list(customer) == list(SCHEMA.entities["Customer"].fields)
    assert customer["code"] == m.Pattern(pattern="CUS-####-??")
    assert customer["tier"] == m.Choice(values=["free", "pro", "enterprise"])
    assert customer["balance"] == m.Float(min=0, max=10000, decimals=2, null_rate=0.1)
    assert customer["joined_at"] == m.Datetime()
    address = customer["address"]
    assert isinstance(address, m.Object) and list(address.fields) == ["city", "zip"]
    assert back.entities["Order"].fields["id"] == m.Uuid()


def test_imported_shop_exports_again() -> None:
    schema = load_schema(convert((CORPUS / "sql" / "shop_mysql.sql").read_text(), "sql"))
    sql = export(schema, "sql")
    sqlite3.connect(":memory:").executescript(sql)
    again = load_schema(convert(sql, "sql"))
    assert list(again.entities) == list(schema.entities)
    assert again.entities["orders"].fields["customer_id"] == m.Reference(entity="customers")
