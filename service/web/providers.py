"""Use cases of providers (custom value lists) for the web app.

The JSON API keeps these rules in its controller; they live here, beside the pages that need
them, until they move to a use-case module both share.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

from service.dto import Name, Value
from service.errors import ConflictError, Invalid
from service.settings import Settings
from storage import providers
from storage.db import Database
from storage.projects import projects_using_provider


def parse_name(text: str) -> str:
    try:
        return msgspec.convert(text.strip(), Name)
    except msgspec.ValidationError:
        raise Invalid(
            "a name has letters, digits, '.', '_' or '-', starts with a letter or digit and "
            "is at most 64 characters",
            field="name",
        ) from None


def parse_values(text: str, settings: Settings) -> list[Value]:
    """Values written one per line, or as a JSON array (for numbers and booleans)."""
    stripped = text.strip()
    values: Any
    if stripped.startswith("["):
        try:
            values = msgspec.convert(json.loads(stripped), list[Value])
        except (ValueError, msgspec.ValidationError) as exc:
            raise Invalid(
                f"the values are not a JSON array of strings, numbers or booleans: {exc}",
                field="values",
            ) from None
    else:
        values = [line.strip() for line in stripped.splitlines() if line.strip()]
    if not values:
        raise Invalid("a provider needs at least one value", field="values")
    if len(values) > settings.max_provider_items:
        raise Invalid(
            f"a provider may hold at most {settings.max_provider_items} values "
            f"(DRAFTA_MAX_PROVIDER_ITEMS); this one has {len(values)}",
            field="values",
        )
    return list(values)


def create_provider(db: Database, ws: str, name: str, values: list[Value]) -> dict:
    return providers.create_providers(db, ws, [(name, values)])[0]


def update_provider(
    db: Database, ws: str, provider_id: str, name: str, values: list[Value]
) -> dict:
    current = providers.get_provider(db, ws, provider_id)
    if name != current["name"]:
        users = projects_using_provider(db, ws, current["name"])
        if users:
            raise ConflictError(
                f"cannot rename provider {current['name']!r}: used by {', '.join(users)}",
                field="name",
            )
    return providers.update_provider(db, ws, provider_id, name, values)


def delete_provider(db: Database, ws: str, provider_id: str) -> None:
    current = providers.get_provider(db, ws, provider_id)
    users = projects_using_provider(db, ws, current["name"])
    if users:
        raise ConflictError(
            f"provider {current['name']!r} is used by {', '.join(users)}", field="name"
        )
    providers.delete_provider(db, ws, provider_id)


def values_text(values: list[Value]) -> str:
    """How the edit form shows values: one per line when that reads back the same."""
    if all(isinstance(v, str) and v == v.strip() and v and "\n" not in v for v in values):
        return "\n".join(str(v) for v in values)
    return json.dumps(values, ensure_ascii=False)
