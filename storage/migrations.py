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


@migrations()
def m002_jobs_and_webhooks(db: SqliteUtilsDatabase) -> None:
    db.executescript(
        """
        CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            workspace_id TEXT NOT NULL REFERENCES workspaces(id),
            project_id TEXT NOT NULL,
            entity_name TEXT NOT NULL,
            format TEXT NOT NULL,
            count INTEGER NOT NULL,
            seed INTEGER NOT NULL,
            schema_text TEXT NOT NULL,
            providers TEXT NOT NULL,
            webhook_url TEXT,
            base_url TEXT NOT NULL,
            status TEXT NOT NULL,
            error TEXT,
            rows_done INTEGER NOT NULL DEFAULT 0,
            shards_done INTEGER NOT NULL DEFAULT 0,
            shards_total INTEGER NOT NULL DEFAULT 0,
            shard_rows INTEGER NOT NULL,
            output_path TEXT,
            output_bytes INTEGER,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT
        );
        CREATE INDEX jobs_by_workspace ON jobs (workspace_id, created_at);
        CREATE INDEX jobs_by_status ON jobs (status);
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY,
            job_id TEXT NOT NULL,
            workspace_id TEXT NOT NULL REFERENCES workspaces(id),
            url TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at REAL,
            last_error TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX deliveries_due ON webhook_deliveries (status, next_attempt_at);
        CREATE TABLE webhook_attempts (
            delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
            attempt INTEGER NOT NULL,
            at TEXT NOT NULL,
            status_code INTEGER,
            error TEXT,
            PRIMARY KEY (delivery_id, attempt)
        );
        """
    )


@migrations()
def m003_index_jobs_by_status(db: SqliteUtilsDatabase) -> None:
    # Every submit counts the workspace's unfinished jobs; without this index that count
    # scanned all of a workspace's jobs, and grew with its history.
    db.executescript("CREATE INDEX jobs_in_flight ON jobs (workspace_id, status);")


@migrations()
def m004_jobs_of_several_entities(db: SqliteUtilsDatabase) -> None:
    # A job makes one or several entities: [[name, rows], ...] and {name: file} as JSON. Rows
    # of older jobs keep NULL here and are read as their one entity_name and output_path.
    db.executescript(
        "ALTER TABLE jobs ADD COLUMN parts TEXT; ALTER TABLE jobs ADD COLUMN outputs TEXT;"
    )


@migrations()
def m005_jobs_dialect(db: SqliteUtilsDatabase) -> None:
    # The sql format's dialect; NULL for the other formats and for jobs stored before it.
    db.executescript("ALTER TABLE jobs ADD COLUMN dialect TEXT;")


@migrations()
def m006_job_destinations(db: SqliteUtilsDatabase) -> None:
    # The database a job loads into, as JSON, password included: a job resumed after a
    # restart must connect again. Never part of what the API returns (JobRow leaves it out).
    db.executescript("ALTER TABLE jobs ADD COLUMN destination TEXT;")
