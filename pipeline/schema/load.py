"""The entry points of the schema language: text in, checked model out."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pipeline.schema.decode import decode_schema
from pipeline.schema.errors import SchemaError
from pipeline.schema.model import Schema
from pipeline.schema.problems import Problems
from pipeline.schema.validate import validate
from pipeline.schema.yaml_lines import load_yaml


def load_schema(
    text: str, *, providers: Collection[str] | None = None, max_bytes: int = 1_000_000
) -> Schema:
    """Read, decode and validate YAML schema text.

    ``providers`` names the providers of the workspace; None skips that check. A mapping of
    names to ``ProviderShape`` (``pipeline.schema.providers``) also checks the columns that
    provider fields read. Raises SchemaError listing every problem with its path and line.
    """
    raw, lines = load_yaml(text, max_bytes=max_bytes)
    return check_raw(raw, providers=providers, lines=lines)


def check_raw(
    raw: Any,
    *,
    providers: Collection[str] | None = None,
    lines: dict[Any, int] | None = None,
) -> Schema:
    """Decode and validate an already-parsed document (e.g. from JSON)."""
    problems = Problems(lines)
    decoded = decode_schema(raw, problems)
    if decoded.schema is not None:
        validate(decoded.schema, problems, broken=decoded.broken, providers=providers)
    if problems or decoded.schema is None:
        raise SchemaError(sorted(problems.items, key=lambda p: p["line"] or 0))
    return decoded.schema


def schema_problems(
    schema: Schema, *, providers: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """Every problem of a schema built in code (no lines)."""
    problems = Problems()
    validate(schema, problems, providers=providers)
    return problems.items
