"""A generator picked from a column's name never leaves the declared type's bounds: its range is
narrowed to the type's, and where nothing is left (or its text cannot fit the declared length)
the field is what the type alone gives, with a warning naming the column."""

from __future__ import annotations

import json
from typing import Any

from pipeline.importers import convert_with_warnings
from pipeline.schema import load_schema
from pipeline.schema import model as m

DROPPED = ": generated from the declared type alone"


def _parquet(name: str, typ: str) -> tuple[Any, list[str]]:
    text = json.dumps([{"name": name, "type": typ, "nullable": False}])
    out = convert_with_warnings(text, "json_parquet")
    fields = load_schema(out.text).entities["Record"].fields
    return fields[name], [w["message"] for w in out.warnings]


def _sql(ddl: str) -> tuple[dict[str, Any], list[str]]:
    out = convert_with_warnings(ddl, "sql", "mysql")
    fields = load_schema(out.text).entities["t"].fields
    return fields, [w["message"] for w in out.warnings]


def _json_schema(properties: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    doc = {"title": "Row", "type": "object", "properties": properties, "required": [*properties]}
    out = convert_with_warnings(json.dumps(doc), "json_schema")
    return load_schema(out.text).entities["Row"].fields, [w["message"] for w in out.warnings]


def test_a_parquet_decimal_narrower_than_the_name_rule_imports_as_the_type_alone() -> None:
    field, warnings = _parquet("amount", "decimal(45,45)")
    assert field == m.Float(min=0, max=0.999999999999999, decimals=15, description="decimal(45,45)")
    assert warnings == [
        "amount: decimal(45,45) is wider than 38 digits: a float with 15 decimals",
        "amount: the range 1..1000 picked from the name is outside the declared "
        f"-0.999999999999999..0.999999999999999{DROPPED}",
    ]


def test_a_parquet_decimal_whose_scale_is_its_precision_drops_the_price_rule() -> None:
    field, warnings = _parquet("price", "decimal128(3, 3)")
    assert field == m.Decimal(precision=3, scale=3, min="0.000", max="0.999")
    assert warnings == [
        "price: the range 1..1000 picked from the name is outside the declared -0.999..0.999"
        + DROPPED
    ]


def test_a_parquet_decimal_keeps_the_part_of_the_rule_it_holds() -> None:
    field, warnings = _parquet("weight", "decimal128(3, 3)")
    assert field == m.Decimal(precision=3, scale=3, min="0.100", max="0.999")
    assert warnings == []
    field, _ = _parquet("salary", "int16")
    assert field == m.Integer(width=16, min=20000, max=32767)


def test_a_parquet_integer_too_narrow_for_the_rule_gets_its_own_range() -> None:
    field, warnings = _parquet("year", "int8")
    assert field == m.Integer(width=8, max=127)
    assert warnings == [
        "year: the range 1950..2030 picked from the name is outside the declared -128..127"
        + DROPPED
    ]


def test_sql_decimals_and_integers_narrower_than_the_rule() -> None:
    fields, warnings = _sql(
        "CREATE TABLE t (amount DECIMAL(3,3) NOT NULL, price NUMERIC(2,0) NOT NULL, "
        "salary NUMERIC(4,0) NOT NULL, quantity TINYINT UNSIGNED NOT NULL, "
        "age SMALLINT NOT NULL CHECK (age >= 100), year TINYINT NOT NULL);"
    )
    assert fields["amount"] == m.Decimal(
        precision=3, scale=3, min="0.000", max="0.999", description="DECIMAL(3, 3)"
    )
    assert fields["price"] == m.Decimal(
        precision=2, scale=0, min="1", max="99", description="DECIMAL(2, 0)"
    )
    assert fields["salary"] == m.Decimal(
        precision=4, scale=0, min="0", max="1000", description="DECIMAL(4, 0)"
    )
    assert fields["quantity"] == m.Integer(width=8, unsigned=True, min=1, max=10)
    assert fields["age"] == m.Integer(width=16, min=100, max=32767)
    assert fields["year"] == m.Integer(width=8, max=127)
    assert warnings == [
        f"t.amount: the range 1..1000 picked from the name is outside the declared -0.999..0.999"
        f"{DROPPED}",
        "t.salary: the range 20000..200000 picked from the name is outside the declared "
        f"-9999..9999{DROPPED}",
        f"t.age: the range 18..90 picked from the name is outside the declared 100..32767{DROPPED}",
        f"t.year: the range 1950..2030 picked from the name is outside the declared -128..127"
        f"{DROPPED}",
    ]


def test_a_sql_check_narrows_the_rule_on_its_open_side_and_a_stated_range_is_kept() -> None:
    fields, warnings = _sql(
        "CREATE TABLE t (age SMALLINT NOT NULL CHECK (age >= 30), "
        "quantity INT NOT NULL CHECK (quantity BETWEEN 5 AND 6), "
        "total DECIMAL(8,2) NOT NULL CHECK (total BETWEEN 2000 AND 3000));"
    )
    assert fields["age"] == m.Integer(width=16, min=30, max=90)
    assert fields["quantity"] == m.Integer(width=32, min=5, max=6)
    assert fields["total"] == m.Decimal(
        precision=8, scale=2, min="2000.00", max="3000.00", description="DECIMAL(8, 2)"
    )
    assert warnings == []


def test_sql_text_too_short_for_the_named_generator_is_what_the_type_gives() -> None:
    fields, warnings = _sql(
        "CREATE TABLE t (email VARCHAR(2) NOT NULL, name VARCHAR(2) NOT NULL, "
        "city VARCHAR(5) NOT NULL);"
    )
    assert fields["email"] == m.Pattern(pattern="??", description="VARCHAR(2)")
    assert fields["name"] == m.Pattern(pattern="??", description="VARCHAR(2)")
    assert fields["city"] == m.Mimesis(
        method="address.city", max_length=5, description="VARCHAR(5)"
    )
    assert warnings == [
        f"t.email: person.email, picked from the name, does not fit the declared length 2{DROPPED}",
        f"t.name: person.full_name, picked from the name, does not fit the declared length 2"
        f"{DROPPED}",
    ]


def test_json_schema_bounds_narrow_or_drop_the_name_rule() -> None:
    fields, warnings = _json_schema(
        {
            "price": {"type": "number", "maximum": 0.5},
            "age": {"type": "integer", "minimum": 200},
            "quantity": {"type": "integer", "minimum": 3},
            "email": {"type": "string", "maxLength": 3},
            "name": {"type": "string", "minLength": 5, "maxLength": 6},
        }
    )
    assert fields["price"] == m.Float(min=0, max=0.5)
    assert fields["age"] == m.Integer(min=200)
    assert fields["quantity"] == m.Integer(min=3, max=10)
    assert fields["email"] == m.Pattern(pattern="???", description="maxLength: 3")
    assert fields["name"] == m.Pattern(pattern="??????", description="minLength: 5; maxLength: 6")
    assert warnings == [
        f".properties.price: the range 1..1000 picked from the name is outside the declared ..0.5"
        f"{DROPPED}",
        f".properties.age: the range 18..90 picked from the name is outside the declared 200.."
        f"{DROPPED}",
        f".properties.email: person.email, picked from the name, does not fit the declared length 3"
        f"{DROPPED}",
        ".properties.name: person.full_name, picked from the name, may be shorter than the "
        f"declared minimum length 5{DROPPED}",
    ]
