"""Projects: a named schema inside a project group."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import msgspec
import sqlite_utils

from storage.db import Database, new_id, now
from storage.errors import Conflict, NotFound


class ProjectRow(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    project_group_id: str
    data: str | None  # the schema's YAML, as it was sent
    created_at: str
    updated_at: str


PROJECT_COLUMNS = ", ".join(f"p.{c}" for c in ProjectRow.__struct_fields__)


def _set_providers(tx: sqlite_utils.Database, project_id: str, providers: Iterable[str]) -> None:
    tx.execute("DELETE FROM project_providers WHERE project_id = ?", [project_id])
    tx.table("project_providers").insert_all(
        [{"project_id": project_id, "provider_name": name} for name in sorted(set(providers))]
    )


def create_project(
    db: Database, ws: str, group_id: str, name: str, data: str | None, providers: Iterable[str]
) -> ProjectRow:
    stamp = now()
    row = ProjectRow(
        id=new_id(),
        name=name,
        project_group_id=group_id,
        data=data,
        created_at=stamp,
        updated_at=stamp,
    )
    try:
        with db.write() as tx:
            tx.table("projects").insert({**msgspec.structs.asdict(row), "workspace_id": ws})
            _set_providers(tx, row.id, providers)
            tx.execute("UPDATE project_groups SET updated_at = ? WHERE id = ?", [stamp, group_id])
    except sqlite3.IntegrityError as exc:
        raise Conflict(
            f"a project named {name!r} already exists in this group", field="name"
        ) from exc
    return row


def get_project(db: Database, ws: str, ref: str, group: str | None = None) -> ProjectRow:
    """A project by id, or by group name (or id) and project name."""
    if group is None:
        row = db.one(
            f"SELECT {PROJECT_COLUMNS} FROM projects p WHERE p.workspace_id = ? AND p.id = ?",
            (ws, ref),
        )
    else:
        row = db.one(
            f"SELECT {PROJECT_COLUMNS} FROM projects p JOIN project_groups g "
            "ON g.id = p.project_group_id WHERE p.workspace_id = ? AND p.name = ? "
            "AND (g.id = ? OR g.name = ?) ORDER BY g.id = ? DESC LIMIT 1",
            (ws, ref, group, group, group),
        )
    if row is None:
        raise NotFound("project", ref if group is None else f"{group}/{ref}")
    return msgspec.convert(row, ProjectRow)


def update_project(
    db: Database, ws: str, project_id: str, data: str, providers: Iterable[str]
) -> ProjectRow:
    with db.write() as tx:
        stamp = now()
        tx.execute(
            "UPDATE projects SET data = ?, updated_at = ? WHERE id = ? AND workspace_id = ?",
            [data, stamp, project_id, ws],
        )
        _set_providers(tx, project_id, providers)
        return get_project(db, ws, project_id)


def delete_project(db: Database, ws: str, project_id: str) -> None:
    with db.write() as tx:
        tx.execute("DELETE FROM projects WHERE id = ? AND workspace_id = ?", [project_id, ws])


def projects_using_provider(db: Database, ws: str, provider_name: str) -> list[str]:
    rows = db.query(
        "SELECT g.name || '/' || p.name AS ref FROM project_providers pp "
        "JOIN projects p ON p.id = pp.project_id "
        "JOIN project_groups g ON g.id = p.project_group_id "
        "WHERE p.workspace_id = ? AND pp.provider_name = ? ORDER BY ref",
        (ws, provider_name),
    )
    return [r["ref"] for r in rows]
