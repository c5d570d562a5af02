"""Use cases of projects: a schema is validated (or imported) before anything is stored."""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import msgspec
from litestar import Response

from pipeline.importers import convert_with_warnings
from pipeline.schema import load_schema, resolve, used_providers
from pipeline.schema.model import Provider, Schema
from pipeline.schema.parse import SchemaError
from pipeline.schema.problems import path_text
from pipeline.schema.providers import ProviderShape, ProviderShapes, shape_of
from service.dto import ImportWarning, Project, ProjectCreated, SchemaExport
from service.errors import Invalid
from service.exports import export_project
from service.settings import Settings
from storage import groups, projects
from storage.db import Database
from storage.projects import ProjectRow
from storage.providers import provider_names, provider_values


class Prepared(NamedTuple):
    text: str  # the YAML to store
    used: set[str]  # the providers it uses
    warnings: list[dict[str, Any]] | None  # what an import skipped; None for YAML


def prepare_schema(db: Database, settings: Settings, ws: str, data: str, fmt: str) -> Prepared:
    """The YAML to store, the providers it uses and the import's warnings; raises SchemaError
    listing every problem.

    YAML is stored exactly as sent (comments and order kept); other formats are converted.
    """
    if len(data.encode()) > settings.max_schema_bytes:
        raise SchemaError(
            [{"path": "data", "message": f"the schema exceeds {settings.max_schema_bytes} bytes"}]
        )
    warnings = None
    text = data
    if fmt != "yaml":
        text, warnings = convert_with_warnings(data, fmt)  # type: ignore[arg-type]
    schema = load_schema(
        text, providers=workspace_shapes(db, ws), max_bytes=settings.max_schema_bytes
    )
    check_size(schema, settings)
    return Prepared(text, used_providers(schema), warnings)


def workspace_shapes(db: Database, ws: str) -> ProviderShapes:
    """The workspace's providers by name; a provider's data is read only when a schema names it
    (to check its columns)."""
    return ProviderShapes(
        provider_names(db, ws), lambda name: provider_values(db, ws, [name]).get(name, [])
    )


def check_size(schema: Schema, settings: Settings) -> None:
    """Refuse schemas with more entities or fields (nested ones count) than the settings allow.

    Both bound the work of validating, planning and previewing a schema, which grows with them.
    """
    if len(schema.entities) > settings.max_entities:
        raise SchemaError(
            [
                {
                    "path": "entities",
                    "line": None,
                    "message": f"a schema may have at most {settings.max_entities} entities "
                    f"(DRAFTA_MAX_ENTITIES); this one has {len(schema.entities)}",
                }
            ]
        )
    # An array and the spec of its items are one field.
    named = (
        at
        for entity in resolve(schema).entities.values()
        for at in entity.fields
        if at.location[-1] != "of"
    )
    for seen, at in enumerate(named, start=1):
        if seen > settings.max_fields:
            raise SchemaError(
                [
                    {
                        "path": path_text(at.location),
                        "line": None,
                        "message": f"a schema may have at most {settings.max_fields} fields, "
                        "nested ones included (DRAFTA_MAX_FIELDS)",
                    }
                ]
            )


def create_project(
    db: Database, settings: Settings, ws: str, group_ref: str, name: str, data: str | None, fmt: str
) -> ProjectCreated:
    group = groups.get_group(db, ws, group_ref)
    if data is None:
        row = projects.create_project(db, ws, group.id, name, None, set())
        warnings = None
    else:
        prepared = prepare_schema(db, settings, ws, data, fmt)
        row = projects.create_project(db, ws, group.id, name, prepared.text, prepared.used)
        warnings = prepared.warnings
    return ProjectCreated(
        id=row.id,
        name=row.name,
        project_group_id=row.project_group_id,
        created_at=row.created_at,
        warnings=_warnings(warnings),
    )


def get_project(
    db: Database, ws: str, ref: str, group: str | None, fmt: SchemaExport | None
) -> Project | Response[str]:
    """A project by id (or by name within ``group``), or its schema in another language."""
    row = projects.get_project(db, ws, ref, group)
    if fmt is None or fmt == "yaml":
        return msgspec.convert(row, Project, from_attributes=True)
    return export_project(row.data, fmt)


def update_project(
    db: Database, settings: Settings, ws: str, ref: str, group: str | None, data: str, fmt: str
) -> Project:
    current = projects.get_project(db, ws, ref, group)
    prepared = prepare_schema(db, settings, ws, data, fmt)
    row = projects.update_project(db, ws, current.id, prepared.text, prepared.used)
    project = msgspec.convert(row, Project, from_attributes=True)
    return msgspec.structs.replace(project, warnings=_warnings(prepared.warnings))


def delete_project(db: Database, ws: str, ref: str, group: str | None) -> None:
    current = projects.get_project(db, ws, ref, group)
    projects.delete_project(db, ws, current.id)


def _warnings(found: list[dict[str, Any]] | None) -> list[ImportWarning] | None:
    """An import's warnings (line and message each); None for YAML, stored as sent."""
    if found is None:
        return None
    return [ImportWarning(line=w.get("line"), message=w["message"]) for w in found]


class ProjectSchema(NamedTuple):
    """A stored project with its validated schema and the values of the providers it uses."""

    project: ProjectRow
    schema: Schema
    providers: dict[str, list[Any]]


@functools.lru_cache(maxsize=256)
def _validated(text: str, providers: frozenset[str]) -> Schema:
    # Jobs and previews come again and again on the same schema: parse and validate it once.
    return load_schema(text, providers=providers)


@functools.lru_cache(maxsize=256)
def _fits(text: str, shapes: tuple[tuple[str, ProviderShape], ...]) -> Schema:
    # The providers' data may have changed since the schema was saved: their columns are
    # checked again against the data this job or preview takes.
    return load_schema(text, providers=dict(shapes))


def load_project_schema(
    db: Database, ws: str, project_ref: str, group: str | None = None
) -> ProjectSchema:
    """A project (by id, or by name within ``group``) ready to generate from."""
    project = projects.get_project(db, ws, project_ref, group)
    if not project.data:
        raise Invalid("the project has no schema yet: PUT one first", field="project_id")
    schema = _validated(project.data, frozenset(provider_names(db, ws)))
    values = provider_values(db, ws, sorted(used_providers(schema)))
    shapes = tuple(sorted((name, shape_of(data)) for name, data in values.items()))
    if any(shape.records for _, shape in shapes) or _reads_columns(schema):
        schema = _fits(project.data, shapes)
    return ProjectSchema(project, schema, values)


def _reads_columns(schema: Schema) -> bool:
    return any(
        isinstance(at.spec, Provider) and at.spec.column is not None
        for entity in resolve(schema).entities.values()
        for at in entity.fields
    )


def check_entity(schema: Schema, entity: str, field: str = "entity_name") -> None:
    if entity not in schema.entities:
        known = ", ".join(schema.entities)
        raise Invalid(
            f"entity {entity!r} is not in the schema; its entities are: {known}", field=field
        )
