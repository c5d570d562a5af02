"""Previews: the first rows of a job, answered at once, rendered exactly as json output is."""

from __future__ import annotations

import io
import secrets
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import msgspec

# The request and answer types are imported by the Python client, which needs none of these.
if TYPE_CHECKING:
    from pipeline.schema.model import Schema
    from storage.db import Database

MAX_PREVIEW_ROWS = 100
Seed = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]


class PreviewRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    entity_name: str
    count: Annotated[int, msgspec.Meta(ge=1, le=MAX_PREVIEW_ROWS)] = 10
    seed: Seed | None = None


class Preview(msgspec.Struct, kw_only=True):
    entity_name: str
    seed: int
    rows: list[dict[str, Any]]


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
    from pipeline.capacity import uniqueness_problems
    from pipeline.engine import generate_batches
    from pipeline.schema import SchemaError
    from storage.formats.json import write_json

    data = {name: list(values) for name, values in providers.items()}
    problems = uniqueness_problems(schema, entity, count, data)
    if problems:
        raise SchemaError(problems)
    buffer = io.BytesIO()
    write_json(generate_batches(schema, entity, 0, count, seed=seed, providers=data), buffer)
    rows: list[dict[str, Any]] = msgspec.json.decode(b"[" + buffer.getvalue() + b"]")
    return rows


def choose_seed(requested: int | None, schema: Schema) -> int:
    """The request's seed, else the schema's, else a new one (reported so it can be repeated)."""
    if requested is not None:
        return requested
    return schema.seed if schema.seed is not None else secrets.randbelow(2**31)


def check_entity(schema: Schema, entity: str) -> None:
    from service.errors import Invalid

    if entity not in schema.entities:
        known = ", ".join(schema.entities)
        raise Invalid(
            f"entity {entity!r} is not in the schema; its entities are: {known}",
            field="entity_name",
        )


def preview_schema(
    text: str,
    request: PreviewRequest,
    *,
    providers: Mapping[str, Sequence[Any]],
    known_providers: Collection[str] | None = None,
) -> Preview:
    """A preview of schema text; raises SchemaError (invalid schema) or Invalid (entity)."""
    from pipeline.schema import load_schema

    return _preview(load_schema(text, providers=known_providers), request, providers)


def preview_project(
    db: Database, ws: str, project_ref: str, group: str | None, request: PreviewRequest
) -> Preview:
    """A preview of a stored project (by id, or by name within ``group``)."""
    from pipeline.schema import load_schema, used_providers
    from service.errors import Invalid
    from storage import projects
    from storage.providers import provider_names, provider_values

    project = projects.get_project(db, ws, project_ref, group)
    if not project["data"]:
        raise Invalid("the project has no schema yet: PUT one first", field="project_id")
    schema = load_schema(project["data"], providers=provider_names(db, ws))
    values = provider_values(db, ws, sorted(used_providers(schema)))
    return _preview(schema, request, values)


def _preview(
    schema: Schema, request: PreviewRequest, providers: Mapping[str, Sequence[Any]]
) -> Preview:
    check_entity(schema, request.entity_name)
    seed = choose_seed(request.seed, schema)
    rows = render_rows(schema, request.entity_name, request.count, seed=seed, providers=providers)
    return Preview(entity_name=request.entity_name, seed=seed, rows=rows)
