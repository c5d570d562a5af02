"""Converting schemas written in other languages into ours (pure functions, text in and out)."""

from __future__ import annotations

from typing import Literal

from pipeline.schema.errors import SchemaError
from pipeline.schema.load import load_schema

Format = Literal["json_schema", "json_parquet", "sql"]
FORMATS: tuple[str, ...] = ("json_schema", "json_parquet", "sql")


def convert(text: str, fmt: Format) -> str:
    """Readable YAML of our language for ``text`` in format ``fmt``.

    The result is checked with the full validator before it is returned. Raises SchemaError
    saying where unreadable input is.
    """
    if fmt == "sql":
        from pipeline.importers.sql import import_sql as run
    elif fmt == "json_schema":
        from pipeline.importers.json_schema import import_json_schema as run
    elif fmt == "json_parquet":
        from pipeline.importers.json_parquet import import_json_parquet as run
    else:
        raise SchemaError([{"path": "format", "line": None, "message": f"unknown format {fmt!r}"}])
    out = run(text)
    load_schema(out)
    return out


__all__ = ["FORMATS", "Format", "SchemaError", "convert"]
