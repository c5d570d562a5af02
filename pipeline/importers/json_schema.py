"""JSON Schema (draft 2020-12 and draft-07) -> our schema language."""

from __future__ import annotations

from typing import Any

from pipeline.importers import naming
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
from pipeline.importers.regex_pattern import regex_to_pattern

_FORMATS: dict[str, dict[str, Any]] = {
    "email": {"type": "person.email"},
    "idn-email": {"type": "person.email"},
    "uuid": {"type": "uuid"},
    "date": {"type": "date"},
    "date-time": {"type": "datetime"},
    "uri": {"type": "internet.url"},
    "iri": {"type": "internet.url"},
    "uri-reference": {"type": "internet.url"},
    "ipv4": {"type": "internet.ip_v4"},
    "ipv6": {"type": "internet.ip_v6"},
    "hostname": {"type": "internet.hostname"},
    "idn-hostname": {"type": "internet.hostname"},
    "time": {"type": "datetime.time"},
}
_DEFS = ("$defs", "definitions")


class _Converter:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.defs: dict[str, dict[str, Any]] = {}
        for key in _DEFS:
            for name, sub in (doc.get(key) or {}).items():
                self.defs[f"#/{key}/{name}"] = sub

    def resolve(self, ref: str, path: str) -> tuple[str, dict[str, Any]]:
        target = self.defs.get(ref)
        if target is None:
            raise refuse(
                path,
                f"cannot resolve $ref {ref!r}: only #/$defs/... and "
                "#/definitions/... inside the document are read",
            )
        return ref.rsplit("/", 1)[-1], target

    def fields(
        self, schema: dict[str, Any], path: str, entity: str, seen: tuple[str, ...]
    ) -> dict[str, FieldDraft]:
        required = set(schema.get("required") or [])
        props = schema.get("properties") or {}
        if not isinstance(props, dict):
            raise refuse(f"{path}.properties", "properties must be an object")
        out: dict[str, FieldDraft] = {}
        taken: set[str] = set()
        for name, sub in props.items():
            field_name = safe_name(name, taken)
            draft = self.field(sub, f"{path}.properties.{name}", name, entity, seen)
            if name not in required:
                draft.spec.setdefault("null_rate", NULL_RATE)
            add_description(draft.spec, renamed(name, field_name))
            out[field_name] = draft
        return out

    def field(
        self, sub: Any, path: str, name: str, entity: str, seen: tuple[str, ...]
    ) -> FieldDraft:
        if sub is True or sub == {}:
            return FieldDraft({"type": "text.word", "description": "any value"})
        if not isinstance(sub, dict):
            raise refuse(path, "a property's schema must be an object")
        if "$ref" in sub:
            ref_name, target = self.resolve(sub["$ref"], f"{path}.$ref")
            if sub["$ref"] in seen:
                spec = {
                    "type": "constant",
                    "value": None,
                    "description": f"recursive $ref to {ref_name}, not expanded",
                }
                return FieldDraft(spec)
            draft = self.field(target, path, name, entity, (*seen, sub["$ref"]))
            add_description(draft.spec, f"$ref {ref_name}")
            return draft
        for combo in ("oneOf", "anyOf", "allOf"):
            options = sub.get(combo)
            if isinstance(options, list) and options:
                non_null = [
                    o for o in options if not (isinstance(o, dict) and o.get("type") == "null")
                ]
                draft = self.field(
                    non_null[0] if non_null else options[0], path, name, entity, seen
                )
                if len(non_null) < len(options):
                    draft.spec["null_rate"] = NULL_RATE
                add_description(
                    draft.spec, f"first choice of {combo}" if len(non_null) > 1 else None
                )
                return draft
        kind = sub.get("type")
        nullable = False
        if isinstance(kind, list):
            nullable = "null" in kind
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if kinds else "null"
        draft = self.typed(sub, kind, path, name, entity, seen)
        if nullable:
            draft.spec["null_rate"] = NULL_RATE
        add_description(draft.spec, sub.get("description"))
        return draft

    def typed(
        self,
        sub: dict[str, Any],
        kind: Any,
        path: str,
        name: str,
        entity: str,
        seen: tuple[str, ...],
    ) -> FieldDraft:
        if "const" in sub:
            return FieldDraft({"type": "constant", "value": sub["const"]})
        if "enum" in sub:
            values = [v for v in sub["enum"] if v is not None]
            spec: dict[str, Any] = {"type": "choice", "values": values}
            if len(values) < len(sub["enum"]):
                spec["null_rate"] = NULL_RATE
            return FieldDraft(spec)
        if kind == "object" or (kind is None and "properties" in sub):
            if not sub.get("properties"):
                return FieldDraft(
                    {"type": "constant", "value": None, "description": "object without properties"}
                )
            return FieldDraft({"type": "object", "fields": self.fields(sub, path, entity, seen)})
        if kind == "array":
            return self.array(sub, path, name, entity, seen)
        if kind in ("integer", "number"):
            return self.number(sub, kind, name)
        if kind == "boolean":
            return FieldDraft({"type": "boolean"})
        if kind == "null":
            return FieldDraft({"type": "constant", "value": None})
        if kind in ("string", None):
            return self.string(sub, name, entity)
        raise refuse(f"{path}.type", f"unknown JSON Schema type {kind!r}")

    def array(
        self, sub: dict[str, Any], path: str, name: str, entity: str, seen: tuple[str, ...]
    ) -> FieldDraft:
        items = sub.get("items", sub.get("prefixItems", True))
        if isinstance(items, list):
            items = items[0] if items else True
        item = self.field(items, f"{path}.items", name, entity, seen)
        item.spec.pop("null_rate", None)
        item.spec.pop("unique", None)
        lo = int(sub.get("minItems", 0))
        hi = int(sub.get("maxItems", max(lo, 3)))
        spec: dict[str, Any] = {"type": "array", "of": item}
        if lo:
            spec["min_items"] = lo
        if hi != 3:
            spec["max_items"] = hi
        if sub.get("uniqueItems"):
            add_description(spec, "uniqueItems")
        return FieldDraft(spec, item.comment)

    def number(self, sub: dict[str, Any], kind: str, name: str) -> FieldDraft:
        lo = sub.get("minimum")
        hi = sub.get("maximum")
        step = 1 if kind == "integer" else 0
        if (
            lo is None
            and "exclusiveMinimum" in sub
            and not isinstance(sub["exclusiveMinimum"], bool)
        ):
            lo = sub["exclusiveMinimum"] + step if step else sub["exclusiveMinimum"]
        if (
            hi is None
            and "exclusiveMaximum" in sub
            and not isinstance(sub["exclusiveMaximum"], bool)
        ):
            hi = sub["exclusiveMaximum"] - step if step else sub["exclusiveMaximum"]
        typ: naming.Base = "integer" if kind == "integer" else "float"
        spec: dict[str, Any] = {"type": typ}
        comment = None
        if lo is None and hi is None:
            guessed = naming.guess(name, typ)
            if naming.snake(name) == "id" and typ == "integer":
                guessed = {"type": "sequence"}
            if guessed is not None:
                spec, comment = guessed, naming.PICKED
        else:
            spec["min"] = lo if lo is not None else 0
            if hi is not None:
                spec["max"] = hi
            elif typ == "float" or spec["min"] > 1_000_000:
                spec["max"] = spec["min"] + 1_000_000
        multiple = sub.get("multipleOf")
        if typ == "float" and isinstance(multiple, int | float) and 0 < multiple < 1:
            decimals = len(f"{multiple:.15g}".split(".")[-1])
            spec["decimals"] = decimals
        if typ == "float" and isinstance(spec.get("min"), int) and "max" not in spec:
            spec["max"] = spec["min"] + 1_000_000
        return FieldDraft(spec, comment)

    def string(self, sub: dict[str, Any], name: str, entity: str) -> FieldDraft:
        fmt = sub.get("format")
        lo, hi = sub.get("minLength"), sub.get("maxLength")
        lengths = "; ".join(
            f"{k}: {v}" for k, v in (("minLength", lo), ("maxLength", hi)) if v is not None
        )
        if isinstance(fmt, str) and fmt in _FORMATS:
            spec = dict(_FORMATS[fmt])
            add_description(spec, lengths or None)
            return FieldDraft(spec)
        if isinstance(sub.get("pattern"), str):
            pattern = regex_to_pattern(sub["pattern"])
            if pattern is not None:
                return FieldDraft({"type": "pattern", "pattern": pattern})
            spec = {"type": "text.word", "description": f"pattern {sub['pattern']}"}
            return FieldDraft(spec, "regex not expressible as a pattern; see description")
        guessed = naming.guess(name, "string", entity)
        if naming.snake(name) == "id":
            guessed = {"type": "uuid"}
        # A name-picked generator is kept unless the length bounds are too tight for it.
        if guessed is not None and (lo is None or lo <= 1) and (hi is None or hi >= 20):
            add_description(guessed, lengths or None)
            return FieldDraft(guessed, naming.PICKED)
        if lo is not None or hi is not None:
            size = max(int(lo or 1), min(int(hi or 10), 10))
            spec = {"type": "pattern", "pattern": "?" * size}
            add_description(spec, lengths)
            return FieldDraft(spec)
        return FieldDraft({"type": "text.word"})


