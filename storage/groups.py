"""Project groups of a workspace."""

from __future__ import annotations

import sqlite3

import msgspec

from storage.db import Database, new_id, now
from storage.errors import Conflict, NotFound


class GroupRow(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    created_at: str
    updated_at: str


class ProjectBrief(msgspec.Struct, frozen=True, kw_only=True):
    """A project as a group lists it (no schema)."""

    id: str
    name: str
    created_at: str
    updated_at: str


GROUP_COLUMNS = ", ".join(GroupRow.__struct_fields__)


def list_groups(db: Database, ws: str, *, limit: int, offset: int) -> list[GroupRow]:
    rows = db.query(
        f"SELECT {GROUP_COLUMNS} FROM project_groups WHERE workspace_id = ? "
        "ORDER BY created_at, rowid LIMIT ? OFFSET ?",
        (ws, limit, offset),
    )
    return msgspec.convert(rows, list[GroupRow])


def create_group(db: Database, ws: str, name: str) -> GroupRow:
    stamp = now()
    row = GroupRow(id=new_id(), name=name, created_at=stamp, updated_at=stamp)
    try:
        with db.write() as tx:
            tx.table("project_groups").insert({**msgspec.structs.asdict(row), "workspace_id": ws})
    except sqlite3.IntegrityError as exc:
        raise Conflict(f"a project group named {name!r} already exists", field="name") from exc
    return row


def get_group(db: Database, ws: str, ref: str) -> GroupRow:
    """A group by id, else by name (an id wins over a name)."""
    row = db.one(
        f"SELECT {GROUP_COLUMNS} FROM project_groups "
        "WHERE workspace_id = ? AND (id = ? OR name = ?) ORDER BY id = ? DESC LIMIT 1",
        (ws, ref, ref, ref),
    )
    if row is None:
        raise NotFound("project group", ref)
    return msgspec.convert(row, GroupRow)


def group_projects(db: Database, ws: str, group_id: str) -> list[ProjectBrief]:
    rows = db.query(
        "SELECT id, name, created_at, updated_at FROM projects "
        "WHERE workspace_id = ? AND project_group_id = ? ORDER BY created_at, rowid",
        (ws, group_id),
    )
    return msgspec.convert(rows, list[ProjectBrief])


def delete_group(db: Database, ws: str, ref: str) -> None:
    with db.write() as tx:
        group = get_group(db, ws, ref)
        names = [p.name for p in group_projects(db, ws, group.id)]
        if names:
            raise Conflict(f"project group {group.name!r} still holds projects: {', '.join(names)}")
        tx.execute("DELETE FROM project_groups WHERE id = ?", [group.id])
