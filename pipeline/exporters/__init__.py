"""Rendering a schema in other languages, so a project can round-trip through them."""

from __future__ import annotations

from typing import Literal

from pipeline.schema.errors import SchemaError
from pipeline.schema.model import Schema

ExportFormat = Literal["json_schema", "sql"]


def export(schema: Schema, fmt: ExportFormat) -> str:
    """The schema as JSON Schema (draft 2020-12) or as SQL DDL (CREATE TABLE statements)."""
    if fmt == "json_schema":
        from pipeline.exporters.json_schema import export_json_schema

        return export_json_schema(schema)
    if fmt == "sql":
        from pipeline.exporters.sql import export_sql

        return export_sql(schema)
    raise SchemaError([{"path": "format", "line": None, "message": f"unknown format {fmt!r}"}])


__all__ = ["ExportFormat", "export"]
