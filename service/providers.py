"""Use cases of providers: named lists of values or records that schemas draw from
(``type: provider``)."""

from __future__ import annotations

import msgspec

from pipeline.schema.problems import path_text
from pipeline.schema.providers import data_problems
from service.dto import Item, Provider, ProviderIn, ProviderRef, ProviderSummary, ProviderUpdate
from service.errors import ConflictError, Invalid
from service.provider_csv import items_from_csv
from service.settings import Settings
from storage import providers
from storage.db import Database
from storage.projects import projects_using_provider


def check_items(values: list[Item], settings: Settings, field: str) -> None:
    """At most the allowed number of items: all plain values, or all records with the same keys.

    Every problem is listed; the first one is the detail and its path the field.
    """
    if len(values) > settings.max_provider_items:
        raise Invalid(
            f"a provider may hold at most {settings.max_provider_items} values "
            f"(DRAFTA_MAX_PROVIDER_ITEMS); this one has {len(values)}",
            field=field,
        )
    errors = [
        {"path": path_text((field, *where)), "message": message}
        for where, message in data_problems(values)
    ]
    if errors:
        first = errors[0]
        raise Invalid(f"{first['path']}: {first['message']}", field=first["path"], errors=errors)


def list_providers(db: Database, ws: str, limit: int, offset: int) -> list[ProviderSummary]:
    rows = providers.list_providers(db, ws, limit=limit, offset=offset)
    return msgspec.convert(rows, list[ProviderSummary], from_attributes=True)


def create_providers(
    db: Database, settings: Settings, ws: str, data: list[ProviderIn] | ProviderIn
) -> list[ProviderRef]:
    """One provider or several at once: all of them, or none."""
    items = data if isinstance(data, list) else [data]
    if not items:
        raise Invalid("at least one provider is required", field="$")
    for index, item in enumerate(items):
        check_items(item.data, settings, f"[{index}].data" if isinstance(data, list) else "data")
    names = [p.name for p in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise Invalid(f"provider names repeat in the request: {', '.join(dupes)}", field="name")
    rows = providers.create_providers(db, ws, [(p.name, p.data) for p in items])
    return [ProviderRef(id=r.id, name=r.name) for r in rows]


def get_provider(db: Database, ws: str, provider_id: str) -> Provider:
    row = providers.get_provider(db, ws, provider_id)
    return msgspec.convert(row, Provider, from_attributes=True)


def update_provider(
    db: Database, settings: Settings, ws: str, provider_id: str, data: ProviderUpdate
) -> Provider:
    """New values, and a new name unless a project uses the provider by its old one."""
    check_items(data.data, settings, "data")
    current = providers.get_provider(db, ws, provider_id)
    if data.name and data.name != current.name:
        users = projects_using_provider(db, ws, current.name)
        if users:
            raise ConflictError(
                f"cannot rename provider {current.name!r}: used by {', '.join(users)}",
                field="name",
            )
    row = providers.update_provider(db, ws, provider_id, data.name, data.data)
    return msgspec.convert(row, Provider, from_attributes=True)


def delete_provider(db: Database, ws: str, provider_id: str) -> None:
    current = providers.get_provider(db, ws, provider_id)
    users = projects_using_provider(db, ws, current.name)
    if users:
        raise ConflictError(
            f"provider {current.name!r} is used by {', '.join(users)}", field="name"
        )
    providers.delete_provider(db, ws, provider_id)


def _from_csv(body: bytes, name: str | None) -> ProviderUpdate:
    """A provider's data from CSV, with the name checked as the JSON body's would be."""
    items = items_from_csv(body)
    try:
        return msgspec.convert({"name": name, "data": items}, ProviderUpdate)
    except msgspec.ValidationError as exc:
        field = "name" if "$.name" in str(exc) else "data"
        raise Invalid(str(exc).split(" - at ", 1)[0], field=field) from exc


def create_provider_from_csv(
    db: Database, settings: Settings, ws: str, name: str, body: bytes
) -> list[ProviderRef]:
    """``POST /provider/csv?name=...``: one provider from CSV (a header row, a row per record)."""
    parsed = _from_csv(body, name)
    return create_providers(db, settings, ws, ProviderIn(name=name, data=parsed.data))


def update_provider_from_csv(
    db: Database, settings: Settings, ws: str, provider_id: str, name: str | None, body: bytes
) -> Provider:
    """``PUT /provider/{id}/csv``: new data from CSV, as ``PUT /provider/{id}`` with JSON."""
    return update_provider(db, settings, ws, provider_id, _from_csv(body, name))
