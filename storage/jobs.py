"""Generation jobs and their webhook deliveries: SQLite is the truth about every job.

Rows come back as ``JobRow`` structs. Status changes are compare-and-set (``WHERE status IN
...``) so two actors (the runner and a cancel request) can never both win. The status words and
which moves are legal belong to the pipeline's lifecycle: functions here take statuses as
arguments and never name one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import msgspec

from storage.db import Database, new_id, now
from storage.errors import NotFound


class JobPart(msgspec.Struct, frozen=True, array_like=True):
    """One entity of a job and its rows."""

    entity: str
    count: int


class NewJob(msgspec.Struct, frozen=True, kw_only=True):
    """What a submission stores: the request and a snapshot of what it generates from."""

    project_id: str
    entity_name: str  # the entity of a one-entity job; "" for a job of several
    parts: list[JobPart]  # every entity with its rows, parents before children
    format: str
    dialect: str | None = None  # the sql format's
    count: int  # rows in all
    seed: int
    schema_text: str
    providers: dict[str, list[Any]] = {}
    webhook_url: str | None = None
    base_url: str
    shard_rows: int
    # The database to load into instead of files (its URL holds the password).
    destination: dict[str, Any] | None = None


class JobRow(msgspec.Struct, frozen=True, kw_only=True):
    """A stored job as status, lists, downloads and webhooks read it."""

    id: str
    workspace_id: str
    project_id: str
    entity_name: str
    parts: list[JobPart]
    format: str
    dialect: str | None
    count: int
    seed: int
    status: str
    error: str | None
    rows_done: int
    shards_done: int
    shards_total: int
    shard_rows: int
    output_path: str | None
    outputs: dict[str, tuple[str, int]]  # each entity's file and its size, when completed
    output_bytes: int | None
    webhook_url: str | None
    base_url: str
    created_at: str
    started_at: str | None
    finished_at: str | None


class JobInput(msgspec.Struct, frozen=True):
    """The snapshot a job generates from: its schema text and its providers' values, and the
    database it loads into, if any."""

    schema_text: str
    providers: dict[str, list[Any]]
    destination: dict[str, Any] | None = None


class Delivery(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    job_id: str
    workspace_id: str
    url: str
    payload: str
    attempts: int
    webhook_secret: str


COLUMNS = ", ".join(JobRow.__struct_fields__)


def _row(found: dict[str, Any]) -> JobRow:
    parts, outputs = found["parts"], found["outputs"]
    return msgspec.convert(
        {
            **found,
            # Jobs stored before jobs had several entities have one, by its old columns.
            "parts": json.loads(parts) if parts else [[found["entity_name"], found["count"]]],
            "outputs": json.loads(outputs) if outputs else _old_outputs(found),
        },
        JobRow,
    )


def _old_outputs(found: dict[str, Any]) -> dict[str, tuple[str, int]]:
    if not found["output_path"]:
        return {}
    return {found["entity_name"]: (found["output_path"], found["output_bytes"] or 0)}


def _marks(values: Sequence[object] | dict[str, object]) -> str:
    return ", ".join("?" * len(values))


def insert_job(
    db: Database,
    ws: str,
    job: NewJob,
    *,
    status: str,
    limit: tuple[Sequence[str], int] | None = None,
) -> JobRow | None:
    """The new job, stored with ``status``; None when ``limit`` = (statuses, n) and the
    workspace already has ``n`` jobs in those statuses (counted in the same transaction, so
    concurrent submissions cannot both slip under the limit)."""
    fields = msgspec.structs.asdict(job)
    row = {
        "id": new_id(),
        "workspace_id": ws,
        "status": status,
        "created_at": now(),
        **fields,
        "parts": msgspec.json.encode(job.parts).decode(),
        "providers": json.dumps(fields["providers"]),
        "destination": json.dumps(job.destination) if job.destination is not None else None,
    }
    columns = ", ".join(row)
    with db.write() as tx:
        if limit is not None and count_with_status(db, ws, limit[0]) >= limit[1]:
            return None
        # Plain SQL: this runs on every submit, and Table.insert re-reads the table's schema.
        found = tx.execute(
            f"INSERT INTO jobs ({columns}) VALUES ({_marks(row)}) RETURNING {COLUMNS}",
            list(row.values()),
        ).fetchone()
    return _row(dict(zip(JobRow.__struct_fields__, found, strict=True)))


def get_job(db: Database, ws: str | None, job_id: str) -> JobRow:
    """A job by id, within workspace ``ws`` (None: any workspace, for the runner)."""
    if ws is None:
        found = db.one(f"SELECT {COLUMNS} FROM jobs WHERE id = ?", (job_id,))
    else:
        found = db.one(
            f"SELECT {COLUMNS} FROM jobs WHERE id = ? AND workspace_id = ?", (job_id, ws)
        )
    if found is None:
        raise NotFound("job", job_id)
    return _row(found)


def get_job_input(db: Database, job_id: str) -> JobInput:
    found = db.one("SELECT schema_text, providers, destination FROM jobs WHERE id = ?", (job_id,))
    if found is None:
        raise NotFound("job", job_id)
    destination = json.loads(found["destination"]) if found["destination"] else None
    return JobInput(found["schema_text"], json.loads(found["providers"]), destination)


def list_jobs(
    db: Database,
    ws: str,
    *,
    project_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[JobRow]:
    where, params = ["workspace_id = ?"], [ws]
    if project_id:
        where.append("project_id = ?")
        params.append(project_id)
    if status:
        where.append("status = ?")
        params.append(status)
    rows = db.query(
        f"SELECT {COLUMNS} FROM jobs WHERE {' AND '.join(where)} "
        "ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )
    return [_row(r) for r in rows]


def count_with_status(db: Database, ws: str, statuses: Sequence[str]) -> int:
    row = db.one(
        f"SELECT count(*) AS n FROM jobs WHERE workspace_id = ? AND status IN ({_marks(statuses)})",
        (ws, *statuses),
    )
    return int(row["n"]) if row else 0


def ids_with_status(db: Database, statuses: Sequence[str]) -> list[str]:
    rows = db.query(
        f"SELECT id FROM jobs WHERE status IN ({_marks(statuses)}) ORDER BY created_at, rowid",
        tuple(statuses),
    )
    return [r["id"] for r in rows]


def mark_started(
    db: Database, job_id: str, shards_total: int, *, status: str, expected: Sequence[str]
) -> bool:
    """Move the job to ``status`` with its shard count, keeping its first start time; False
    if it is no longer in one of the ``expected`` statuses."""
    with db.write() as tx:
        cur = tx.execute(
            "UPDATE jobs SET status = ?, shards_total = ?, started_at = coalesce(started_at, ?) "
            f"WHERE id = ? AND status IN ({_marks(expected)})",
            [status, shards_total, now(), job_id, *expected],
        )
        return cur.rowcount == 1


def record_progress(
    db: Database, job_id: str, shards_done: int, rows_done: int, *, status: str
) -> None:
    """Progress never goes back: a resumed job counts its kept shards again from zero."""
    with db.write() as tx:
        tx.execute(
            "UPDATE jobs SET shards_done = max(shards_done, ?), rows_done = max(rows_done, ?) "
            "WHERE id = ? AND status = ?",
            [shards_done, rows_done, job_id, status],
        )


def finish(
    db: Database,
    job_id: str,
    *,
    status: str,
    expected: Sequence[str],
    error: str | None = None,
    outputs: dict[str, tuple[str, int]] | None = None,
    complete: bool = False,
) -> JobRow | None:
    """Move a job to its end state, returning the row as stored (None if it had already left
    the ``expected`` statuses). ``complete`` sets its progress to every shard and row. Call it
    inside ``db.write()`` to queue the job's webhook in the same transaction."""
    progress = ", shards_done = shards_total, rows_done = count" if complete else ""
    with db.write() as tx:
        found = tx.execute(
            f"UPDATE jobs SET status = ?, error = ?, output_path = ?, outputs = ?, "
            f"output_bytes = ?, finished_at = ?{progress} WHERE id = ? AND status IN "
            f"({_marks(expected)}) RETURNING {COLUMNS}",
            [
                status,
                error,
                # The first file also where jobs of one entity always kept it.
                next(iter(outputs.values()))[0] if outputs else None,
                json.dumps(outputs) if outputs is not None else None,
                sum(size for _, size in outputs.values()) if outputs else None,
                now(),
                job_id,
                *expected,
            ],
        ).fetchone()
    if found is None:
        return None
    return _row(dict(zip(JobRow.__struct_fields__, found, strict=True)))