def import_json_schema(text: str) -> tuple[str, list[dict[str, Any]]]:
    doc = read_json(text, "JSON Schema")
    if not isinstance(doc, dict):
        raise refuse("", "a JSON Schema document must be an object")
    conv = _Converter(doc)
    entities: dict[str, EntityDraft] = {}
    taken: set[str] = set()
    if doc.get("properties"):
        title = str(doc.get("title") or "Record")
        name = safe_name(title, taken)
        fields = conv.fields(doc, "", name, ())
        entities[name] = EntityDraft(
            fields=fields, description=doc.get("description") or renamed(title, name)
        )
    for key in _DEFS:
        for def_name, sub in (doc.get(key) or {}).items():
            if not (isinstance(sub, dict) and sub.get("properties")):
                continue
            name = safe_name(def_name, taken)
            ref = f"#/{key}/{def_name}"
            fields = conv.fields(sub, f"{key}.{def_name}", name, (ref,))
            entities[name] = EntityDraft(
                fields=fields, description=sub.get("description") or renamed(def_name, name)
            )
    if not entities:
        raise refuse("", "no object with properties at the root or under $defs/definitions")
    draft = doc.get("$schema", "draft unknown")
    header = (
        f"Imported from JSON Schema ({draft}). Properties not in `required` get null_rate "
        f"{NULL_RATE}."
    )
    return render(entities, header), []
