"""A project's schema rendered in another language (``GET /project/...?format=``)."""

from __future__ import annotations

from litestar import Response

from pipeline.exporters import ExportFormat, export
from pipeline.schema import load_schema
from service.errors import Invalid

EXPORT_MEDIA_TYPES: dict[str, str] = {
    "json_schema": "application/schema+json",
    "sql": "application/sql",
}


def export_project(data: str | None, fmt: ExportFormat) -> Response[str]:
    """A stored schema as JSON Schema or SQL DDL; a project without one cannot be exported."""
    if not data:
        raise Invalid("the project has no schema yet: PUT one first", field="format")
    # Providers are not checked here: the stored schema was checked when it was saved.
    text = export(load_schema(data), fmt)
    return Response(text, media_type=EXPORT_MEDIA_TYPES[fmt])
