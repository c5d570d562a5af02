"""Providers: named lists of values or records a schema can draw from (``type: provider``)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

import msgspec

from storage.db import Database, new_id, now
from storage.errors import Conflict, NotFound

Value = str | int | float | bool
Item = Value | dict[str, Value]  # a plain value, or a record of a record provider


class ProviderBrief(msgspec.Struct, frozen=True, kw_only=True):
    """A provider as lists show it (without its values)."""

    id: str
    name: str
    created_at: str
    updated_at: str


class ProviderRow(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    data: list[Item]
    created_at: str
    updated_at: str


def _decode(row: dict) -> ProviderRow:
    return msgspec.convert({**row, "data": json.loads(row["data"])}, ProviderRow)


def list_providers(db: Database, ws: str, *, limit: int, offset: int) -> list[ProviderBrief]:
    rows = db.query(
        "SELECT id, name, created_at, updated_at FROM providers WHERE workspace_id = ? "
        "ORDER BY created_at, rowid LIMIT ? OFFSET ?",
        (ws, limit, offset),
    )
    return msgspec.convert(rows, list[ProviderBrief])


def create_providers(
    db: Database, ws: str, items: Sequence[tuple[str, list[Item]]]
) -> list[ProviderBrief]:
    """Create every provider or none."""
    stamp = now()
    rows = [
        {"id": new_id(), "name": name, "data": json.dumps(data), "created_at": stamp}
        for name, data in items
    ]
    try:
        with db.write() as tx:
            tx.table("providers").insert_all(
                [{**r, "workspace_id": ws, "updated_at": stamp} for r in rows]
            )
    except sqlite3.IntegrityError as exc:
        taken = [n for n, _ in items if provider_names(db, ws, [n])]
        dupes = taken or [n for n, _ in items]
        raise Conflict(f"a provider named {dupes[0]!r} already exists", field="name") from exc
    return [
        ProviderBrief(id=r["id"], name=r["name"], created_at=stamp, updated_at=stamp) for r in rows
    ]


def get_provider(db: Database, ws: str, provider_id: str) -> ProviderRow:
    row = db.one(
        "SELECT id, name, data, created_at, updated_at FROM providers "
        "WHERE workspace_id = ? AND id = ?",
        (ws, provider_id),
    )
    if row is None:
        raise NotFound("provider", provider_id)
    return _decode(row)


def update_provider(
    db: Database, ws: str, provider_id: str, name: str | None, data: list[Item]
) -> ProviderRow:
    current = get_provider(db, ws, provider_id)
    try:
        with db.write() as tx:
            tx.execute(
                "UPDATE providers SET name = ?, data = ?, updated_at = ? WHERE id = ?",
                [name or current.name, json.dumps(data), now(), provider_id],
            )
    except sqlite3.IntegrityError as exc:
        raise Conflict(f"a provider named {name!r} already exists", field="name") from exc
    return get_provider(db, ws, provider_id)


def delete_provider(db: Database, ws: str, provider_id: str) -> None:
    with db.write() as tx:
        tx.execute("DELETE FROM providers WHERE id = ? AND workspace_id = ?", [provider_id, ws])


def provider_names(db: Database, ws: str, names: Sequence[str] | None = None) -> set[str]:
    rows = db.query("SELECT name FROM providers WHERE workspace_id = ?", (ws,))
    found = {r["name"] for r in rows}
    return found if names is None else found & set(names)


def provider_values(db: Database, ws: str, names: Sequence[str]) -> dict[str, list[Item]]:
    """The data of the named providers (the snapshot a job takes)."""
    if not names:
        return {}
    marks = ",".join("?" * len(names))
    rows = db.query(
        f"SELECT name, data FROM providers WHERE workspace_id = ? AND name IN ({marks})",
        (ws, *names),
    )
    return {r["name"]: json.loads(r["data"]) for r in rows}
