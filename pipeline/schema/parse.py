"""Turning schema text into the typed model, structure only.

``pipeline.schema.load_schema`` is the full reader (every rule of docs/schema.md); this module
keeps the structure-only entry point for schema text that was checked when it was saved.
"""

from __future__ import annotations

from pipeline.schema.decode import decode_schema
from pipeline.schema.errors import SchemaError
from pipeline.schema.model import Schema
from pipeline.schema.problems import Problems
from pipeline.schema.yaml_lines import load_yaml

__all__ = ["SchemaError", "parse_schema"]


def parse_schema(text: str) -> Schema:
    """Parse YAML schema text into the model: syntax, types and options, no cross-field rules."""
    raw, lines = load_yaml(text)
    problems = Problems(lines)
    decoded = decode_schema(raw, problems)
    if problems or decoded.schema is None:
        raise SchemaError(problems.items)
    return decoded.schema
