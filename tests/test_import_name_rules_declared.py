"""Every name rule crossed with narrow declared types, in each importer: the import loads, and
the rows written as csv and json stay inside the declared type (range, precision and scale,
length), whatever range or text the column's name would pick."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import decimal
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from pipeline.engine.blocks import generate_batches
from pipeline.importers import convert_with_warnings, naming
from pipeline.schema import load_schema
from pipeline.schema.model import Schema
from storage.formats import write_rows

ROWS = 300

# One column name for each rule of the name table (checked below).
NAMES = [
    "email", "username", "first_name", "last_name", "full_name", "phone", "city",
    "country_code", "country", "state", "zip_code", "street", "address", "company", "website",
    "ip", "ipv6", "hostname", "password", "description", "title", "gender", "occupation",
    "currency", "color", "language", "product_name", "uuid", "latitude", "longitude",
    "created_at", "birth_date", "start_date", "price", "salary", "quantity", "age", "rating",
    "year", "percent", "weight",
]  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Declared:
    """What a declared type allows a written value to be."""

    kind: str  # "int", "decimal", "float", "text" or "date"
    low: decimal.Decimal | None = None
    high: decimal.Decimal | None = None
    scale: int | None = None  # the most decimals a value has
    length: int | None = None  # the most characters a text has


def _int(low: int, high: int) -> Declared:
    return Declared("int", decimal.Decimal(low), decimal.Decimal(high))


def _decimal(
    precision: int, scale: int, low: str | None = None, high: str | None = None
) -> Declared:
    top = decimal.Decimal(10) ** (precision - scale) - decimal.Decimal(10) ** -scale
    return Declared(
        "decimal",
        max(-top, decimal.Decimal(low)) if low is not None else -top,
        min(top, decimal.Decimal(high)) if high is not None else top,
        scale,
    )


TEXT = Declared("text")
DATE = Declared("date")
FLOAT = Declared("float")

# Decimals wider than 38 digits are floats with at most 15 decimals.
WIDE = dataclasses.replace(_decimal(45, 45), scale=15)

SQL_TYPES: list[tuple[str, Declared]] = [
    ("TINYINT", _int(-128, 127)),
    ("TINYINT UNSIGNED", _int(0, 255)),
    ("SMALLINT", _int(-32768, 32767)),
    ("INT", _int(-(2**31), 2**31 - 1)),
    ("BIGINT", _int(-(2**63), 2**63 - 1)),
    ("DECIMAL(2,0)", _decimal(2, 0)),
    ("DECIMAL(3,3)", _decimal(3, 3)),
    ("DECIMAL(4,0)", _decimal(4, 0)),
    ("DECIMAL(5,2)", _decimal(5, 2)),
    ("DECIMAL(38,38)", _decimal(38, 38)),
    ("DECIMAL(45,45)", WIDE),
    ("VARCHAR(2)", Declared("text", length=2)),
    ("VARCHAR(5)", Declared("text", length=5)),
    ("VARCHAR(12)", Declared("text", length=12)),
    ("CHAR(3)", Declared("text", length=3)),
    ("DATE", DATE),
    ("INT CHECK ({c} BETWEEN 5 AND 6)", _int(5, 6)),
    ("SMALLINT CHECK ({c} >= 200)", _int(200, 32767)),
    ("DECIMAL(10,2) CHECK ({c} <= 0.5)", _decimal(10, 2, high="0.5")),
]
PARQUET_TYPES: list[tuple[str, Declared]] = [
    ("int8", _int(-128, 127)),
    ("uint8", _int(0, 255)),
    ("int16", _int(-32768, 32767)),
    ("int64", _int(-(2**63), 2**63 - 1)),
    ("decimal128(2, 0)", _decimal(2, 0)),
    ("decimal128(3, 3)", _decimal(3, 3)),
    ("decimal128(5, 2)", _decimal(5, 2)),
    ("decimal128(38, 38)", _decimal(38, 38)),
    ("decimal256(45, 45)", WIDE),
    ("float", FLOAT),
    ("string", TEXT),
    ("date32", DATE),
]
JSON_SCHEMA_TYPES: list[tuple[dict[str, Any], Declared]] = [
    ({"type": "integer", "minimum": 200}, Declared("int", decimal.Decimal(200))),
    ({"type": "integer", "maximum": 5}, Declared("int", high=decimal.Decimal(5))),
    ({"type": "integer", "minimum": 5, "maximum": 6}, _int(5, 6)),
    ({"type": "number", "maximum": 0.5}, Declared("float", high=decimal.Decimal("0.5"))),
    ({"type": "number", "minimum": 2000}, Declared("float", low=decimal.Decimal(2000))),
    ({"type": "string", "maxLength": 2}, Declared("text", length=2)),
    ({"type": "string", "maxLength": 5}, Declared("text", length=5)),
    ({"type": "string", "minLength": 3, "maxLength": 12}, Declared("text", length=12)),
    ({"type": "string", "format": "date"}, DATE),
]


def test_the_names_cover_every_name_rule() -> None:
    def covers(pattern: str, bases: tuple[str, ...], spec: dict[str, Any]) -> bool:
        return any(
            re.fullmatch(pattern, naming.snake(n)) and naming.guess(n, bases[0]) == spec  # type: ignore[arg-type]
            for n in NAMES
        )

    assert [p for p, bases, spec in naming.RULES if not covers(p, bases, spec)] == []


def _rows(schema: Schema, entity: str, fmt: str) -> list[dict[str, Any]]:
    batches = list(generate_batches(schema, entity, 0, ROWS, seed=11, providers={}))
    out = io.BytesIO()
    write_rows(fmt, batches, out, schema=batches[0].schema, first=True)
    text = out.getvalue().decode()
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text)))
    rows: list[dict[str, Any]] = json.loads(text + "]", parse_float=decimal.Decimal)
    return rows


def _problems(value: Any, declared: Declared) -> Iterator[str]:
    """What is wrong with one written value (csv text or a json value) for its type."""
    if value is None or value == "":
        return
    if declared.kind == "text":
        if declared.length is not None and len(str(value)) > declared.length:
            yield f"{value!r} is longer than {declared.length}"
        return
    if declared.kind == "date":
        dt.date.fromisoformat(str(value))
        return
    number = decimal.Decimal(str(value))
    if declared.kind == "int" and number != number.to_integral_value():
        yield f"{value!r} is not an integer"
    if declared.scale is not None and -number.as_tuple().exponent > declared.scale:  # type: ignore[operator]
        yield f"{value!r} has more than {declared.scale} decimals"
    if declared.low is not None and number < declared.low:
        yield f"{value!r} is below {declared.low}"
    if declared.high is not None and number > declared.high:
        yield f"{value!r} is above {declared.high}"


def _check(yaml_text: str, tables: dict[str, Declared]) -> list[str]:
    problems: list[str] = []
    schema = load_schema(yaml_text)
    for entity, declared in tables.items():
        for fmt in ("csv", "json"):
            for row in _rows(schema, entity, fmt):
                for column, value in row.items():
                    problems.extend(
                        f"{entity}.{column} ({fmt}): {p}" for p in _problems(value, declared)
                    )
    return sorted(set(problems))[:20]


def test_sql_columns_named_by_every_rule_stay_inside_narrow_declared_types() -> None:
    tables = {f"t{i}": declared for i, (_, declared) in enumerate(SQL_TYPES)}
    ddl = "\n".join(
        f"CREATE TABLE t{i} (" + ", ".join(f"{n} {typ.format(c=n)} NOT NULL" for n in NAMES) + ");"
        for i, (typ, _) in enumerate(SQL_TYPES)
    )
    out = convert_with_warnings(ddl, "sql", "mysql")
    assert _check(out.text, tables) == []


@pytest.mark.parametrize(("typ", "declared"), PARQUET_TYPES, ids=[t for t, _ in PARQUET_TYPES])
def test_parquet_columns_named_by_every_rule_stay_inside_narrow_declared_types(
    typ: str, declared: Declared
) -> None:
    fields = [{"name": n, "type": typ, "nullable": False} for n in NAMES]
    out = convert_with_warnings(json.dumps(fields), "json_parquet")
    assert _check(out.text, {"Record": declared}) == []


def test_json_schema_properties_named_by_every_rule_stay_inside_narrow_declared_types() -> None:
    defs = {
        f"t{i}": {"type": "object", "required": NAMES, "properties": dict.fromkeys(NAMES, sub)}
        for i, (sub, _) in enumerate(JSON_SCHEMA_TYPES)
    }
    out = convert_with_warnings(json.dumps({"$defs": defs}), "json_schema")
    tables = {f"t{i}": declared for i, (_, declared) in enumerate(JSON_SCHEMA_TYPES)}
    assert _check(out.text, tables) == []
