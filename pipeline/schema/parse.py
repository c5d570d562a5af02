"""Turning schema text into the typed model, structure only.

``pipeline.schema.load_schema`` is the full reader (every rule of docs/schema.md); this module
keeps the structure-only entry points and the shorthand normalisation for code that builds
schemas itself.
"""

from __future__ import annotations

from typing import Any

import msgspec

from pipeline.schema.decode import decode_schema
from pipeline.schema.errors import SchemaError
from pipeline.schema.model import Field, Schema
from pipeline.schema.problems import Problems
from pipeline.schema.yaml_lines import load_yaml

__all__ = ["SchemaError", "decode_field", "normalise", "normalise_field", "parse_schema"]


def normalise_field(raw: Any) -> Any:
    """Rewrite the shorthand forms into the tagged form the model decodes."""
    if isinstance(raw, str):
        raw = {"type": raw}
    if not isinstance(raw, dict):
        return raw
    out = dict(raw)
    kind = out.get("type")
    if isinstance(kind, str) and "." in kind:
        out["type"] = "mimesis"
        out["method"] = kind
    if isinstance(out.get("fields"), dict):
        out["fields"] = {k: normalise_field(v) for k, v in out["fields"].items()}
    if "of" in out:
        out["of"] = normalise_field(out["of"])
    return out


def normalise(raw: Any) -> Any:
    if not isinstance(raw, dict) or not isinstance(raw.get("entities"), dict):
        return raw
    out = dict(raw)
    out["entities"] = {
        name: (
            {**ent, "fields": {k: normalise_field(v) for k, v in ent["fields"].items()}}
            if isinstance(ent, dict) and isinstance(ent.get("fields"), dict)
            else ent
        )
        for name, ent in raw["entities"].items()
    }
    return out


def parse_schema(text: str) -> Schema:
    """Parse YAML schema text into the model: syntax, types and options, no cross-field rules."""
    raw, lines = load_yaml(text)
    problems = Problems(lines)
    decoded = decode_schema(raw, problems)
    if problems or decoded.schema is None:
        raise SchemaError(problems.items)
    return decoded.schema


def decode_field(raw: Any) -> Field:
    try:
        return msgspec.convert(normalise_field(raw), Field)
    except msgspec.ValidationError as exc:
        raise SchemaError([{"path": "", "line": None, "message": str(exc)}]) from exc