def delete_job(db: Database, ws: str, job_id: str) -> None:
    with db.write() as tx:
        tx.execute("DELETE FROM jobs WHERE id = ? AND workspace_id = ?", [job_id, ws])


# Webhook deliveries -------------------------------------------------------------------

PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"  # a delivery's states


def queue_delivery(db: Database, job: JobRow, payload: str) -> str:
    """Queue the webhook of a finished job; returns the delivery's id (its ``webhook-id``)."""
    delivery_id = f"msg_{new_id()}"
    with db.write() as tx:
        tx.execute(
            "INSERT INTO webhook_deliveries (id, job_id, workspace_id, url, payload, status, "
            "attempts, next_attempt_at, last_error, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, 0.0, NULL, ?)",
            [delivery_id, job.id, job.workspace_id, job.webhook_url, payload, PENDING, now()],
        )
    return delivery_id


def due_deliveries(db: Database, at: float, limit: int = 20) -> list[Delivery]:
    rows = db.query(
        "SELECT d.id, d.job_id, d.workspace_id, d.url, d.payload, d.attempts, w.webhook_secret "
        "FROM webhook_deliveries d JOIN workspaces w ON w.id = d.workspace_id "
        "WHERE d.status = ? AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?",
        (PENDING, at, limit),
    )
    return [msgspec.convert(r, Delivery) for r in rows]


