"""Previews: the first rows of a job, answered at once, rendered exactly as json output is."""

from __future__ import annotations

import io
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import msgspec

from pipeline.capacity import uniqueness_problems
from pipeline.engine import generate_batches
from pipeline.plan import choose_seed
from pipeline.schema import SchemaError, load_schema
from pipeline.schema.model import Schema
from service.dto import Preview, PreviewRequest
from service.projects import check_entity, load_project_schema
from storage.db import Database
from storage.formats.json import framed, write_json


def render_rows(
    schema: Schema,
    entity: str,
    count: int,
    *,
    seed: int,
    providers: Mapping[str, Sequence[Any]],
) -> list[dict[str, Any]]:
    """Rows [0, count) of ``entity`` as the json format writes them (dates as strings, ...).

    The json writer itself renders them, so a preview and a json job's file always agree.
    """
    data = {name: list(values) for name, values in providers.items()}
    problems = uniqueness_problems(schema, entity, count, data)
    if problems:
        raise SchemaError(problems)
    buffer = io.BytesIO()
    write_json(generate_batches(schema, entity, 0, count, seed=seed, providers=data), buffer)
    rows: list[dict[str, Any]] = msgspec.json.decode(framed(buffer.getvalue()))
    return rows


def preview_schema(
    text: str,
    request: PreviewRequest,
    *,
    providers: Mapping[str, Sequence[Any]],
    known_providers: Collection[str] | None = None,
) -> Preview:
    """A preview of schema text; raises SchemaError (invalid schema) or Invalid (entity)."""
    return _preview(load_schema(text, providers=known_providers), request, providers)


def preview_project(
    db: Database, ws: str, project_ref: str, group: str | None, request: PreviewRequest
) -> Preview:
    """A preview of a stored project (by id, or by name within ``group``)."""
    _, schema, values = load_project_schema(db, ws, project_ref, group)
    return _preview(schema, request, values)


def _preview(
    schema: Schema, request: PreviewRequest, providers: Mapping[str, Sequence[Any]]
) -> Preview:
    check_entity(schema, request.entity_name)
    seed = choose_seed(request.seed, schema.seed)
    rows = render_rows(schema, request.entity_name, request.count, seed=seed, providers=providers)
    return Preview(entity_name=request.entity_name, seed=seed, rows=rows)
