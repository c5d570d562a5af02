"""Schema -> JSON Schema, draft 2020-12: one object under ``$defs`` per entity."""

from __future__ import annotations

from typing import Any

import msgspec

from pipeline.importers.regex_pattern import pattern_to_regex
from pipeline.schema import model as m
from pipeline.schema.validate import default_key

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


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    return "string" if value is not None else "null"


def _field(spec: m.Field, schema: m.Schema) -> dict[str, Any]:
    out: dict[str, Any]
    if isinstance(spec, m.Sequence):
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
        out = _reference(spec, schema)
    elif isinstance(spec, m.Object):
        out = _object(spec.fields, schema)
    elif isinstance(spec, m.Array):
        out = {"type": "array", "items": _field(spec.of, schema), "minItems": spec.min_items,
               "maxItems": spec.max_items}  # fmt: skip
    elif isinstance(spec, m.Mimesis):
        out = {"type": "string"}
        if spec.method in _FORMATS:
            out["format"] = _FORMATS[spec.method]
    else:  # provider, template
        out = {"type": "string"}
    if spec.null_rate > 0:
        out = _nullable(out)
    if spec.description:
        out["description"] = spec.description
    return out


def _nullable(out: dict[str, Any]) -> dict[str, Any]:
    if isinstance(out.get("type"), str):
        return {**out, "type": [out["type"], "null"]}
    if "enum" in out:
        return {**out, "enum": [*out["enum"], None]}
    return {"anyOf": [out, {"type": "null"}]}


def _reference(spec: m.Reference, schema: m.Schema) -> dict[str, Any]:
    parent = schema.entities.get(spec.entity)
    name = spec.field or (default_key(parent) if parent else None) or "id"
    target = m.find_field(parent, name) if parent else None
    out = _field(target, schema) if target is not None else {}
    out.pop("description", None)
    if isinstance(out.get("type"), list):
        out["type"] = out["type"][0]
    out["description"] = f"references {spec.entity}.{name}"
    return out


def _object(fields: dict[str, m.Field], schema: m.Schema) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {name: _field(spec, schema) for name, spec in fields.items()},
        "required": [name for name, spec in fields.items() if spec.null_rate == 0],
        "additionalProperties": False,
    }


def export_json_schema(schema: m.Schema) -> str:
    defs = {}
    for name, entity in schema.entities.items():
        obj = _object(entity.fields, schema)
        if entity.description:
            obj["description"] = entity.description
        defs[name] = obj
    doc: dict[str, Any] = {"$schema": DRAFT, "$defs": defs}
    if schema.description:
        doc["description"] = schema.description
    return msgspec.json.format(msgspec.json.encode(doc), indent=2).decode() + "\n"
