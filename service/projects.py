"""Use cases of projects: a schema is validated (or imported) before anything is stored."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Iterator
from typing import Any, NamedTuple

from pipeline.importers import convert_with_warnings
from pipeline.schema import load_schema, used_providers
from pipeline.schema.model import Array, Field, Object, Schema
from pipeline.schema.parse import SchemaError
from service.errors import Invalid
from service.settings import Settings
from storage import groups, projects
from storage.db import Database
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
        text, providers=provider_names(db, ws), max_bytes=settings.max_schema_bytes
    )
    check_size(schema, settings)
    return Prepared(text, used_providers(schema), warnings)


def _field_paths(prefix: str, fields: dict[str, Field]) -> Iterator[str]:
    for name, spec in fields.items():
        path = f"{prefix}.{name}"
        yield path
        while isinstance(spec, Array):
            spec = spec.of
        if isinstance(spec, Object):
            yield from _field_paths(f"{path}.fields", spec.fields)


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
    paths = (
        p
        for name, entity in schema.entities.items()
        for p in _field_paths(f"entities.{name}.fields", entity.fields)
    )
    for seen, path in enumerate(paths, start=1):
        if seen > settings.max_fields:
            raise SchemaError(
                [
                    {
                        "path": path,
                        "line": None,
                        "message": f"a schema may have at most {settings.max_fields} fields, "
                        "nested ones included (DRAFTA_MAX_FIELDS)",
                    }
                ]
            )


def create_project(
    db: Database, settings: Settings, ws: str, group_ref: str, name: str, data: str | None, fmt: str
) -> dict:
    group = groups.get_group(db, ws, group_ref)
    if data is None:
        return projects.create_project(db, ws, group["id"], name, None, set())
    prepared = prepare_schema(db, settings, ws, data, fmt)
    row = projects.create_project(db, ws, group["id"], name, prepared.text, prepared.used)
    return _with_warnings(row, prepared.warnings)


def update_project(
    db: Database, settings: Settings, ws: str, project_id: str, data: str, fmt: str
) -> dict:
    prepared = prepare_schema(db, settings, ws, data, fmt)
    row = projects.update_project(db, ws, project_id, prepared.text, prepared.used)
    return _with_warnings(row, prepared.warnings)


def _with_warnings(row: dict, warnings: list[dict[str, Any]] | None) -> dict:
    """The stored row, and for an import its warnings (line and message each)."""
    if warnings is None:
        return row
    return {**row, "warnings": [{"line": w.get("line"), "message": w["message"]} for w in warnings]}


class ProjectSchema(NamedTuple):
    """A stored project with its validated schema and the values of the providers it uses."""

    project: dict[str, Any]
    schema: Schema
    providers: dict[str, list[Any]]


@functools.lru_cache(maxsize=256)
def _validated(text: str, providers: frozenset[str]) -> Schema:
    # Jobs and previews come again and again on the same schema: parse and validate it once.
    return load_schema(text, providers=providers)


def load_project_schema(
    db: Database, ws: str, project_ref: str, group: str | None = None
) -> ProjectSchema:
    """A project (by id, or by name within ``group``) ready to generate from."""
    project = projects.get_project(db, ws, project_ref, group)
    if not project["data"]:
        raise Invalid("the project has no schema yet: PUT one first", field="project_id")
    schema = _validated(project["data"], frozenset(provider_names(db, ws)))
    values = provider_values(db, ws, sorted(used_providers(schema)))
    return ProjectSchema(project, schema, values)


def check_entity(schema: Schema, entity: str) -> None:
    if entity not in schema.entities:
        known = ", ".join(schema.entities)
        raise Invalid(
            f"entity {entity!r} is not in the schema; its entities are: {known}",
            field="entity_name",
        )


def choose_seed(requested: int | None, schema: Schema) -> int:
    """The request's seed, else the schema's, else a new one (reported so it can be repeated)."""
    if requested is not None:
        return requested
    return schema.seed if schema.seed is not None else secrets.randbelow(2**31)
