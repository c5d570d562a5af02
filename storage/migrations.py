"""Schema changes of the metadata database, applied in order at start-up.

A database made by an older version is upgraded in place; sqlite-utils records each applied
migration in ``_sqlite_migrations``. Never edit a released migration: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database as SqliteUtilsDatabase
from sqlite_utils.migrations import Migrations

migrations = Migrations("drafta")


@migrations()
def m001_resources(db: SqliteUtilsDatabase) -> None:
    db.executescript(
        """
        CREATE TABLE workspaces (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            webhook_secret TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE api_keys (
            prefix TEXT PRIMARY KEY,
            workspace_id TEXT NOT NULL REFERENCES workspaces(id),
            secret_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT
        );
        CREATE TABLE project_groups (
            id TEXT PRIMARY KEY,
            workspace_id TEXT NOT NULL REFERENCES workspaces(id),
            name TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (workspace_id, name)
        );
        CREATE TABLE projects (
            id TEXT PRIMARY KEY,
            workspace_id TEXT NOT NULL REFERENCES workspaces(id),
            project_group_id TEXT NOT NULL REFERENCES project_groups(id),
            name TEXT NOT NULL,
            data TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (project_group_id, name)
        );
        CREATE TABLE providers (
            id TEXT PRIMARY KEY,
            workspace_id TEXT NOT NULL REFERENCES workspaces(id),
            name TEXT NOT NULL,
            data TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (workspace_id, name)
        );
        CREATE TABLE project_providers (
            project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
            provider_name TEXT NOT NULL,
            PRIMARY KEY (project_id, provider_name)
        );
        """
    )


def apply(db: SqliteUtilsDatabase, *, stop_before: str | None = None) -> None:
    migrations.apply(db, stop_before=stop_before)
