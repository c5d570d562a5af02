"""Decoding plain YAML values into the typed model, option by option.

msgspec stops at the first error of a struct, so each option is converted on its own; this
finds every unknown key and wrong value type in one pass. A field that cannot be decoded is
left out of the result and its path recorded, so later rules do not report it twice.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from typing import Any

import msgspec

from pipeline.schema import model as m
from pipeline.schema.mimesis_methods import list_methods, unknown_method_message
from pipeline.schema.problems import Problems, did_you_mean
from pipeline.schema.yaml_lines import Path

NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
NAME_RULE = "letters, digits and _, starting with a letter, at most 64 characters"

FIELD_CLASSES: dict[str, type[m.FieldBase]] = {
    cls.__struct_config__.tag: cls for cls in m.Field.__args__
}


KINDS: tuple[str, ...] = typing.get_args(
    msgspec.structs.fields(m.Distribution)[0].type  # the Literal of `kind`
)


class Decoded(msgspec.Struct):
    """A possibly partial schema and the paths whose content could not be decoded."""

    schema: m.Schema | None
    broken: set[Path]


@functools.cache
def _option_types(cls: type[msgspec.Struct]) -> dict[str, tuple[Any, bool]]:
    """Option name -> (type, required) of a struct."""
    return {f.name: (f.type, f.required) for f in msgspec.structs.fields(cls)}


def _convert(value: Any, typ: Any, path: Path, problems: Problems) -> tuple[bool, Any]:
    try:
        out = msgspec.convert(value, typ)
    except msgspec.ValidationError as exc:
        message = str(exc).split(" - at ", 1)[0]
        if isinstance(value, bool):
            # The classic YAML trap: locale `no` (Norwegian) or a choice value `off`.
            message += "; YAML reads unquoted yes, no, on and off as booleans: quote the text"
        problems.add(path, f"{message} (got {value!r})")
        return False, None
    if isinstance(out, dt.datetime) and out.tzinfo is None:
        out = out.replace(tzinfo=m.UTC)  # the language reads datetimes without offset as UTC
    return True, out


def _options(
    cls: type[msgspec.Struct],
    raw: dict[Any, Any],
    path: Path,
    problems: Problems,
    *,
    skip: frozenset[str] = frozenset(),
    what: str,
    partial: bool = False,
) -> dict[str, Any] | None:
    """Convert the plain options of ``raw`` for ``cls``; None when any is wrong.

    With ``partial`` the options that converted are returned even when others did not.
    """
    types = _option_types(cls)
    ok = True
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in skip:
            continue
        if key not in types:
            known = sorted(set(types) - {"method"})
            problems.add(
                (*path, str(key)),
                f"unknown option {key!r} for {what}"
                + did_you_mean(str(key), known)
                + f" (options: {', '.join(known)})",
            )
            ok = False
            continue
        typ, _ = types[key]
        if typ is m.Distribution:
            dist = _distribution(value, (*path, key), problems)
            ok = ok and dist is not None
            if dist is not None:
                out[key] = dist
            continue
        good, converted = _convert(value, typ, (*path, key), problems)
        ok = ok and good
        if good:
            out[key] = converted
    for key, (_, required) in types.items():
        if required and key not in raw and key not in skip:
            problems.add(path, f"{what} needs option {key!r}")
            ok = False
    return out if ok or partial else None


def _distribution(raw: Any, path: Path, problems: Problems) -> m.Distribution | None:
    if isinstance(raw, str):
        raw = {"kind": raw}
    if not isinstance(raw, dict):
        problems.add(path, "a distribution is a mapping such as {kind: normal, mean: 0, stddev: 1}")
        return None
    kind = raw.get("kind", "uniform")
    if kind not in KINDS:
        problems.add(
            (*path, "kind"),
            f"unknown distribution kind {kind!r}"
            + did_you_mean(str(kind), KINDS)
            + f" (kinds: {', '.join(KINDS)})",
        )
        return None
    opts = _options(m.Distribution, raw, path, problems, what="distribution")
    return None if opts is None else m.Distribution(**opts)


def decode_field(raw: Any, path: Path, problems: Problems, broken: set[Path]) -> m.Field | None:
    """One field as written (shorthand or mapping) to its struct, or None with problems added."""
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, dict):
        problems.add(path, "a field is a type name or a mapping with `type`")
        broken.add(path)
        return None
    kind = raw.get("type")
    if kind is None:
        problems.add(path, "missing `type`")
        broken.add(path)
        return None
    if not isinstance(kind, str):
        problems.add((*path, "type"), f"`type` must be text, got {kind!r}")
        broken.add(path)
        return None
    result = _decode_typed(kind, raw, path, problems, broken)
    if result is None:
        broken.add(path)
    return result


def _decode_typed(
    kind: str, raw: dict[Any, Any], path: Path, problems: Problems, broken: set[Path]
) -> m.Field | None:
    body = {k: v for k, v in raw.items() if k != "type"}
    if "." in kind:
        if "method" in body:
            problems.add((*path, "method"), "unknown option 'method'")
            return None
        body["method"] = kind
        cls: type[m.FieldBase] = m.Mimesis
        if kind not in list_methods():
            problems.add((*path, "type"), unknown_method_message(kind))
            return None
    elif kind in FIELD_CLASSES:
        cls = FIELD_CLASSES[kind]
    else:
        hint = did_you_mean(kind, [*m.BUILTIN_TYPES, *list_methods()])
        problems.add((*path, "type"), f"unknown type {kind!r}{hint}")
        return None
    what = f"type {kind}"
    if cls is m.Object:
        opts = _options(cls, body, path, problems, skip=frozenset({"fields"}), what=what)
        children = _decode_fields(body.get("fields"), (*path, "fields"), problems, broken)
        if opts is None or children is None:
            return None
        return m.Object(**opts, fields=children)
    if cls is m.Array:
        opts = _options(cls, body, path, problems, skip=frozenset({"of"}), what=what)
        if "of" not in body:
            problems.add(path, "type array needs option 'of' (the spec of its items)")
            return None
        item = decode_field(body["of"], (*path, "of"), problems, broken)
        if opts is None or item is None:
            return None
        return m.Array(**opts, of=item)
    if cls is m.Map:
        return _decode_map(body, path, problems, broken)
    if cls is m.Cases:
        return _decode_cases(body, path, problems, broken)
    opts = _options(cls, body, path, problems, what=what)
    return None if opts is None else typing.cast(m.Field, cls(**opts))


def _decode_map(
    body: dict[Any, Any], path: Path, problems: Problems, broken: set[Path]
) -> m.Map | None:
    opts = _options(
        m.Map, body, path, problems, skip=frozenset({"keys", "values"}), what="type map"
    )
    parts: dict[str, m.Field] = {}
    for part in ("keys", "values"):
        if part not in body:
            problems.add(path, f"type map needs option {part!r} (the spec of its {part})")
            continue
        decoded = decode_field(body[part], (*path, part), problems, broken)
        if decoded is not None:
            parts[part] = decoded
    if opts is None or len(parts) < 2:
        return None
    return m.Map(**opts, keys=parts["keys"], values=parts["values"])


def _decode_cases(
    body: dict[Any, Any], path: Path, problems: Problems, broken: set[Path]
) -> m.Cases | None:
    """``cases`` and ``else`` hold field specs, decoded as fields so their problems have paths."""
    opts = _options(m.Cases, body, path, problems, skip=frozenset({"cases", "else"}),
                    what="type cases")  # fmt: skip
    raw = body.get("cases")
    if not isinstance(raw, list) or not raw:
        problems.add((*path, "cases"), "`cases` must be a non-empty list of {when: ..., then: ...}")
        return None
    branches: list[m.Case] = []
    ok = opts is not None
    for i, item in enumerate(raw):
        where: Path = (*path, "cases", i)
        if not isinstance(item, dict) or "then" not in item or "when" not in item:
            problems.add(where, "a case is a mapping {when: <condition>, then: <field>}")
            ok = False
            continue
        extra = sorted(str(k) for k in item if k not in ("when", "then"))
        if extra:
            problems.add(
                (*where, extra[0]), f"unknown option {extra[0]!r} for a case (options: then, when)"
            )
            ok = False
        good, when = _convert(item["when"], str, (*where, "when"), problems)
        then = decode_field(item["then"], (*where, "then"), problems, broken)
        if not good or then is None:
            ok = False
            continue
        branches.append(m.Case(when=when, then=then))
    otherwise = None
    if body.get("else") is not None:
        otherwise = decode_field(body["else"], (*path, "else"), problems, broken)
        ok = ok and otherwise is not None
    if not ok or opts is None:
        return None
    return m.Cases(**opts, cases=branches, else_=otherwise)


def _decode_fields(
    raw: Any, path: Path, problems: Problems, broken: set[Path]
) -> dict[str, m.Field] | None:
    """A mapping of field names to fields as written; None when it is not a mapping or is empty."""
    if not isinstance(raw, dict) or not raw:
        problems.add(path, "`fields` must be a non-empty mapping of field names to types")
        return None
    out: dict[str, m.Field] = {}
    for name, written in raw.items():
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            problems.add((*path, str(name)), f"field name {name!r} is not allowed: {NAME_RULE}")
        decoded = decode_field(written, (*path, str(name)), problems, broken)
        if decoded is not None:
            out[str(name)] = decoded
    return out


def _decode_entity(raw: Any, path: Path, problems: Problems, broken: set[Path]) -> m.Entity | None:
    if not isinstance(raw, dict):
        problems.add(path, "an entity is a mapping with `fields` (and optionally `count`)")
        return None
    count = raw.get("count")
    groups = isinstance(count, dict)
    skip = frozenset({"fields", "count"} if groups else {"fields"})
    opts = _options(m.Entity, raw, path, problems, skip=skip, what="an entity")
    if isinstance(count, dict):
        per = _options(m.PerParent, count, (*path, "count"), problems, what="count per parent")
        if opts is not None:
            opts = None if per is None else {**opts, "count": m.PerParent(**per)}
    if "fields" not in raw:
        problems.add(path, "an entity needs `fields`")
        return None
    fields = _decode_fields(raw["fields"], (*path, "fields"), problems, broken)
    if opts is None or fields is None:
        return None
    return m.Entity(**opts, fields=fields)


def decode_schema(raw: Any, problems: Problems) -> Decoded:
    """Decode a whole schema; fields and entities with problems are left out of the result."""
    broken: set[Path] = set()
    if not isinstance(raw, dict):
        problems.add((), "a schema is a mapping with `entities`")
        return Decoded(schema=None, broken=broken)
    opts = _options(
        m.Schema, raw, (), problems, skip=frozenset({"entities"}), what="a schema", partial=True
    )
    entities_raw = raw.get("entities")
    if not isinstance(entities_raw, dict) or not entities_raw:
        problems.add(("entities",), "`entities` must be a non-empty mapping of entity names")
        return Decoded(schema=None, broken=broken)
    entities: dict[str, m.Entity] = {}
    for name, ent in entities_raw.items():
        path: Path = ("entities", str(name))
        if not isinstance(name, str) or not NAME_RE.fullmatch(name):
            problems.add(path, f"entity name {name!r} is not allowed: {NAME_RULE}")
        decoded = _decode_entity(ent, path, problems, broken)
        if decoded is None:
            broken.add(path)
        else:
            entities[str(name)] = decoded
    # Wrong top-level options are reported; the entities are still checked.
    return Decoded(schema=m.Schema(**(opts or {}), entities=entities), broken=broken)
