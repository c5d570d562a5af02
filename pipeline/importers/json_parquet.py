"""JSON descriptions of Parquet/Arrow schemas -> our schema language.

Three forms are read: Spark's StructType JSON, a plain list of ``{name, type, nullable}`` with
Arrow type strings, and Arrow's JSON integration format. Each is first turned into the type
tree of ``arrow_types`` so one function maps types to fields.
"""

from __future__ import annotations

import re
from typing import Any

from pipeline.importers import naming
from pipeline.importers.arrow_types import ArrowType, ArrowTypeError, parse_arrow_type
from pipeline.importers.draft import (
    NULL_RATE,
    EntityDraft,
    FieldDraft,
    add_description,
    renamed,
    render,
    safe_name,
)
from pipeline.importers.json_text import read_json, refuse

Column = tuple[str, ArrowType, bool, str | None]  # name, type, nullable, description

_SPARK_SIMPLE: dict[str, ArrowType] = {
    "string": ("string",), "varchar": ("string",), "char": ("string",),
    "long": ("int", 64, True), "bigint": ("int", 64, True), "integer": ("int", 32, True),
    "int": ("int", 32, True), "short": ("int", 16, True), "smallint": ("int", 16, True),
    "byte": ("int", 8, True), "tinyint": ("int", 8, True), "double": ("float",),
    "float": ("float",), "real": ("float",), "boolean": ("bool",), "date": ("date",),
    "timestamp": ("timestamp",), "timestamp_ntz": ("timestamp",), "binary": ("binary",),
    "null": ("null",), "void": ("null",),
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
        return ("float",)
    if name == "decimal":
        return ("decimal", int(typ.get("precision", 38)), int(typ.get("scale", 0)))
    if name in ("utf8", "largeutf8", "utf8view"):
        return ("string",)
    if name in ("binary", "largebinary", "fixedsizebinary"):
        return ("binary",)
    if name == "bool":
        return ("bool",)
    if name == "date":
        return ("date",)
    if name == "timestamp":
        return ("timestamp",)
    if name in ("time", "duration"):
        return ("time",)
    if name == "null":
        return ("null",)
    if name in ("list", "largelist", "fixedsizelist", "listview") and children:
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


def _int_spec(name: str, bits: int, signed: bool) -> tuple[dict[str, Any], str | None]:
    if naming.snake(name) == "id":
        return {"type": "sequence"}, naming.PICKED
    guessed = naming.guess(name, "integer")
    top = 2 ** (bits - 1) - 1 if signed else 2**bits - 1
    if guessed is not None and guessed.get("max", 0) <= top:
        return guessed, naming.PICKED
    return ({"type": "integer", "max": top} if top < 1_000_000 else {"type": "integer"}), None


def _field(name: str, typ: ArrowType, entity: str) -> FieldDraft:
    comment: str | None
    kind = typ[0]
    if kind == "int":
        spec, comment = _int_spec(name, typ[1], typ[2])
        return FieldDraft(spec, comment)
    if kind == "float":
        guessed = naming.guess(name, "float")
        return FieldDraft(guessed, naming.PICKED) if guessed else FieldDraft({"type": "float"})
    if kind == "decimal":
        precision, scale = typ[1], typ[2]
        top = round(10 ** (precision - scale) - 10**-scale, scale)
        guessed = naming.guess(name, "float")
        if guessed and guessed["type"] == "float":
            spec = {**guessed, "decimals": scale, "max": min(guessed["max"], top)}
            comment = naming.PICKED
        else:
            spec, comment = (
                {"type": "float", "min": 0, "max": min(top, 1000), "decimals": scale},
                None,
            )
        add_description(spec, f"decimal({precision},{scale})")
        return FieldDraft(spec, comment)
    if kind == "string":
        if naming.snake(name) == "id":
            return FieldDraft({"type": "uuid"}, naming.PICKED)
        guessed = naming.guess(name, "string", entity)
        return FieldDraft(guessed, naming.PICKED) if guessed else FieldDraft({"type": "text.word"})
    if kind == "bool":
        return FieldDraft({"type": "boolean"})
    if kind == "date":
        return FieldDraft(naming.guess(name, "date") or {"type": "date"})
    if kind == "timestamp":
        return FieldDraft({"type": "datetime"})
    if kind == "time":
        return FieldDraft({"type": "datetime.time"})
    if kind == "binary":
        return FieldDraft({"type": "cryptographic.token_hex", "description": "binary as hex"})
    if kind == "null":
        return FieldDraft({"type": "constant", "value": None})
    if kind == "list":
        item = _field(name, typ[1], entity)
        return FieldDraft({"type": "array", "of": item}, item.comment)
    if kind == "struct":
        return FieldDraft(
            {"type": "object", "fields": _fields([(*c, None) for c in typ[1]], entity)}
        )
    # A map is a list of key/value records, as Parquet stores it.
    key = _field("key", typ[1], entity)
    value = _field("value", typ[2], entity)
    value.spec["null_rate"] = NULL_RATE
    entry = FieldDraft({"type": "object", "fields": {"key": key, "value": value}})
    return FieldDraft({"type": "array", "of": entry, "description": "map"})


def _fields(columns: list[Column], entity: str) -> dict[str, FieldDraft]:
    out: dict[str, FieldDraft] = {}
    taken: set[str] = set()
    for name, typ, nullable, description in columns:
        field_name = safe_name(name, taken)
        draft = _field(name, typ, entity)
        if typ[0] == "struct" and not typ[1]:
            draft = FieldDraft({"type": "constant", "value": None, "description": "empty struct"})
        if nullable and draft.spec["type"] not in ("sequence", "uuid"):
            draft.spec["null_rate"] = NULL_RATE
        add_description(draft.spec, description)
        add_description(draft.spec, renamed(name, field_name))
        out[field_name] = draft
    return out


def _columns(doc: Any) -> tuple[str, list[Column], str]:
    if isinstance(doc, list):
        return "Record", _list_fields(doc, ""), "list of Arrow fields"
    if not isinstance(doc, dict):
        raise refuse("", "expected a JSON object or list describing a schema")
    name = str(doc.get("name") or doc.get("title") or "Record")
    if doc.get("type") == "struct":
        return name, _spark_fields(doc, ""), "Spark StructType"
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


def import_json_parquet(text: str) -> tuple[str, list[dict[str, Any]]]:
    doc = read_json(text, "Parquet schema JSON")
    source_name, columns, form = _columns(doc)
    if not columns:
        raise refuse("fields", "the schema has no fields")
    name = safe_name(source_name)
    entity = EntityDraft(fields=_fields(columns, name), description=renamed(source_name, name))
    header = f"Imported from {form}. Nullable fields get null_rate {NULL_RATE}."
    return render({name: entity}, header), []