def next_delivery_time(db: Database) -> float | None:
    row = db.one(
        "SELECT min(next_attempt_at) AS t FROM webhook_deliveries WHERE status = ?", (PENDING,)
    )
    return None if row is None or row["t"] is None else float(row["t"])


def record_attempt(
    db: Database,
    delivery_id: str,
    attempt: int,
    *,
    status_code: int | None,
    error: str | None,
    outcome: str,
    next_attempt_at: float | None,
) -> None:
    """Log one attempt and set the delivery's state: pending (retry), delivered or failed."""
    with db.write() as tx:
        tx.table("webhook_attempts").insert(
            {
                "delivery_id": delivery_id,
                "attempt": attempt,
                "at": now(),
                "status_code": status_code,
                "error": error,
            }
        )
        tx.execute(
            "UPDATE webhook_deliveries SET attempts = ?, status = ?, next_attempt_at = ?, "
            "last_error = ? WHERE id = ?",
            [attempt, outcome, next_attempt_at, error, delivery_id],
        )


def deliveries_of(db: Database, job_id: str) -> list[dict]:
    return db.query(
        "SELECT id, url, status, attempts, last_error FROM webhook_deliveries WHERE job_id = ?",
        (job_id,),
    )


def attempts_of(db: Database, delivery_id: str) -> list[dict]:
    return db.query(
        "SELECT attempt, at, status_code, error FROM webhook_attempts WHERE delivery_id = ? "
        "ORDER BY attempt",
        (delivery_id,),
    )


def get_webhook_secret(db: Database, ws: str) -> str:
    row = db.one("SELECT webhook_secret FROM workspaces WHERE id = ?", (ws,))
    if row is None:
        raise NotFound("workspace", ws)
    return str(row["webhook_secret"])
