"""Generation jobs and their webhook deliveries: SQLite is the truth about every job.

Status changes are compare-and-set (``WHERE status = ?``) so two actors (the runner and a
cancel request) can never both win; which moves are legal is the pipeline's job state table.
"""

from __future__ import annotations

import json
from typing import Any

from storage.db import Database, new_id, now
from storage.errors import NotFound

STATUS_COLUMNS = (
    "id, project_id, entity_name, format, count, seed, status, error, rows_done, shards_done, "
    "shards_total, output_path, output_bytes, webhook_url, created_at, started_at, finished_at"
)


def insert_job(
    db: Database, ws: str, fields: dict[str, Any], *, max_unfinished: int | None = None
) -> dict | None:
    """The new pending job; None when the workspace already has ``max_unfinished`` jobs
    pending or processing (counted in the same transaction, so concurrent submissions
    cannot both slip under the limit)."""
    row = {
        "id": new_id(),
        "workspace_id": ws,
        "status": "pending",
        "created_at": now(),
        **fields,
        "providers": json.dumps(fields.get("providers", {})),
    }
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    with db.write() as tx:
        if max_unfinished is not None and count_unfinished(db, ws) >= max_unfinished:
            return None
        # Plain SQL: this runs on every submit, and Table.insert re-reads the table's schema.
        tx.execute(f"INSERT INTO jobs ({columns}) VALUES ({marks})", list(row.values()))
    return row


def get_job(db: Database, ws: str | None, job_id: str, *, full: bool = False) -> dict:
    cols = "*" if full else STATUS_COLUMNS
    if ws is None:
        row = db.one(f"SELECT {cols} FROM jobs WHERE id = ?", (job_id,))
    else:
        row = db.one(f"SELECT {cols} FROM jobs WHERE id = ? AND workspace_id = ?", (job_id, ws))
    if row is None:
        raise NotFound("job", job_id)
    if full:
        row["providers"] = json.loads(row["providers"])
    return row


def list_jobs(
    db: Database,
    ws: str,
    *,
    project_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[dict]:
    where, params = ["workspace_id = ?"], [ws]
    if project_id:
        where.append("project_id = ?")
        params.append(project_id)
    if status:
        where.append("status = ?")
        params.append(status)
    return db.query(
        f"SELECT {STATUS_COLUMNS} FROM jobs WHERE {' AND '.join(where)} "
        "ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
        (*params, limit, offset),
    )


def count_unfinished(db: Database, ws: str) -> int:
    row = db.one(
        "SELECT count(*) AS n FROM jobs WHERE workspace_id = ? AND status IN "
        "('pending', 'processing')",
        (ws,),
    )
    return int(row["n"]) if row else 0


def unfinished_job_ids(db: Database) -> list[str]:
    rows = db.query(
        "SELECT id FROM jobs WHERE status IN ('pending', 'processing') ORDER BY created_at, rowid"
    )
    return [r["id"] for r in rows]


def start(db: Database, job_id: str, shards_total: int) -> bool:
    """pending -> processing (or a resumed processing job); False if it moved meanwhile."""
    with db.write() as tx:
        cur = tx.execute(
            "UPDATE jobs SET status = 'processing', shards_total = ?, "
            "started_at = coalesce(started_at, ?) WHERE id = ? AND status IN "
            "('pending', 'processing')",
            [shards_total, now(), job_id],
        )
        return cur.rowcount == 1


def record_progress(db: Database, job_id: str, shards_done: int, rows_done: int) -> None:
    """Progress never goes back: a resumed job counts its kept shards again from zero."""
    with db.write() as tx:
        tx.execute(
            "UPDATE jobs SET shards_done = max(shards_done, ?), rows_done = max(rows_done, ?) "
            "WHERE id = ? AND status = 'processing'",
            [shards_done, rows_done, job_id],
        )


def finish(
    db: Database,
    job_id: str,
    *,
    status: str,
    expected: str,
    error: str | None = None,
    output_path: str | None = None,
    output_bytes: int | None = None,
    webhook: dict[str, Any] | None = None,
) -> bool:
    """Move a job to its end state and queue its webhook, in one transaction."""
    with db.write() as tx:
        cur = tx.execute(
            "UPDATE jobs SET status = ?, error = ?, output_path = ?, output_bytes = ?, "
            "finished_at = ? WHERE id = ? AND status = ?",
            [status, error, output_path, output_bytes, now(), job_id, expected],
        )
        if cur.rowcount != 1:
            return False
        if webhook is not None:
            tx.table("webhook_deliveries").insert(
                {
                    "id": webhook["id"],
                    "job_id": job_id,
                    "workspace_id": webhook["workspace_id"],
                    "url": webhook["url"],
                    "payload": webhook["payload"],
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": 0.0,
                    "last_error": None,
                    "created_at": now(),
                }
            )
        return True


def delete_job(db: Database, ws: str, job_id: str) -> None:
    with db.write() as tx:
        tx.execute("DELETE FROM jobs WHERE id = ? AND workspace_id = ?", [job_id, ws])


# Webhook deliveries -------------------------------------------------------------------


def due_deliveries(db: Database, at: float, limit: int = 20) -> list[dict]:
    return db.query(
        "SELECT d.*, w.webhook_secret FROM webhook_deliveries d JOIN workspaces w "
        "ON w.id = d.workspace_id WHERE d.status = 'pending' AND d.next_attempt_at <= ? "
        "ORDER BY d.next_attempt_at LIMIT ?",
        (at, limit),
    )


def next_delivery_time(db: Database) -> float | None:
    row = db.one(
        "SELECT min(next_attempt_at) AS t FROM webhook_deliveries WHERE status = 'pending'"
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
