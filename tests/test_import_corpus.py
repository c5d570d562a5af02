"""Importers on the corpus: golden YAML, validation, and generated rows that obey the source."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import pathlib
import sqlite3
from typing import Any

import pytest

from pipeline.importers import convert
from pipeline.schema import load_schema
from pipeline.schema import model as m

CORPUS = pathlib.Path(__file__).parent / "corpus"
GOLDEN = CORPUS / "golden"
CASES = [
    *(("sql", p) for p in sorted((CORPUS / "sql").glob("*.sql"))),
    *(("json_schema", p) for p in sorted((CORPUS / "json_schema").glob("*.json"))),
    *(("json_parquet", p) for p in sorted((CORPUS / "json_parquet").glob("*.json"))),
]


@pytest.mark.parametrize(("fmt", "path"), CASES, ids=[p.name for _, p in CASES])
def test_import_matches_golden_and_validates(fmt: str, path: pathlib.Path) -> None:
    out = convert(path.read_text(), fmt)  # type: ignore[arg-type]
    golden = GOLDEN / f"{path.stem}.yaml"
    if os.environ.get("DRAFTA_UPDATE_GOLDEN"):
        golden.write_text(out)
    assert out == golden.read_text()
    load_schema(out)


def _shop(name: str) -> m.Schema:
    return load_schema((GOLDEN / f"{name}.yaml").read_text())


@pytest.mark.parametrize("name", ["shop_postgres", "shop_mysql", "shop_sqlite", "shop_ansi"])
def test_shop_ddl_keeps_keys_constraints_and_nullability(name: str) -> None:
    schema = _shop(name)
    assert list(schema.entities) == ["customers", "products", "orders", "order_items"]
    customers = schema.entities["customers"].fields
    assert isinstance(customers["id"], m.Sequence)
    email = customers["email"]
    assert isinstance(email, m.Template) and email.unique
    assert email.template == "{first_name|lower}.{last_name|lower}@example.com"
    assert customers["first_name"] == m.Mimesis(
        method="person.first_name",
        max_length=None if name == "shop_sqlite" else 50,  # sqlite's TEXT has no length
        description=customers["first_name"].description,
    )
    assert customers["city"].null_rate == 0.1
    assert customers["country"].null_rate == 0.0
    orders = schema.entities["orders"].fields
    assert orders["customer_id"] == m.Reference(entity="customers")
    assert orders["status"].values == ["pending", "paid", "shipped", "cancelled"]  # type: ignore[union-attr]
    items = schema.entities["order_items"].fields
    # The composite key is unique together: orders and products repeat, pairs do not.
    assert schema.entities["order_items"].unique == [["order_id", "product_id"]]
    assert items["order_id"] == m.Reference(
        entity="orders", description="part of PRIMARY KEY (order_id, product_id)"
    )
    quantity = items["quantity"]
    assert isinstance(quantity, m.Integer) and (quantity.min, quantity.max) == (1, 20)
    products = schema.entities["products"].fields
    assert products["category"].values == ["books", "games", "music"]  # type: ignore[union-attr]
    assert products["sku"].unique
    price = products["price"]
    if name == "shop_sqlite":  # REAL there
        assert isinstance(price, m.Float) and price.min == 0
    else:
        assert isinstance(price, m.Decimal) and (price.scale, price.min) == (2, "0.00")


def test_postgres_specifics() -> None:
    schema = _shop("shop_postgres")
    products = schema.entities["products"].fields
    assert isinstance(products["id"], m.Uuid)
    assert products["price"] == m.Decimal(
        precision=10, scale=2, min="0.00", max="1000.00", description="DECIMAL(10, 2)"
    )
    assert products["stock"] == m.Integer(min=0, max=10000, width=32)
    assert products["sku"] == m.Pattern(pattern="********", unique=True, description="CHAR(8)")
    assert schema.entities["order_items"].fields["product_id"] == m.Reference(
        entity="products", description="part of PRIMARY KEY (order_id, product_id)"
    )


def test_json_schema_specifics() -> None:
    schema = load_schema((GOLDEN / "shop_2020_12.yaml").read_text())
    assert list(schema.entities) == ["Order", "Customer", "Address"]
    order = schema.entities["Order"].fields
    assert order["id"] == m.Uuid()
    # Optional, but not nullable: left out of some rows, never null.
    assert order["reference"] == m.Pattern(pattern="ORD-######", absent_rate=0.2)
    assert order["status"] == m.Choice(values=["pending", "paid", "shipped", "cancelled"])
    customer = order["customer"]
    assert isinstance(customer, m.Object)
    assert isinstance(customer.fields["address"], m.Object)
    lines = order["lines"]
    assert isinstance(lines, m.Array) and (lines.min_items, lines.max_items) == (1, 5)
    assert isinstance(lines.of, m.Object)
    assert lines.of.fields["unit_price"] == m.Float(min=0, max=500, decimals=2)
    assert lines.of.fields["sku"] == m.Pattern(pattern="???-####")
    assert order["coupon"] == m.Pattern(
        pattern="??????", null_rate=0.1, description="minLength: 6; maxLength: 6"
    )
    server = load_schema((GOLDEN / "server_draft07.yaml").read_text()).entities["Server"]
    assert server.fields["load"] == m.Float(min=0, max=0.999999, absent_rate=0.2)
    assert server.fields["ipv6"] == m.Mimesis(method="internet.ip_v6", absent_rate=0.2)


def test_parquet_specifics() -> None:
    spark = load_schema((GOLDEN / "events_spark.yaml").read_text()).entities["Record"]
    assert spark.fields["amount"] == m.Decimal(precision=10, scale=2, min="1.00", max="1000.00")
    attributes = spark.fields["attributes"]
    assert isinstance(attributes, m.Map) and isinstance(attributes.values, m.Integer)
    assert attributes.values.width == 32
    assert spark.fields["level"] == m.Integer(max=32767, width=16)
    arrow = load_schema((GOLDEN / "metrics_arrow_integration.yaml").read_text())
    assert list(arrow.entities) == ["HostMetric"]
    assert arrow.entities["HostMetric"].fields["cores"] == m.Integer(
        max=255, width=8, unsigned=True
    )
    plain = load_schema((GOLDEN / "users_arrow_list.yaml").read_text()).entities["Record"]
    assert plain.fields["age"] == m.Integer(min=18, max=90, width=8, null_rate=0.1)
    assert plain.fields["signed_up_at"] == m.Datetime()


@pytest.mark.parametrize(
    ("fmt", "text", "line", "fragment"),
    [
        ("sql", "CREATE TABLE t (\n  a INT,\n  b VARCHAR(10 NOT NULL\n)", 3, "line 3, column"),
        ("sql", "SELECT 1;", 1, "no CREATE TABLE statement found"),
        ("json_schema", '{\n  "type": "object",\n  "properties": {,}\n}', 3, "line 3, column"),
        ("json_schema", '{"type": "object"}', None, "no object with properties"),
        (
            "json_parquet",
            '[{"name": "a", "type": "list<item: strin>"}]',
            None,
            "unknown Arrow type 'strin'",
        ),
        (
            "json_parquet",
            '{"type": "struct", "fields": [{"name": "a", "type": "lng"}]}',
            None,
            "unknown Spark type 'lng'",
        ),
        ("json_parquet", "[1,\n2 x]", 2, "line 2, column 3"),
    ],
)
def test_unreadable_input_says_where(fmt: str, text: str, line: int | None, fragment: str) -> None:
    from pipeline.schema import SchemaError

    with pytest.raises(SchemaError) as info:
        convert(text, fmt)  # type: ignore[arg-type]
    problem = info.value.problems[0]
    assert problem["line"] == line
    assert fragment in problem["message"]


def test_bad_parquet_location_has_a_path() -> None:
    from pipeline.schema import SchemaError

    text = '{"type": "struct", "fields": [{"name": "a", "type": "long"}, {"name": "b"}]}'
    with pytest.raises(SchemaError) as info:
        convert(text, "json_parquet")
    assert info.value.problems[0]["path"] == ".fields[1]"


# --- generated rows obey the source -------------------------------------------------------

engine = pytest.importorskip("pipeline.engine")
ROWS = 200
SEED = 7


def _rows(schema: m.Schema, entity: str, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for batch in engine.generate_batches(schema, entity, 0, count, seed=SEED, providers={}):
        out.extend(batch.to_pylist())
    return out


def _sql_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):  # sqlite3 binds no Decimal; NUMERIC reads the text
        return str(value)
    return value


@pytest.mark.parametrize("name", ["shop_sqlite", "shop_postgres", "shop_ansi"])
def test_generated_shop_rows_load_into_the_source_ddl(name: str) -> None:
    """SQLite enforces the DDL's NOT NULL, CHECK, UNIQUE, PRIMARY KEY and FOREIGN KEY."""
    schema = _shop(name)
    ddl = (CORPUS / "sql" / f"{name}.sql").read_text()
    if name == "shop_postgres":
        ddl = ddl.split("\n", 2)[2].replace("order_status", "TEXT").replace("now()", "0")
    db = sqlite3.connect(":memory:")
    db.executescript(ddl)
    db.execute("PRAGMA foreign_keys = ON")
    for entity_name, entity in schema.entities.items():
        # Parents are loaded whole so every reference finds its row.
        count = ROWS if entity_name == "order_items" else (entity.count or ROWS)
        assert isinstance(count, int)  # imported schemas have no per-parent counts
        rows = _rows(schema, entity_name, count)
        cols = list(entity.fields)
        marks = ", ".join("?" * len(cols))
        db.executemany(
            f"INSERT INTO {entity_name} ({', '.join(cols)}) VALUES ({marks})",
            [[_sql_value(r[c]) for c in cols] for r in rows],
        )
        assert db.execute(f"SELECT count(*) FROM {entity_name}").fetchone() == (count,)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


