"""Converting schemas written in other languages into ours (pure functions, text in and out)."""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from pipeline.schema.errors import SchemaError
from pipeline.schema.load import load_schema

Format = Literal["json_schema", "json_parquet", "sql"]
FORMATS: tuple[str, ...] = ("json_schema", "json_parquet", "sql")
SQL_DIALECTS: tuple[str, ...] = ("postgres", "mysql", "sqlite", "tsql", "ansi")


class Converted(NamedTuple):
    """The YAML of our language, and what the source said that it skipped or could not keep:
    ``{"line": n or None, "message": text}`` each."""

    text: str
    warnings: list[dict[str, Any]]


def convert_with_warnings(text: str, fmt: Format, dialect: str | None = None) -> Converted:
    """Readable YAML of our language for ``text`` in format ``fmt``, with warnings.

    ``dialect`` (SQL only) is detected from the text when not given. The result is checked
    with the full validator before it is returned. Raises SchemaError saying where unreadable
    input is.
    """
    warnings: list[dict[str, Any]] = []
    if fmt == "sql":
        from pipeline.importers.sql import import_sql

        out, warnings = import_sql(text, dialect)
    elif fmt == "json_schema":
        from pipeline.importers.json_schema import import_json_schema

        out, warnings = import_json_schema(text)
    elif fmt == "json_parquet":
        from pipeline.importers.json_parquet import import_json_parquet

        out, warnings = import_json_parquet(text)
    else:
        raise SchemaError([{"path": "format", "line": None, "message": f"unknown format {fmt!r}"}])
    load_schema(out)
    return Converted(out, warnings)


def convert(text: str, fmt: Format, dialect: str | None = None) -> str:
    """Readable YAML of our language for ``text`` in format ``fmt`` (see convert_with_warnings)."""
    return convert_with_warnings(text, fmt, dialect).text


__all__ = [
    "FORMATS",
    "SQL_DIALECTS",
    "Converted",
    "Format",
    "SchemaError",
    "convert",
    "convert_with_warnings",
]
