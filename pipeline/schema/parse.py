"""Turning schema text into the typed model.

This first version normalises the shorthand forms and decodes with msgspec; the full
validator (line numbers, every rule of docs/schema.md, all errors at once) builds on it.
"""

from __future__ import annotations

from typing import Any

import msgspec
import yaml

from pipeline.schema.model import Field, Schema


class SchemaError(ValueError):
    """A schema that cannot be used, with every problem found."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p['path']}: {p['message']}" for p in problems))


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
    """Parse YAML schema text into the model (structure only)."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SchemaError([{"path": "", "message": str(exc)}]) from exc
    try:
        return msgspec.convert(normalise(raw), Schema)
    except msgspec.ValidationError as exc:
        raise SchemaError([{"path": "", "message": str(exc)}]) from exc


def decode_field(raw: Any) -> Field:
    return msgspec.convert(normalise_field(raw), Field)  # type: ignore[arg-type]
