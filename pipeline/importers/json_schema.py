"""JSON Schema (draft-04 to 2020-12) -> our schema language.

Every value generated must be valid under the source schema, so each construct is narrowed to
something the language can say and that the schema accepts: ``$ref`` is followed (local JSON
pointers, ``#`` itself, recursion up to a bounded depth), ``allOf`` is merged into the object it
sits on and ``oneOf``/``anyOf`` contribute their first non-null alternative merged the same
way (a ``oneOf`` of ``required`` lists keeps one list and leaves out the keys only the others
require), a regex becomes a pattern drawing strings it matches, optional properties are left out of
some rows (``absent_rate``) and never written as a null the schema refuses, property names
that are not identifiers keep their key (``output_name``), and objects with only
patternProperties or additionalProperties become maps. What cannot be kept is reported as a
warning with its path.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Literal

from pipeline.importers import name_bounds, naming
from pipeline.importers.draft import (
    NULL_RATE,
    EntityDraft,
    FieldDraft,
    add_description,
    keep_source_name,
    renamed,
    render,
    safe_name,
)
from pipeline.importers.json_schema_conditions import CONDITIONAL, NEVER, apply_conditions
from pipeline.importers.json_text import read_json, refuse
from pipeline.importers.regex_pattern import regex_sample_pattern, regex_to_pattern

_FORMATS: dict[str, dict[str, Any]] = {
    "email": {"type": "person.email"},
    "idn-email": {"type": "person.email"},
    "uuid": {"type": "uuid"},
    "date": {"type": "date"},
    "date-time": {"type": "datetime"},
    "uri": {"type": "internet.url"},
    "iri": {"type": "internet.url"},
    "uri-reference": {"type": "internet.url"},
    "iri-reference": {"type": "internet.url"},
    "uri-template": {"type": "internet.url"},
    "ipv4": {"type": "internet.ip_v4"},
    "ipv6": {"type": "internet.ip_v6"},
    "hostname": {"type": "internet.hostname"},
    "idn-hostname": {"type": "internet.hostname"},
    "time": {"type": "datetime.time"},
}
_DEFS = ("$defs", "definitions")
_NUMBERS = ("address.latitude", "address.longitude")  # generators of numbers, not text
# Keywords read nowhere: the rows may break them, so each one found is reported.
_NOT_ENFORCED = (
    "not", "dependentSchemas", "propertyNames", "contains", "unevaluatedProperties",
)  # fmt: skip
_COMBINED = ("allOf", "oneOf", "anyOf")
REF_DEPTH = 2  # how many times one $ref may repeat along a path before recursion stops
ABSENT_RATE = 0.2  # optional properties: the share of rows that leave them out
_OUTSIDE = " outside"  # set where a $ref to another document was not followed
# The text-like parts of a oneOf alternative that only names required keys.
_REMARKS = ("title", "description", "$comment")


def _pointer(doc: Any, ref: str) -> Any:
    """The part of ``doc`` a local reference (``#``, ``#/a/b``) names, or None."""
    fragment = urllib.parse.unquote(ref.partition("#")[2])
    node = doc
    for part in [p for p in fragment.split("/") if p] if fragment else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Two schemas that must both hold, as one (properties and required lists joined)."""
    out = dict(base)
    for k, v in extra.items():
        if k == "properties" and isinstance(v, dict) and isinstance(out.get(k), dict):
            props = dict(out[k])
            for name, sub in v.items():
                old = props.get(name)
                if isinstance(old, dict) and isinstance(sub, dict):
                    props[name] = _merge(old, sub)
                else:
                    props[name] = sub
            out[k] = props
        elif k in ("required", NEVER) and isinstance(v, list):
            out[k] = list(dict.fromkeys([*_listed(out.get(k)), *v]))
        elif k == "type" and k in out and out[k] != v:
            mine = out[k] if isinstance(out[k], list) else [out[k]]
            theirs = v if isinstance(v, list) else [v]
            common = [t for t in mine if t in theirs] or theirs
            out[k] = common if len(common) > 1 else common[0]
        else:
            out[k] = v
    return out


class _Converter:
    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.warnings: list[dict[str, Any]] = []

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(
            {"line": None, "path": path, "message": f"{path or '(root)'}: {message}"}
        )

    def flatten(
        self, sub: dict[str, Any], path: str, seen: tuple[str, ...]
    ) -> tuple[dict[str, Any] | None, bool, tuple[str, ...]]:
        """The schema with $ref and allOf/oneOf/anyOf folded in, whether an alternative was
        null, and the refs followed; None when recursion stops here."""
        out = {k: v for k, v in sub.items() if k not in ("$ref", *_COMBINED, *CONDITIONAL)}
        conditions = [sub] if "if" in sub else []
        nullable = False
        for keyword in _NOT_ENFORCED:
            if keyword in sub:
                self.warn(path, f"{keyword} is not enforced")
        rules = sub.get("dependencies")
        if isinstance(rules, dict) and any(not isinstance(v, list) for v in rules.values()):
            self.warn(path, "dependencies holding schemas are not enforced")
        ref = sub.get("$ref")
        if isinstance(ref, str):
            if not ref.startswith("#"):
                self.warn(path, f"$ref {ref!r} points outside this document; not followed")
                out = _merge({"description": f"$ref {ref} (not followed)", _OUTSIDE: True}, out)
            elif seen.count(ref) >= REF_DEPTH:
                return None, nullable, seen
            else:
                target = _pointer(self.doc, ref)
                if not isinstance(target, dict):
                    if target is True or target == {}:
                        target = {}
                    else:
                        raise refuse(f"{path}.$ref", f"cannot resolve $ref {ref!r}")
                inner, inner_null, seen = self.flatten(target, path, (*seen, ref))
                if inner is None:
                    return None, nullable, seen
                nullable = nullable or inner_null
                out = _merge(inner, out)
        for part in _listed(sub.get("allOf")):
            if isinstance(part, dict) and "if" in part:
                conditions.append(part)
                part = {k: v for k, v in part.items() if k not in CONDITIONAL}
            if isinstance(part, dict):
                inner, inner_null, seen = self.flatten(part, path, seen)
                if inner is None:
                    return None, nullable, seen
                out = _merge(out, inner)
        for combo in ("oneOf", "anyOf"):
            options = sub.get(combo)
            if not isinstance(options, list) or not options:
                continue
            non_null = [o for o in options if not (isinstance(o, dict) and o.get("type") == "null")]
            nullable = nullable or len(non_null) < len(options)
            choice = next((o for o in non_null if isinstance(o, dict)), None)
            if choice is None:
                continue
            if combo == "oneOf" and all(_names_required(o) for o in non_null):
                out = _merge(out, _one_required_set(non_null))
                continue
            inner, inner_null, seen = self.flatten(choice, path, seen)
            if inner is None:
                continue
            if len(non_null) > 1:
                add_description(out, f"first choice of {combo}")
                if combo == "oneOf":
                    self.warn(
                        path,
                        "oneOf: only the first alternative is generated; values may match "
                        "more than one",
                    )
            out = _merge(out, inner)
        if conditions:
            out = apply_conditions(
                out,
                conditions,
                lambda part: self.flatten(part, path, seen)[0] if isinstance(part, dict) else None,
                _merge,
                lambda message: self.warn(path, message),
            )
        return out, nullable, seen

    def fields(
        self, schema: dict[str, Any], path: str, entity: str, seen: tuple[str, ...]
    ) -> dict[str, FieldDraft]:
        """The properties as fields: required ones written in every row, optional ones left
        out of some rows, and kept or left out as dependencies and minProperties/maxProperties
        ask."""
        required = {str(k) for k in _listed(schema.get("required"))}
        never = set(schema.get(NEVER) or []) - required
        props = schema.get("properties") or {}
        if not isinstance(props, dict):
            raise refuse(f"{path}.properties", "properties must be an object")
        keys = _Keys()
        taken: set[str] = set()
        for name, sub in props.items():
            keys.names[name] = safe_name(name, taken)
            where = f"{path}.properties.{name}"
            if name in never:
                keys.leave_out(name, "another oneOf alternative requires it")
                continue
            draft = self.field(sub, where, name, entity, seen)
            if draft is None and name in required:
                self.warn(where, "required, but recursion stops here: a null is written")
                draft = FieldDraft(
                    {"type": "constant", "value": None, "description": "recursion stops here"}
                )
            if draft is None:
                keys.leave_out(name, "recursion stops here")
                continue
            keys.put(name, draft)
            if name not in required:
                keys.optional.append(name)
        # A value for a schema kept in another document is a stand-in that schema may refuse:
        # such properties come last, and are written only where a rule needs them.
        keys.optional.sort(key=lambda n: keys.draft(n).outside)
        always = self._dependencies(schema, path, required, keys)
        self._count_properties(schema, path, len((required | always) & set(props)), keys)
        for name in keys.optional:
            if keys.draft(name).outside:
                keys.leave_out(name, "its schema is in another document")
            elif "null_rate" not in keys.draft(name).spec:  # one allowing null writes nulls
                keys.draft(name).spec["absent_rate"] = ABSENT_RATE
        return keys.fields

    def _dependencies(
        self, schema: dict[str, Any], path: str, required: set[str], keys: _Keys
    ) -> set[str]:
        """dependencies/dependentRequired lists: the keys a written key needs are written in
        every row, or the key is left out when one of them never is. Returns the properties
        made to be written in every row."""
        always: set[str] = set()
        rules: dict[str, Any] = {}
        for keyword in ("dependencies", "dependentRequired"):
            found = schema.get(keyword)
            rules.update(found if isinstance(found, dict) else {})
        for key, needs in rules.items():
            if not isinstance(needs, list) or key not in keys.names or keys.is_left_out(key):
                continue
            missing = [n for n in needs if n not in keys.names or keys.is_left_out(n)]
            if not missing:
                for need in needs:
                    if need in keys.optional:
                        keys.optional.remove(need)
                        always.add(need)
                        add_description(keys.draft(need).spec, f"written with {key}")
            elif key in keys.optional:
                keys.optional.remove(key)
                keys.leave_out(key, f"it needs {missing[0]}, which is never written")
            elif key in required:
                self.warn(path, f"{key} needs {missing[0]}, which is never written")
        return always

    def _count_properties(
        self, schema: dict[str, Any], path: str, required: int, keys: _Keys
    ) -> None:
        """minProperties: the first optional properties are written in every row;
        maxProperties: the optional properties past the limit are left out of every row."""
        lo, hi = schema.get("minProperties"), schema.get("maxProperties")
        if isinstance(hi, int) and not isinstance(hi, bool):
            room = max(0, hi - required)
            if required > hi:
                self.warn(path, f"maxProperties {hi} is less than the required properties")
            for name in keys.optional[room:]:
                keys.leave_out(name, f"maxProperties {hi}")
            del keys.optional[room:]
        if isinstance(lo, int) and not isinstance(lo, bool) and lo > required:
            needed = lo - required
            if needed > len(keys.optional):
                self.warn(path, f"minProperties {lo}: not enough properties to write")
            for name in keys.optional[:needed]:
                add_description(keys.draft(name).spec, f"written in every row (minProperties {lo})")
            del keys.optional[:needed]

    def field(
        self, sub: Any, path: str, name: str, entity: str, seen: tuple[str, ...]
    ) -> FieldDraft | None:
        if sub is True or sub == {}:
            return FieldDraft({"type": "text.word", "description": "any value"})
        if not isinstance(sub, dict):
            raise refuse(path, "a property's schema must be an object")
        flat, nullable, seen = self.flatten(sub, path, seen)
        if flat is None:
            target = _pointer(self.doc, str(sub.get("$ref", "")))
            array = isinstance(target, dict) and target.get("type") == "array"
            if array and not target.get("minItems"):  # recursion ends in an empty list
                of = FieldDraft({"type": "constant", "value": None})
                return FieldDraft({"type": "array", "of": of, "max_items": 0})
            return None
        kind = flat.get("type")
        if isinstance(kind, list):
            nullable = nullable or "null" in kind
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if kinds else "null"
        draft = self.typed(flat, kind, path, name, entity, seen)
        draft.outside = bool(flat.get(_OUTSIDE))
        if nullable and draft.spec["type"] not in ("sequence", "uuid"):
            draft.spec["null_rate"] = NULL_RATE
        add_description(
            draft.spec,
            flat.get("description") if isinstance(flat.get("description"), str) else None,
        )
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
            return self.constant(sub["const"], path)
        if "enum" in sub and isinstance(sub["enum"], list):
            values = [v for v in sub["enum"] if v is not None and not isinstance(v, dict | list)]
            if not values:
                return self.constant(sub["enum"][0] if sub["enum"] else None, path)
            spec: dict[str, Any] = {"type": "choice", "values": values}
            if len({type(v) for v in values}) > 1:
                self.warn(path, "enum mixes value types; the language writes them as text")
            if len(values) < len(sub["enum"]) and None in sub["enum"]:
                spec["null_rate"] = NULL_RATE
            return FieldDraft(spec)
        if kind == "object" or (kind is None and "properties" in sub):
            if not sub.get("properties"):
                return self.open_object(sub, path, name, entity, seen)
            fields = self.fields(sub, path, entity, seen)
            return FieldDraft({"type": "object", "fields": fields})
        if kind == "array":
            return self.array(sub, path, name, entity, seen)
        if kind in ("integer", "number"):
            return self.number(sub, kind, name, path)
        if kind == "boolean":
            return FieldDraft({"type": "boolean"})
        if kind == "null":
            return FieldDraft({"type": "constant", "value": None})
        if kind in ("string", None):
            return self.string(sub, name, entity, path)
        raise refuse(f"{path}.type", f"unknown JSON Schema type {kind!r}")

    def open_object(
        self, sub: dict[str, Any], path: str, name: str, entity: str, seen: tuple[str, ...]
    ) -> FieldDraft:
        """An object the schema gives no properties: a map whose keys follow its
        patternProperties (or its propertyNames, or are words) and whose values follow the
        schema of that pattern (or additionalProperties)."""
        extra = sub.get("additionalProperties", True)
        keys: dict[str, Any] | None = None
        value_schema: Any = extra if isinstance(extra, dict) else True
        where = path
        found = sub.get("patternProperties")
        patterns: dict[str, Any] = found if isinstance(found, dict) else {}
        for regex, value in patterns.items():
            pattern = regex_sample_pattern(regex) if isinstance(regex, str) else None
            if pattern is not None:
                keys = {"type": "pattern", "pattern": pattern}
                value_schema, where = value, f"{path}.patternProperties.{regex}"
                if len(patterns) > 1:
                    self.warn(path, f"map keys follow the first usable pattern only ({regex})")
                break
        names = sub.get("propertyNames")
        if keys is None and isinstance(names, dict) and isinstance(names.get("pattern"), str):
            pattern = regex_sample_pattern(names["pattern"])
            keys = {"type": "pattern", "pattern": pattern} if pattern is not None else None
        lo = _whole(sub.get("minProperties"), 0)
        hi = _whole(sub.get("maxProperties"), max(lo, 3))
        if keys is None and (patterns or extra is False or names):
            # No key it can write is allowed: the object stays empty.
            if patterns or names:
                self.warn(path, "no key pattern can be generated; an empty object is written")
            keys, lo, hi = {"type": "text.word"}, 0, 0
        value = self.field(value_schema, where, "value", entity, seen)
        if value is None:  # recursion stops: an empty object
            value, lo, hi = FieldDraft({"type": "constant", "value": None}), 0, 0
        spec: dict[str, Any] = {
            "type": "map",
            "keys": FieldDraft(keys or {"type": "text.word"}),
            "values": value,
        }
        if lo:
            spec["min_items"] = lo
        if hi != 3:
            spec["max_items"] = hi
        add_description(spec, "free-form object")
        return FieldDraft(spec)

    def constant(self, value: Any, path: str) -> FieldDraft:
        if isinstance(value, dict | list):
            self.warn(path, "a const object or array cannot be written; null written")
            return FieldDraft({"type": "constant", "value": None, "description": "const object"})
        return FieldDraft({"type": "constant", "value": value})

    def array(
        self, sub: dict[str, Any], path: str, name: str, entity: str, seen: tuple[str, ...]
    ) -> FieldDraft:
        items = sub.get("items", sub.get("prefixItems", True))
        if isinstance(items, list):
            items = items[0] if items else True
        lo = int(sub.get("minItems", 0))
        hi = int(sub.get("maxItems", max(lo, 3)))
        item = self.field(items, f"{path}.items", name, entity, seen)
        if item is None:  # recursion stops: an empty list is always valid when allowed
            if lo:
                self.warn(path, "recursion stops in an array that needs items")
            item = FieldDraft({"type": "constant", "value": None})
            lo = hi = 0
        item.spec.pop("null_rate", None)
        item.spec.pop("unique", None)
        if sub.get("uniqueItems") and lo <= 1:
            hi = min(hi, 1)  # one item is always unique; the language cannot promise more
        elif sub.get("uniqueItems"):
            self.warn(path, "uniqueItems with minItems > 1 is not enforced")
        spec: dict[str, Any] = {"type": "array", "of": item}
        if lo:
            spec["min_items"] = lo
        if hi != 3:
            spec["max_items"] = hi
        return FieldDraft(spec, item.comment)

    def number(self, sub: dict[str, Any], kind: str, name: str, path: str) -> FieldDraft:
        lo = sub.get("minimum")
        hi = sub.get("maximum")
        step = 1 if kind == "integer" else 0

        def above(bound: float) -> float:
            return bound + step if step else round(bound + 1e-6 * max(1.0, abs(bound)), 6)

        def below(bound: float) -> float:
            return bound - step if step else round(bound - 1e-6 * max(1.0, abs(bound)), 6)

        # draft-04 writes exclusive bounds as booleans next to minimum/maximum.
        low, high = sub.get("exclusiveMinimum"), sub.get("exclusiveMaximum")
        if low is True and lo is not None:
            lo = above(lo)
        if high is True and hi is not None:
            hi = below(hi)
        if isinstance(low, int | float) and not isinstance(low, bool):
            lo = above(low)
        if isinstance(high, int | float) and not isinstance(high, bool):
            hi = below(high)
        typ: Literal["integer", "float"] = "integer" if kind == "integer" else "float"
        spec: dict[str, Any] = {"type": typ}
        comment = None
        if typ == "integer":
            lo = int(lo) if lo is not None else None
            hi = int(hi) if hi is not None else None
        stated = frozenset(side for side, v in (("min", lo), ("max", hi)) if v is not None)
        named = name_bounds.number(name, typ, lo, hi, stated=stated)
        if named.dropped is not None:
            self.warn(path, named.dropped)
        guessed = naming.guess(name, typ)
        if named.spec is not None:
            spec, comment = named.spec, naming.PICKED
        elif lo is None and hi is None:
            if naming.snake(name) == "id" and typ == "integer":
                guessed = {"type": "sequence"}
            if guessed is not None:  # not a range: a latitude, say
                spec, comment = guessed, naming.PICKED
        else:
            spec["min"] = lo if lo is not None else min(0, hi if hi is not None else 0)
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

    def string(self, sub: dict[str, Any], name: str, entity: str, path: str) -> FieldDraft:
        fmt = sub.get("format")
        lo, hi = sub.get("minLength"), sub.get("maxLength")
        lengths = "; ".join(
            f"{k}: {v}" for k, v in (("minLength", lo), ("maxLength", hi)) if v is not None
        )
        if isinstance(sub.get("pattern"), str):
            pattern = regex_sample_pattern(sub["pattern"])
            if pattern is not None:
                spec = {"type": "pattern", "pattern": pattern}
                exact = regex_to_pattern(sub["pattern"]) is not None
                add_description(spec, None if exact else f"narrowed from pattern {sub['pattern']}")
                return FieldDraft(spec)
            self.warn(path, f"pattern {sub['pattern']!r} cannot be generated")
            spec = {"type": "text.word", "description": f"pattern {sub['pattern']}"}
            return FieldDraft(spec, "regex not expressible as a pattern; see description")
        if isinstance(fmt, str) and fmt in _FORMATS:
            spec = dict(_FORMATS[fmt])
            if naming.fits(spec, hi) and (lo or 0) <= 1:
                add_description(spec, lengths or None)
                return FieldDraft(spec)
        if naming.snake(name) == "id" and (lo or 0) <= 1 and naming.fits({"type": "uuid"}, hi):
            return FieldDraft({"type": "uuid"}, naming.PICKED)
        # Numbers, where the schema wants a string, are never picked.
        named = name_bounds.text(name, entity, lo, hi, frozenset(_NUMBERS))
        if named.dropped is not None:
            self.warn(path, named.dropped)
        if named.spec is not None:
            add_description(named.spec, lengths or None)
            return FieldDraft(named.spec, naming.PICKED)
        if lo is not None or hi is not None:
            size = max(int(lo or 1), min(int(hi if hi is not None else 10), 10))
            spec = {"type": "pattern", "pattern": "?" * size}
            add_description(spec, lengths)
            return FieldDraft(spec)
        return FieldDraft({"type": "text.word"})


class _Keys:
    """The fields one object's properties become, by property name."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}  # property -> field name
        self.fields: dict[str, FieldDraft] = {}  # field name -> draft, in property order
        self.optional: list[str] = []  # properties that may be left out of a row
        self.written: dict[str, str] = {}  # property -> the name rows write for it

    def draft(self, name: str) -> FieldDraft:
        return self.fields[self.names[name]]

    def put(self, name: str, draft: FieldDraft) -> None:
        field_name = self.names[name]
        others = {w for key, w in self.written.items() if key != name}
        keep_source_name(draft.spec, name, field_name, others)
        self.written[name] = draft.spec.get("output_name", field_name)
        self.fields[field_name] = draft

    def leave_out(self, name: str, reason: str) -> None:
        """A property no row writes."""
        spec = {"type": "constant", "value": None, "absent_rate": 1}
        self.put(name, FieldDraft({**spec, "description": f"left out: {reason}"}))

    def is_left_out(self, name: str) -> bool:
        return self.draft(name).spec.get("absent_rate") == 1


def _listed(value: Any) -> list[Any]:
    """A list the schema gives, or none where it gives something else."""
    return value if isinstance(value, list) else []


def _whole(value: Any, default: int) -> int:
    """A count the schema gives, or ``default`` where it gives none (or not a count)."""
    return (
        value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else default
    )


def _names_required(option: Any) -> bool:
    """A oneOf alternative that only says which keys are required."""
    return (
        isinstance(option, dict)
        and isinstance(option.get("required"), list)
        and set(option) <= {"required", *_REMARKS}
    )


def _one_required_set(options: list[Any]) -> dict[str, Any]:
    """The first alternative's required keys, and the keys only the others require left out, so
    that exactly one alternative holds."""
    chosen = list(options[0]["required"])
    others = {key for o in options[1:] for key in o["required"]} - set(chosen)
    return {"required": chosen, NEVER: sorted(others)}


def _is_object(sub: Any) -> bool:
    return isinstance(sub, dict) and bool(sub.get("properties"))


def import_json_schema(text: str) -> tuple[str, list[dict[str, Any]]]:
    entities, doc, warnings = _entities(text)
    draft = doc.get("$schema", "draft unknown")
    header = (
        f"Imported from JSON Schema ({draft}). A property gets null_rate {NULL_RATE} only "
        f"where the schema allows null; other optional properties are left out of a share of "
        f"rows (absent_rate {ABSENT_RATE})."
    )
    unique = list({w["message"]: w for w in warnings}.values())
    return render({n: e for n, (e, _) in entities.items()}, header), unique


def entity_pointers(text: str) -> dict[str, str]:
    """Each entity the import makes, and the JSON pointer of the schema its rows obey."""
    return {name: pointer for name, (_, pointer) in _entities(text)[0].items()}


def _entities(
    text: str,
) -> tuple[dict[str, tuple[EntityDraft, str]], dict[str, Any], list[dict[str, Any]]]:
    doc = read_json(text, "JSON Schema")
    if not isinstance(doc, dict):
        raise refuse("", "a JSON Schema document must be an object")
    conv = _Converter(doc)
    entities: dict[str, tuple[EntityDraft, str]] = {}
    taken: set[str] = set()
    root, _, _ = conv.flatten(doc, "", ("#",))
    if root is not None and _is_object(root):
        title = str(doc.get("title") or "Record")
        name = safe_name(title, taken)
        fields = conv.fields(root, "", name, ("#",))
        description = doc.get("description") if isinstance(doc.get("description"), str) else None
        entity = EntityDraft(fields=fields, description=description or renamed(title, name))
        entities[name] = (entity, "#")
    for key in _DEFS:
        for def_name, sub in (doc.get(key) or {}).items():
            ref = f"#/{key}/{def_name}"
            flat = conv.flatten(sub, key, (ref,))[0] if isinstance(sub, dict) else None
            if not _is_object(flat):
                continue
            assert flat is not None
            name = safe_name(def_name, taken)
            fields = conv.fields(flat, f"{key}.{def_name}", name, (ref,))
            description = (
                sub.get("description") if isinstance(sub.get("description"), str) else None
            )
            entity = EntityDraft(fields=fields, description=description or renamed(def_name, name))
            entities[name] = (entity, ref)
    if not entities:
        raise refuse("", "no object with properties at the root or under $defs/definitions")
    return entities, doc, conv.warnings
