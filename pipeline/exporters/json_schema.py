"""Schema -> JSON Schema, draft 2020-12: one object under ``$defs`` per entity."""

from __future__ import annotations

from typing import Any

import msgspec

from pipeline.exporters.json_schema_widths import declared_schema, with_max_length
from pipeline.expressions import ColumnType
from pipeline.importers.regex_pattern import pattern_to_regex
from pipeline.schema import model as m
from pipeline.schema.computed import may_be_null
from pipeline.schema.resolved import ITEM, ResolvedEntity, ResolvedField, ResolvedSchema, resolve

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# mimesis methods whose values have a JSON Schema format.
_FORMATS = {
    "person.email": "email",
    "internet.url": "uri",
    "internet.uri": "uri",
    "internet.ip_v4": "ipv4",
    "internet.ip_v6": "ipv6",
    "internet.hostname": "hostname",
}


# An expression's or cases' values by their inferred type; a null-typed one says nothing.
_COMPUTED_TYPES: dict[ColumnType, dict[str, Any]] = {
    ColumnType.INTEGER: {"type": "integer"},
    ColumnType.FLOAT: {"type": "number"},
    ColumnType.STRING: {"type": "string"},
    ColumnType.BOOLEAN: {"type": "boolean"},
    ColumnType.DATE: {"type": "string", "format": "date"},
    ColumnType.DATETIME: {"type": "string", "format": "date-time"},
    ColumnType.NULL: {},
}


def _field(at: ResolvedField, entity: ResolvedEntity, schema: ResolvedSchema) -> dict[str, Any]:
    spec = at.spec
    out: dict[str, Any]
    declared = declared_schema(spec)
    if declared is not None:
        out = declared
    elif isinstance(spec, m.Sequence):
        out = {"type": "integer", "minimum": spec.start} if spec.step > 0 else {"type": "integer"}
    elif isinstance(spec, m.Uuid):
        out = {"type": "string", "format": "uuid"}
    elif isinstance(spec, m.Integer):
        out = {"type": "integer", "minimum": spec.min, "maximum": spec.max}
    elif isinstance(spec, m.Float):
        out = {"type": "number", "minimum": spec.min, "maximum": spec.max}
        if spec.decimals is not None and spec.decimals > 0:
            out["multipleOf"] = float(f"1e-{spec.decimals}")
        elif spec.decimals == 0:
            out["multipleOf"] = 1
    elif isinstance(spec, m.Boolean):
        out = {"type": "boolean"}
    elif isinstance(spec, m.Choice):
        out = {"enum": list(spec.values)}
    elif isinstance(spec, m.Date):
        out = {"type": "string", "format": "date"}
    elif isinstance(spec, m.Datetime):
        out = {"type": "string", "format": "date-time"}
    elif isinstance(spec, m.Pattern):
        out = {"type": "string", "pattern": pattern_to_regex(spec.pattern)}
    elif isinstance(spec, m.Constant):
        out = {"const": spec.value}
    elif isinstance(spec, m.Reference):
        out = _reference(at, schema)
    elif isinstance(spec, m.Lookup):
        found = _looked(at, schema)
        described = {"type": "string"} if found is None else _field(found[1], found[0], schema)
        out = {k: v for k, v in described.items() if k != "description"}
    elif isinstance(spec, m.Object):
        out = _object([entity.by_path[f"{at.path}.{name}"] for name in spec.fields], entity, schema)
    elif isinstance(spec, m.Array):
        item = _field(entity.by_path[at.path + ITEM], entity, schema)
        out = {"type": "array", "items": item, "minItems": spec.min_items,
               "maxItems": spec.max_items}  # fmt: skip
    elif isinstance(spec, m.Map):
        value = _field(entity.by_path[f"{at.path}{ITEM}.value"], entity, schema)
        out = {"type": "object", "additionalProperties": value, "maxProperties": spec.max_items}
    elif isinstance(spec, m.Mimesis):
        out = {"type": "string"}
        if spec.method in _FORMATS:
            out["format"] = _FORMATS[spec.method]
    elif isinstance(spec, m.Expression | m.Cases):
        out = dict(_COMPUTED_TYPES[at.column_type])
        if isinstance(spec, m.Expression):
            out["$comment"] = f"expression {spec.expr}"
    else:  # provider, template
        out = {"type": "string"}
    out = with_max_length(out, spec)
    absent = spec.absent_rate is not None  # its nulls are absent keys in json
    if spec.null_rate > 0 or (may_be_null(spec) and out and not absent):
        out = _nullable(out)
    if spec.description:
        out["description"] = spec.description
    return out


def _looked(
    at: ResolvedField, schema: ResolvedSchema
) -> tuple[ResolvedEntity, ResolvedField] | None:
    """The entity and field a lookup reads, when both exist."""
    if at.lookup is None:
        return None
    owner = schema.entity(at.lookup.entity)
    looked = owner.field(at.lookup.field or "") if owner else None
    return None if owner is None or looked is None else (owner, looked)


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(out.get("type"), str):
        return {**out, "type": [out["type"], "null"]}
    if "enum" in out:
        return {**out, "enum": [*out["enum"], None]}
    return {"anyOf": [out, {"type": "null"}]}


def _reference(at: ResolvedField, schema: ResolvedSchema) -> dict[str, Any]:
    target = at.reference
    assert target is not None
    parent = schema.entity(target.entity)
    name = target.field or "id"
    copied = parent.field(name) if parent is not None and target.spec is not None else None
    out = _field(copied, parent, schema) if copied is not None and parent is not None else {}
    out.pop("description", None)
    if isinstance(out.get("type"), list):
        out["type"] = out["type"][0]
    out["description"] = f"references {target.entity}.{name}"
    return out


def _object(
    fields: list[ResolvedField], entity: ResolvedEntity, schema: ResolvedSchema
) -> dict[str, Any]:
    names = [at.written for at in fields]
    return {
        "type": "object",
        "properties": {
            name: _field(at, entity, schema) for name, at in zip(names, fields, strict=True)
        },
        "required": [
            name
            for name, at in zip(names, fields, strict=True)
            if at.spec.null_rate == 0 and at.spec.absent_rate is None and not may_be_null(at.spec)
        ],
        "additionalProperties": False,
    }


def export_json_schema(schema: m.Schema) -> str:
    resolved = resolve(schema)
    defs = {}
    for name, entity in resolved.entities.items():
        obj = _object(list(entity.columns()), entity, resolved)
        if entity.model.description:
            obj["description"] = entity.model.description
        defs[name] = obj
    doc: dict[str, Any] = {"$schema": DRAFT, "$defs": defs}
    if schema.description:
        doc["description"] = schema.description
    return msgspec.json.format(msgspec.json.encode(doc), indent=2).decode() + "\n"
