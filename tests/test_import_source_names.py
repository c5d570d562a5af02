"""Names that are not identifiers in a SQL script or a table schema ("Order Date", `order-id`,
reserved words): every generated file carries the source's names, and keys still join."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.exporters import export
from pipeline.importers import convert_with_warnings
from pipeline.local import generate, generate_dataset
from pipeline.schema import load_schema
from pipeline.schema import model as m
from tests.test_import_declared_types import _column

# A PostgreSQL script as a client writes one with quoted names: spaces, dashes, reserved words,
# a composite key, a composite foreign key, a generated column and a check between two columns.
SHOP = """
CREATE TABLE "Store Regions" (
    "Region Code" CHAR(3) NOT NULL,
    "Store No" SMALLINT NOT NULL,
    "Opened On" DATE NOT NULL,
    PRIMARY KEY ("Region Code", "Store No")
);
CREATE TABLE "Customer Accounts" (
    "Account ID" INTEGER PRIMARY KEY,
    "Full Name" VARCHAR(40) NOT NULL,
    "e-mail" VARCHAR(80),
    "order" INTEGER NOT NULL CHECK ("order" BETWEEN 1 AND 50)
);
CREATE TABLE "order-lines" (
    "line-id" SERIAL PRIMARY KEY,
    "Account ID" INTEGER NOT NULL REFERENCES "Customer Accounts" ("Account ID"),
    "Region Code" CHAR(3) NOT NULL,
    "Store No" SMALLINT NOT NULL,
    "Order Date" DATE NOT NULL,
    "Ship Date" DATE,
    "select" NUMERIC(8,2) NOT NULL,
    "Line Total" NUMERIC(10,2) GENERATED ALWAYS AS ("select" * 2) STORED,
    "group" VARCHAR(10) CHECK ("group" IN ('retail', 'trade')),
    CONSTRAINT "line store" FOREIGN KEY ("Region Code", "Store No")
        REFERENCES "Store Regions" ("Region Code", "Store No"),
    CHECK ("Ship Date" >= "Order Date")
);
"""

SHOP_COLUMNS = {
    "Store_Regions": ["Region Code", "Store No", "Opened On"],
    "Customer_Accounts": ["Account ID", "Full Name", "e-mail", "order"],
    "order_lines": [
        "line-id", "Account ID", "Region Code", "Store No", "Order Date", "Ship Date", "select",
        "group", "Line Total",
    ],
}  # fmt: skip


def _written(yaml_text: str, folder: Path, fmt: str) -> dict[str, Any]:
    """Every entity generated in ``fmt`` (a tenth of its count, else 100 rows): its column
    names and its rows."""
    schema = load_schema(yaml_text)
    if all(e.count is not None for e in schema.entities.values()):
        generate_dataset(yaml_text, None, str(folder / fmt), scale=0.1, seed=4, format=fmt)
    else:
        for entity in schema.entities:
            path = str(folder / fmt / f"{entity}.{fmt}")
            generate(yaml_text, entity, 100, seed=4, format=fmt, out=path)
    out: dict[str, Any] = {}
    for entity in schema.entities:
        written = folder / fmt / f"{entity}.{fmt}"
        if fmt == "csv":
            with written.open(newline="") as f:
                header, *rows = list(csv.reader(f))
            out[entity] = (header, [dict(zip(header, r, strict=True)) for r in rows])
        elif fmt == "json":
            rows = json.loads(written.read_text())
            assert all(list(r) == list(rows[0]) for r in rows)
            out[entity] = (list(rows[0]), rows)
        else:
            table = pq.read_table(written)
            out[entity] = (table.column_names, table.to_pylist())
    return out


def test_sql_fields_keep_safe_names_and_write_the_scripts_names() -> None:
    text, warnings = convert_with_warnings(SHOP, "sql")
    assert warnings == []
    lines = text.splitlines()
    assert "  order_lines:" in lines and '    description: "source name: order-lines"' in lines
    assert "      line_id: {type: sequence, output_name: line-id}" in lines
    assert (
        '      Account_ID: {type: reference, entity: Customer_Accounts, output_name: "Account ID"}'
        in lines
    )
    fields = load_schema(text).entities["order_lines"].fields
    assert fields["Region_Code"] == m.Lookup(
        via="line_store",
        field="Region_Code",
        output_name="Region Code",
        description="CHAR(3); part of FOREIGN KEY (Region Code, Store No) REFERENCES Store Regions",
    )
    assert fields["select"].output_name is None  # an identifier already: no output_name
    exported = export(load_schema(text), "sql")
    # A sequence has no width in the language: the INTEGER key comes back as BIGINT.
    assert '  "Account ID" BIGINT NOT NULL PRIMARY KEY,' in exported.splitlines()
    assert '  "order" INTEGER NOT NULL CHECK ("order" BETWEEN 1 AND 50)' in exported.splitlines()
    # Only the tables keep their names in descriptions: the language has no entity output_name.
    assert text.count("source name: ") == 3


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_sql_files_carry_the_scripts_column_names_and_keys_join(tmp_path: Path, fmt: str) -> None:
    written = _written(convert_with_warnings(SHOP, "sql").text, tmp_path, fmt)
    assert {entity: names for entity, (names, _) in written.items()} == SHOP_COLUMNS
    accounts = {r["Account ID"] for r in written["Customer_Accounts"][1]}
    stores = {(r["Region Code"], r["Store No"]) for r in written["Store_Regions"][1]}
    lines = written["order_lines"][1]
    assert len(lines) == 100 and len(accounts) == 100 and len(stores) == 100
    assert {r["Account ID"] for r in lines} <= accounts
    assert {(r["Region Code"], r["Store No"]) for r in lines} <= stores
    assert len({(r["Region Code"], r["Store No"]) for r in lines}) > 1


def test_sql_rows_load_into_the_scripts_own_tables_by_their_names(tmp_path: Path) -> None:
    """SQLite runs the script; each table takes the generated json rows under the names they
    carry, with foreign keys and checks on, parents first."""
    schema = convert_with_warnings(SHOP, "sql").text
    written = _written(schema, tmp_path, "json")
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys = ON")
    db.executescript(SHOP)
    tables = {
        "Store_Regions": "Store Regions",
        "Customer_Accounts": "Customer Accounts",
        "order_lines": "order-lines",
    }
    for entity, table in tables.items():
        names = [n for n in written[entity][0] if n != "Line Total"]  # the database computes it
        columns = ", ".join(f'"{n}"' for n in names)
        marks = ", ".join("?" for _ in names)
        db.executemany(
            f'INSERT INTO "{table}" ({columns}) VALUES ({marks})',
            [[r[n] for n in names] for r in written[entity][1]],
        )
    joined = db.execute(
        'SELECT count(*) FROM "order-lines" l JOIN "Store Regions" s '
        'USING ("Region Code", "Store No") JOIN "Customer Accounts" USING ("Account ID")'
    ).fetchone()
    assert joined == (100,)
    computed = db.execute('SELECT "select" * 2 = "Line Total" FROM "order-lines"').fetchall()
    assert computed == [(1,)] * 100


@pytest.mark.parametrize(
    ("script", "table"),
    [
        (
            "CREATE TABLE `order-items` (\n"
            "  `order-id` INT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
            "  `unit price` DECIMAL(8,2) NOT NULL,\n  `key` VARCHAR(20) NOT NULL\n) ENGINE=InnoDB;",
            "order_items",
        ),
        (
            "CREATE TABLE [order items] (\n  [order-id] INT IDENTITY(1,1) PRIMARY KEY,\n"
            "  [unit price] DECIMAL(8,2) NOT NULL,\n  [key] NVARCHAR(20) NOT NULL\n);\nGO\n",
            "order_items",
        ),
    ],
    ids=["mysql", "tsql"],
)
def test_backquoted_and_bracketed_names_are_written_as_is(
    tmp_path: Path, script: str, table: str
) -> None:
    text, _ = convert_with_warnings(script, "sql")
    written = _written(text, tmp_path, "csv")
    assert written[table][0] == ["order-id", "unit price", "key"]


# An Arrow field list as a data platform exports one: names with dashes and spaces, a reserved
# word, and a struct whose members have such names too.
EVENTS = [
    _column("event-id", "int64", False),
    _column("Event Time", "timestamp[us, tz=UTC]", False),
    _column("user name", "string"),
    _column("select", "int16"),
    _column("geo info", "struct<lat-deg: double, lng deg: double>"),
    _column("tags", "list<item: string>"),
]


def test_table_schema_fields_write_the_schemas_names(tmp_path: Path) -> None:
    text, warnings = convert_with_warnings(json.dumps(EVENTS), "json_parquet")
    assert warnings == []
    lines = text.splitlines()
    assert "      event_id: {type: integer, output_name: event-id}" in lines
    names = ["event-id", "Event Time", "user name", "select", "geo info", "tags"]
    parquet = _written(text, tmp_path, "parquet")["Record"]
    assert parquet[0] == names
    schema = pq.read_schema(tmp_path / "parquet" / "Record.parquet")
    assert schema.field("geo info").type == pa.struct(
        [pa.field("lat-deg", pa.float64()), pa.field("lng deg", pa.float64())]
    )
    assert schema.field("select").type == pa.int16()
    json_rows = _written(text, tmp_path, "json")["Record"][1]
    assert list(json_rows[0]) == names
    assert {tuple(r["geo info"]) for r in json_rows if r["geo info"]} == {("lat-deg", "lng deg")}
    assert _written(text, tmp_path, "csv")["Record"][0] == names


def test_a_spark_schema_keeps_its_names_and_a_repeated_name_stays_described() -> None:
    spark = {
        "type": "struct",
        "fields": [
            _column("sensor-id", "long", False),
            _column("read at", "timestamp"),
            _column("read at", "integer"),
        ],
    }
    fields = (
        load_schema(convert_with_warnings(json.dumps(spark), "json_parquet").text)
        .entities["Record"]
        .fields
    )
    assert [(n, f.output_name) for n, f in fields.items()] == [
        ("sensor_id", "sensor-id"),
        ("read_at", "read at"),
        ("read_at_2", None),
    ]
    assert fields["read_at_2"].description == "source name: read at"
