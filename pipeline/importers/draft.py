"""The importers' common result: entities and fields in our language, with comments.

Rendered by hand rather than with ``yaml.dump`` so that fields stay one per line in flow style,
keys come in a fixed order, and a comment can follow a field.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

import yaml

from pipeline.schema.rules import output_name_problem

_KEY_ORDER = (
    "type", "precision", "scale", "width", "unsigned", "timezone", "entity", "via", "field",
    "keys", "values", "weights", "value", "start", "end", "step", "min", "max", "decimals",
    "pattern", "template", "min_length", "max_length", "name", "of", "min_items", "max_items",
    "distribution", "args", "locale", "unique", "null_rate", "absent_rate", "output_name", "hidden",
    "description",
)  # fmt: skip
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-/]*")
NULL_RATE = 0.1  # nullable source columns


@dataclasses.dataclass
class FieldDraft:
    """A field spec (``fields`` holds FieldDrafts, ``of`` a FieldDraft) and its comment."""

    spec: dict[str, Any]
    comment: str | None = None
    outside: bool = False  # made for a schema kept in another document: a stand-in value
    dropped: str | None = None  # why a name rule gave way to the declared type: a warning


def dropped_rules(fields: dict[str, FieldDraft], path: str = "") -> list[tuple[str, str]]:
    """``(path, reason)`` of each field, nested ones too, whose name rule the declared type
    dropped."""
    out: list[tuple[str, str]] = []
    for name, draft in fields.items():
        out.extend(_dropped(draft, f"{path}.{name}" if path else name))
    return out


def _dropped(draft: FieldDraft, path: str) -> list[tuple[str, str]]:
    out = [(path, draft.dropped)] if draft.dropped else []
    if isinstance(draft.spec.get("fields"), dict):
        out.extend(dropped_rules(draft.spec["fields"], path))
    for key, suffix in (("of", "[]"), ("keys", ".key"), ("values", ".value")):
        if isinstance(draft.spec.get(key), FieldDraft):
            out.extend(_dropped(draft.spec[key], path + suffix))
    return out


@dataclasses.dataclass
class EntityDraft:
    fields: dict[str, FieldDraft]
    count: int | None = None
    description: str | None = None
    unique: list[list[str]] = dataclasses.field(default_factory=list)  # fields unique together


def safe_name(name: str, taken: set[str] | None = None) -> str:
    """A name allowed by the language, kept as close to ``name`` as possible."""
    out = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_") or "field"
    if not out[0].isalpha():
        out = f"f_{out}"
    out = out[:64]
    if taken is not None:
        base, n = out, 2
        while out in taken:
            suffix = f"_{n}"
            out, n = base[: 64 - len(suffix)] + suffix, n + 1
        taken.add(out)
    return out


def renamed(original: str, name: str) -> str | None:
    return None if original == name else f"source name: {original}"


def keep_source_name(spec: dict[str, Any], original: str, name: str, written: set[str]) -> None:
    """Make the field ``name`` write the source's ``original`` name (``output_name``) when the
    two differ, so generated files carry the source's names; ``written`` holds the names the
    field's siblings write (updated).

    A name no output can carry (empty, control characters, too long) or one a sibling writes
    already (a source repeating a name) stays in the description instead.
    """
    spec.pop("output_name", None)  # a spec copied from another field must not write its name
    if original != name and original not in written and output_name_problem(original) is None:
        spec["output_name"] = original
        written.add(original)
        return
    add_description(spec, renamed(original, name))
    written.add(name)


def add_description(spec: dict[str, Any], text: str | None) -> None:
    if text:
        old = spec.get("description")
        spec["description"] = f"{old}; {text}" if old else text


def scalar(value: Any) -> str:
    """One value in YAML flow syntax that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return yaml.safe_dump(value).split("\n", 1)[0]
    if isinstance(value, dt.datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.fullmatch(text) and yaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _ordered(spec: dict[str, Any]) -> list[tuple[str, Any]]:
    rank = {k: i for i, k in enumerate(_KEY_ORDER)}
    return sorted(spec.items(), key=lambda kv: rank.get(kv[0], len(rank)))


def _flow(value: Any) -> str:
    if isinstance(value, FieldDraft):
        return _flow_spec(value.spec)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in _ordered(value)) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _flow_spec(spec: dict[str, Any]) -> str:
    if list(spec) == ["type"]:
        return scalar(spec["type"])
    return _flow(spec)


_NESTED = ("of", "keys", "values")  # options holding a field spec (an array's, a map's)


def _is_flat(spec: dict[str, Any]) -> bool:
    if "fields" in spec:
        return False
    return all(
        not isinstance(spec.get(key), FieldDraft) or _is_flat(spec[key].spec) for key in _NESTED
    )


def _key(name: str) -> str:
    """A mapping key YAML reads back as the same text (``on``, ``yes``, ``true`` are quoted)."""
    return name if yaml.safe_load(name) == name else json.dumps(name)


def _field_lines(name: str, draft: FieldDraft, indent: int) -> list[str]:
    name = _key(name)
    pad = " " * indent
    note = f"  # {draft.comment}" if draft.comment else ""
    if _is_flat(draft.spec):
        return [f"{pad}{name}: {_flow_spec(draft.spec)}{note}"]
    lines = [f"{pad}{name}:{note}"]
    for key, value in _ordered(draft.spec):
        if key == "fields":
            continue
        if key in _NESTED and isinstance(value, FieldDraft):
            lines.extend(_field_lines(key, value, indent + 2))
        else:
            lines.append(f"{pad}  {key}: {_flow(value)}")
    if "fields" in draft.spec:
        lines.append(f"{pad}  fields:")
        for child, sub in draft.spec["fields"].items():
            lines.extend(_field_lines(child, sub, indent + 4))
    return lines


def render(entities: dict[str, EntityDraft], header: str) -> str:
    """The YAML text of a schema, with ``header`` as a leading comment."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += ["version: 1", "entities:"]
    for name, entity in entities.items():
        lines.append(f"  {_key(name)}:")
        if entity.description:
            lines.append(f"    description: {scalar(entity.description)}")
        if entity.count is not None:
            lines.append(f"    count: {entity.count}")
        if entity.unique:
            lines.append(f"    unique: {_flow(entity.unique)}")
        lines.append("    fields:")
        for field_name, draft in entity.fields.items():
            lines.extend(_field_lines(field_name, draft, 6))
    return "\n".join(lines) + "\n"