def _check(spec: m.Field, values: list[Any], path: str) -> None:
    present = [v for v in values if v is not None]
    if spec.null_rate == 0 and spec.absent_rate is None:
        assert len(present) == len(values), path
    if spec.unique:
        assert len(set(present)) == len(present), path
    if isinstance(spec, m.Integer | m.Float):
        assert all(spec.min <= v <= spec.max for v in present), path
    if isinstance(spec, m.Float) and spec.decimals is not None:
        assert all(round(v, spec.decimals) == v for v in present), path
    if isinstance(spec, m.Choice):
        assert set(present) <= set(spec.values), path
    if isinstance(spec, m.Pattern):
        assert all(len(v) == len(spec.pattern.replace("\\", "")) for v in present), path
    if isinstance(spec, m.Array):
        assert all(spec.min_items <= len(v) <= spec.max_items for v in present), path
        _check(spec.of, [x for v in present for x in v], f"{path}[]")
    if isinstance(spec, m.Object):
        for name, sub in spec.fields.items():
            _check(sub, [v[name] for v in present], f"{path}.{name}")


@pytest.mark.parametrize(
    "name",
    [
        "shop_2020_12",
        "server_draft07",
        "events_spark",
        "users_arrow_list",
        "metrics_arrow_integration",
        "shop_mysql",
    ],
)
def test_generated_rows_obey_imported_constraints(name: str) -> None:
    schema = load_schema((GOLDEN / f"{name}.yaml").read_text())
    for entity_name, entity in schema.entities.items():
        rows = _rows(schema, entity_name, ROWS)
        assert len(rows) == ROWS
        for field_name, spec in entity.fields.items():
            _check(spec, [r[field_name] for r in rows], f"{entity_name}.{field_name}")
