"""JSON descriptions of Parquet/Arrow schemas -> our schema language.

Forms read: Spark's StructType JSON (also inside a Delta Lake commit file's
``metaData.schemaString``), a plain list of ``{name, type, nullable}`` with Arrow type strings,
Arrow's JSON integration format, BigQuery table schemas (``[{name, type, mode, fields}]``) and
Avro record schemas. Each is first turned into the type tree of ``arrow_types`` so one function
maps types to fields.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pipeline.importers import declared_decimal, name_bounds, naming
from pipeline.importers.arrow_types import ArrowType, ArrowTypeError, parse_arrow_type
from pipeline.importers.draft import (
    NULL_RATE,
    EntityDraft,
    FieldDraft,
    add_description,
    dropped_rules,
    keep_source_name,
    renamed,
    render,
    safe_name,
)
from pipeline.importers.json_text import read_json, refuse
from pipeline.schema.rules import MAX_DECIMALS
from pipeline.schema.widths import MAX_PRECISION, integer_range

Column = tuple[str, ArrowType, bool, str | None]  # name, type, nullable, description

_SPARK_SIMPLE: dict[str, ArrowType] = {
    "string": ("string",), "varchar": ("string",), "char": ("string",),
    "long": ("int", 64, True), "bigint": ("int", 64, True), "integer": ("int", 32, True),
    "int": ("int", 32, True), "short": ("int", 16, True), "smallint": ("int", 16, True),
    "byte": ("int", 8, True), "tinyint": ("int", 8, True), "double": ("float", 64),
    "float": ("float", 32), "real": ("float", 32), "boolean": ("bool",), "date": ("date",),
    "timestamp": ("timestamp", True), "timestamp_ntz": ("timestamp", False),
    "binary": ("binary",),
    "null": ("null",), "void": ("null",), "variant": ("variant",),
}  # fmt: skip
_BIGQUERY: dict[str, ArrowType] = {
    "string": ("string",), "bytes": ("binary",), "integer": ("int", 64, True),
    "int64": ("int", 64, True), "float": ("float", 64), "float64": ("float", 64),
    "numeric": ("decimal", 38, 9), "bignumeric": ("decimal", 76, 38), "boolean": ("bool",),
    "bool": ("bool",), "timestamp": ("timestamp", True), "date": ("date",), "time": ("time",),
    "datetime": ("timestamp", False), "geography": ("string",), "json": ("variant",),
    "interval": ("string",),
}  # fmt: skip
_AVRO: dict[str, ArrowType] = {
    "null": ("null",), "boolean": ("bool",), "int": ("int", 32, True), "long": ("int", 64, True),
    "float": ("float", 32), "double": ("float", 64), "bytes": ("binary",), "string": ("string",),
}  # fmt: skip
_DECIMAL = re.compile(r"decimal\((\d+),\s*(\d+)\)")


def _spark_type(typ: Any, path: str) -> ArrowType:
    if isinstance(typ, str):
        low = typ.lower()
        if low in _SPARK_SIMPLE:
            return _SPARK_SIMPLE[low]
        match = _DECIMAL.fullmatch(low)
        if match:
            return ("decimal", int(match.group(1)), int(match.group(2)))
        if low.startswith(("varchar(", "char(")):
            return ("string",)
        raise refuse(path, f"unknown Spark type {typ!r}")
    if not isinstance(typ, dict):
        raise refuse(path, "a Spark type is a name or an object with `type`")
    kind = typ.get("type")
    if kind == "struct":
        return ("struct", [(c[0], c[1], c[2]) for c in _spark_fields(typ, path)])
    if kind == "array":
        return ("list", _spark_type(typ.get("elementType"), f"{path}.elementType"))
    if kind == "map":
        return (
            "map",
            _spark_type(typ.get("keyType"), f"{path}.keyType"),
            _spark_type(typ.get("valueType"), f"{path}.valueType"),
        )
    raise refuse(f"{path}.type", f"unknown Spark type {kind!r}")


def _spark_fields(doc: dict[str, Any], path: str) -> list[Column]:
    fields = doc.get("fields")
    if not isinstance(fields, list):
        raise refuse(f"{path}.fields", "a struct needs a `fields` list")
    out: list[Column] = []
    for i, f in enumerate(fields):
        where = f"{path}.fields[{i}]"
        if not isinstance(f, dict) or "name" not in f or "type" not in f:
            raise refuse(where, "a field needs `name` and `type`")
        meta = f.get("metadata") or {}
        comment = meta.get("comment") if isinstance(meta, dict) else None
        out.append(
            (
                str(f["name"]),
                _spark_type(f["type"], f"{where}.type"),
                bool(f.get("nullable", True)),
                comment,
            )
        )
    return out


def _integration_type(f: dict[str, Any], path: str) -> ArrowType:
    typ = f.get("type") or {}
    name = str(typ.get("name", "")).lower()
    children = f.get("children") or []
    if name == "int":
        return ("int", int(typ.get("bitWidth", 64)), bool(typ.get("isSigned", True)))
    if name == "floatingpoint":
        return ("float", {"HALF": 16, "SINGLE": 32}.get(str(typ.get("precision")), 64))
    if name == "decimal":
        return ("decimal", int(typ.get("precision", 38)), int(typ.get("scale", 0)))
    if name in ("utf8", "largeutf8", "utf8view"):
        return ("string",)
    if name in ("binary", "largebinary", "fixedsizebinary", "binaryview"):
        return ("binary",)
    if name == "runendencoded" and len(children) == 2:
        return _integration_type(children[1], f"{path}.children[1]")
    if name == "dictionary" or "dictionary" in f:
        return ("string",)
    if name == "bool":
        return ("bool",)
    if name == "date":
        return ("date",)
    if name == "timestamp":
        return ("timestamp", bool(typ.get("timezone")))
    if name in ("time", "duration"):
        return ("time",)
    if name == "null":
        return ("null",)
    if name in ("list", "largelist", "fixedsizelist", "listview", "largelistview") and children:
        return ("list", _integration_type(children[0], f"{path}.children[0]"))
    if name == "struct":
        return ("struct", [(c[0], c[1], c[2]) for c in _integration_fields(children, path)])
    if name == "map" and children:
        entries = children[0].get("children") or []
        if len(entries) == 2:
            return (
                "map",
                _integration_type(entries[0], f"{path}.children[0]"),
                _integration_type(entries[1], f"{path}.children[1]"),
            )
    raise refuse(f"{path}.type", f"unknown Arrow type {typ!r}")


def _integration_fields(fields: Any, path: str) -> list[Column]:
    if not isinstance(fields, list):
        raise refuse(path, "`fields` must be a list")
    out: list[Column] = []
    for i, f in enumerate(fields):
        where = f"{path}.fields[{i}]"
        if not isinstance(f, dict) or "name" not in f:
            raise refuse(where, "a field needs `name` and `type`")
        out.append(
            (str(f["name"]), _integration_type(f, where), bool(f.get("nullable", True)), None)
        )
    return out


def _list_fields(items: list[Any], path: str) -> list[Column]:
    out: list[Column] = []
    for i, f in enumerate(items):
        where = f"{path}[{i}]"
        if not isinstance(f, dict) or "name" not in f or "type" not in f:
            raise refuse(where, "each item needs `name` and `type`")
        if isinstance(f["type"], dict):
            typ = _spark_type(f["type"], f"{where}.type")
        else:
            try:
                typ = parse_arrow_type(str(f["type"]))
            except ArrowTypeError as exc:
                raise refuse(f"{where}.type", str(exc)) from None
        out.append((str(f["name"]), typ, bool(f.get("nullable", True)), f.get("description")))
    return out


def _int_field(name: str, bits: int, signed: bool) -> FieldDraft:
    if naming.snake(name) == "id":
        return FieldDraft({"type": "sequence"}, naming.PICKED)
    low, top = integer_range(bits, not signed)
    named = name_bounds.number(name, "integer", low, top)
    # The declared width is kept so the written column has the source's integer type.
    width = {"width": bits} if bits != 64 else {}
    if not signed:
        width["unsigned"] = True
    if named.spec is not None:
        return FieldDraft({**named.spec, **width}, naming.PICKED)
    spec = {"type": "integer", "max": top} if top < 1_000_000 else {"type": "integer"}
    return FieldDraft({**spec, **width}, dropped=named.dropped)


def _decimal_field(name: str, precision: int, scale: int) -> FieldDraft:
    if not declared_decimal.holds(precision, scale):  # wider than decimal128: the nearest
        return _decimal_as_float(name, precision, scale)
    top = declared_decimal.top(precision, scale)
    named = name_bounds.number(name, "float", top.copy_negate(), top, scale)
    if named.spec is not None:
        spec = declared_decimal.decimal_spec(named.spec["min"], named.spec["max"], precision, scale)
        return FieldDraft(spec, naming.PICKED)
    spec = declared_decimal.decimal_spec(0, 1000, precision, scale)
    return FieldDraft(spec, dropped=named.dropped)


def _decimal_as_float(name: str, precision: int, full_scale: int) -> FieldDraft:
    scale = min(full_scale, MAX_DECIMALS)
    top = min(declared_decimal.largest(precision, full_scale), 1e15)
    named = name_bounds.number(name, "float", -top, top, scale)
    if named.spec is not None:
        draft = FieldDraft({**named.spec, "decimals": scale}, naming.PICKED)
    else:
        spec = {"type": "float", "min": 0, "max": min(top, 1000), "decimals": scale}
        draft = FieldDraft(spec, dropped=named.dropped)
    add_description(draft.spec, f"decimal({precision},{full_scale})")
    return draft


def _field(name: str, typ: ArrowType, entity: str) -> FieldDraft:
    kind = typ[0]
    if kind == "int":
        return _int_field(name, typ[1], typ[2])
    if kind == "float":
        guessed = naming.guess(name, "float")
        if guessed is not None and guessed["type"] != "float" and typ[1] == 64:
            return FieldDraft(guessed, naming.PICKED)  # e.g. a latitude, written as float64
        named = name_bounds.number(name, "float")
        spec = named.spec or {"type": "float"}
        if typ[1] <= 32:  # float16 too: the nearest width the language writes
            spec["width"] = 32
        return FieldDraft(spec, naming.PICKED if named.spec else None)
    if kind == "variant":
        spec = {"type": "text.word", "description": "variant (any value), written as text"}
        return FieldDraft(spec)
    if kind == "enum":
        return FieldDraft({"type": "choice", "values": list(typ[1])})
    if kind == "decimal":
        return _decimal_field(name, typ[1], typ[2])
    if kind == "string":
        if naming.snake(name) == "id":
            return FieldDraft({"type": "uuid"}, naming.PICKED)
        # The declared string type wins over a name picking dates or numbers.
        named = name_bounds.text(name, entity, unwritten=naming.NOT_TEXT)
        return (
            FieldDraft(named.spec, naming.PICKED)
            if named.spec
            else FieldDraft({"type": "text.word"})
        )
    if kind == "bool":
        return FieldDraft({"type": "boolean"})
    if kind == "date":
        return FieldDraft(naming.guess(name, "date") or {"type": "date"})
    if kind == "timestamp":
        return FieldDraft(
            {"type": "datetime"} if typ[1] else {"type": "datetime", "timezone": False}
        )
    if kind == "time":
        return FieldDraft({"type": "datetime.time"})
    if kind == "binary":
        return FieldDraft({"type": "binary"})
    if kind == "null":
        return FieldDraft({"type": "constant", "value": None})
    if kind == "list":
        item = _field(name, typ[1], entity)
        return FieldDraft({"type": "array", "of": item}, item.comment)
    if kind == "struct":
        return FieldDraft(
            {"type": "object", "fields": _fields([(*c, None) for c in typ[1]], entity)}
        )
    key = _field("key", typ[1], entity)
    value = _field("value", typ[2], entity)
    value.spec["null_rate"] = NULL_RATE
    return FieldDraft({"type": "map", "keys": key, "values": value})


def _fields(columns: list[Column], entity: str) -> dict[str, FieldDraft]:
    out: dict[str, FieldDraft] = {}
    taken: set[str] = set()
    written: set[str] = set()
    for name, typ, nullable, description in columns:
        field_name = safe_name(name, taken)
        draft = _field(name, typ, entity)
        if typ[0] == "struct" and not typ[1]:
            draft = FieldDraft({"type": "constant", "value": None, "description": "empty struct"})
        if nullable and draft.spec["type"] not in ("sequence", "uuid"):
            draft.spec["null_rate"] = NULL_RATE
        add_description(draft.spec, description)
        keep_source_name(draft.spec, name, field_name, written)
        out[field_name] = draft
    return out


def _bigquery_type(f: dict[str, Any], path: str) -> ArrowType:
    kind = str(f.get("type", "")).lower()
    if kind in ("record", "struct"):
        typ: ArrowType = (
            "struct",
            [(c[0], c[1], c[2]) for c in _bigquery_fields(f.get("fields"), path)],
        )
    elif kind in _BIGQUERY:
        typ = _BIGQUERY[kind]
    else:
        raise refuse(f"{path}.type", f"unknown BigQuery type {f.get('type')!r}")
    return ("list", typ) if str(f.get("mode", "")).lower() == "repeated" else typ


def _bigquery_fields(fields: Any, path: str) -> list[Column]:
    if not isinstance(fields, list):
        raise refuse(f"{path}.fields", "a RECORD needs a `fields` list")
    out: list[Column] = []
    for i, f in enumerate(fields):
        where = f"{path}[{i}]"
        if not isinstance(f, dict) or "name" not in f or "type" not in f:
            raise refuse(where, "each field needs `name` and `type`")
        mode = str(f.get("mode", "nullable")).lower()
        out.append(
            (str(f["name"]), _bigquery_type(f, where), mode == "nullable", f.get("description"))
        )
    return out


def _is_bigquery(fields: Any) -> bool:
    return (
        isinstance(fields, list)
        and bool(fields)
        and all(isinstance(f, dict) and isinstance(f.get("type"), str) for f in fields)
        and any("mode" in f for f in fields)
    )


def _avro_type(typ: Any, path: str) -> tuple[ArrowType, bool]:
    """The type of an Avro schema, and whether it is a union with null."""
    if isinstance(typ, list):
        others = [t for t in typ if t != "null"]
        if not others:
            return ("null",), True
        inner, _ = _avro_type(others[0], path)
        return inner, len(others) < len(typ)
    if isinstance(typ, str):
        if typ in _AVRO:
            return _AVRO[typ], False
        raise refuse(path, f"unknown Avro type {typ!r} (named types are not followed)")
    if not isinstance(typ, dict):
        raise refuse(path, "an Avro type is a name, a list or an object")
    logical = typ.get("logicalType")
    if logical == "decimal":
        return ("decimal", int(typ.get("precision", 38)), int(typ.get("scale", 0))), False
    if logical == "date":
        return ("date",), False
    if logical in ("time-millis", "time-micros"):
        return ("time",), False
    if isinstance(logical, str) and logical.startswith(("timestamp", "local-timestamp")):
        return ("timestamp", logical.startswith("timestamp")), False
    kind = typ.get("type")
    if kind == "record":
        return ("struct", [(c[0], c[1], c[2]) for c in _avro_fields(typ, path)]), False
    if kind == "enum":
        return ("enum", [str(s) for s in typ.get("symbols") or []]), False
    if kind == "array":
        return ("list", _avro_type(typ.get("items"), f"{path}.items")[0]), False
    if kind == "map":
        return ("map", ("string",), _avro_type(typ.get("values"), f"{path}.values")[0]), False
    if kind == "fixed":
        return ("binary",), False
    return _avro_type(kind, f"{path}.type")


def _avro_fields(doc: dict[str, Any], path: str) -> list[Column]:
    fields = doc.get("fields")
    if not isinstance(fields, list):
        raise refuse(f"{path}.fields", "an Avro record needs a `fields` list")
    out: list[Column] = []
    for i, f in enumerate(fields):
        where = f"{path}.fields[{i}]"
        if not isinstance(f, dict) or "name" not in f or "type" not in f:
            raise refuse(where, "a field needs `name` and `type`")
        typ, nullable = _avro_type(f["type"], f"{where}.type")
        out.append((str(f["name"]), typ, nullable, f.get("doc")))
    return out


def _delta_schema(text: str) -> tuple[str, Any] | None:
    """The table name and schema of a Delta Lake commit file (one JSON action a line)."""
    for line in text.splitlines():
        if '"metaData"' not in line:
            continue
        try:
            action = json.loads(line)
        except ValueError:
            return None
        meta = action.get("metaData") if isinstance(action, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get("schemaString"), str):
            name = str(meta.get("name") or "Record")
            return name, read_json(meta["schemaString"], "Delta metaData.schemaString")
    return None


def _columns(doc: Any) -> tuple[str, list[Column], str]:
    if _is_bigquery(doc):
        return "Record", _bigquery_fields(doc, ""), "BigQuery table schema"
    if isinstance(doc, list):
        return "Record", _list_fields(doc, ""), "list of Arrow fields"
    if not isinstance(doc, dict):
        raise refuse("", "expected a JSON object or list describing a schema")
    name = str(doc.get("name") or doc.get("title") or "Record")
    if doc.get("type") == "struct":
        return name, _spark_fields(doc, ""), "Spark StructType"
    if doc.get("type") == "record":
        return name, _avro_fields(doc, ""), "Avro record schema"
    if _is_bigquery(doc.get("fields")):
        return name, _bigquery_fields(doc["fields"], "fields"), "BigQuery table schema"
    if isinstance(doc.get("schema"), dict) and _is_bigquery(doc["schema"].get("fields")):
        return (
            name,
            _bigquery_fields(doc["schema"]["fields"], "schema.fields"),
            "BigQuery table schema",
        )
    schema = doc.get("schema")
    if isinstance(schema, dict) and "fields" in schema:
        meta = schema.get("metadata")
        if isinstance(meta, list):  # the integration format writes metadata as key/value pairs
            for pair in meta:
                if isinstance(pair, dict) and pair.get("key") == "name":
                    name = str(pair.get("value"))
        return name, _integration_fields(schema["fields"], "schema"), "Arrow JSON integration"
    if isinstance(doc.get("fields"), list):
        return name, _list_fields(doc["fields"], "fields"), "list of Arrow fields"
    raise refuse("", "not a Spark StructType, an Arrow field list or Arrow integration JSON")


def _warnings(columns: list[Column]) -> list[dict[str, Any]]:
    return [w for name, typ, _, _ in columns for w in _type_warnings(name, typ)]


def _type_warnings(path: str, typ: ArrowType) -> list[dict[str, Any]]:
    kind = typ[0]
    if kind == "decimal" and typ[1] > MAX_PRECISION:
        return [
            _warning(
                path,
                f"decimal({typ[1]},{typ[2]}) is wider than {MAX_PRECISION} digits: a float "
                f"with {min(typ[2], MAX_DECIMALS)} decimals",
            )
        ]
    if kind == "variant":
        return [_warning(path, "variant is written as text")]
    if kind == "list":
        return _type_warnings(f"{path}[]", typ[1])
    if kind == "struct":
        return [w for c in typ[1] for w in _type_warnings(f"{path}.{c[0]}", c[1])]
    return []


def _warning(path: str, message: str) -> dict[str, Any]:
    return {"line": None, "path": path, "message": f"{path}: {message}"}


def import_json_parquet(text: str) -> tuple[str, list[dict[str, Any]]]:
    # A Delta Lake commit file holds one JSON action a line; its schema is a string inside.
    delta = _delta_schema(text) if '"metaData"' in text else None
    if delta is not None:
        table, doc = delta
        source_name, columns, _ = _columns(doc)
        source_name = table if source_name == "Record" else source_name
        form = "a Delta Lake commit (metaData.schemaString, Spark StructType)"
    else:
        doc = read_json(text, "Parquet schema JSON")
        source_name, columns, form = _columns(doc)
    if not columns:
        raise refuse("fields", "the schema has no fields")
    name = safe_name(source_name)
    entity = EntityDraft(fields=_fields(columns, name), description=renamed(source_name, name))
    header = f"Imported from {form}. Nullable fields get null_rate {NULL_RATE}."
    dropped = [_warning(path, reason) for path, reason in dropped_rules(entity.fields)]
    return render({name: entity}, header), _warnings(columns) + dropped
