"""Use cases of data generation jobs: submit (validate + snapshot), describe, list, remove.

Blocking work (SQLite, schema checks, DNS for the webhook host, file removal): controllers run
these functions in a worker thread, except the status poll, which reads one SQLite row.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import msgspec

from pipeline.capacity import uniqueness_problems
from pipeline.lifecycle import UNFINISHED, JobStatus
from pipeline.plan import check_format, choose_seed
from pipeline.schema.parse import SchemaError
from service.dto import JobAccepted, JobStatusBody, Progress
from service.errors import Invalid, TooMany
from service.projects import check_entity, load_project_schema
from service.settings import Settings
from service.webhooks.guard import UnsafeUrl, check_url
from storage import files, jobs
from storage.db import Database
from storage.formats import FormatError
from storage.jobs import JobRow, NewJob

if TYPE_CHECKING:
    from service.runner import JobRunner

MEDIA_TYPES = {
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "sql": "application/sql; charset=utf-8",
}


def submit_job(
    db: Database,
    settings: Settings,
    ws: str,
    project_id: str,
    *,
    entity_name: str,
    count: int,
    fmt: str,
    dialect: str | None = None,
    webhook_url: str | None,
    seed: int | None,
    base_url: str,
) -> JobRow:
    """Validate a request, snapshot schema and provider values, and store a pending job."""
    try:
        dialect = check_format(fmt, dialect)
    except FormatError as exc:
        raise Invalid(str(exc), field="dialect") from exc
    project, schema, values = load_project_schema(db, ws, project_id)
    check_entity(schema, entity_name)
    if count > settings.max_rows:
        raise Invalid(f"count must be at most {settings.max_rows}", field="count")
    if webhook_url is not None:
        try:
            check_url(webhook_url, settings.webhook_allow)
        except UnsafeUrl as exc:
            raise Invalid(str(exc), field="webhook_url") from exc
    problems = uniqueness_problems(schema, entity_name, count, values)
    if problems:
        raise SchemaError(problems)
    job = NewJob(
        project_id=project.id,
        entity_name=entity_name,
        format=fmt,
        dialect=dialect,
        count=count,
        seed=choose_seed(seed, schema.seed),
        schema_text=project.data or "",
        providers=values,
        webhook_url=webhook_url,
        base_url=base_url,
        shard_rows=settings.shard_rows,
    )
    row = jobs.insert_job(
        db, ws, job, status=JobStatus.PENDING, limit=(UNFINISHED, settings.max_jobs_in_flight)
    )
    if row is None:
        raise TooMany(
            f"at most {settings.max_jobs_in_flight} jobs may run at once per workspace",
            headers={"Retry-After": "5"},
        )
    return row


def accepted(row: JobRow) -> JobAccepted:
    return JobAccepted(id=row.id, status=row.status)  # type: ignore[arg-type]


def download_url(base_url: str, job_id: str) -> str:
    return f"{base_url.rstrip('/')}/data/{job_id}/download"


def status_body(
    row: JobRow, base_url: str, dashboard_link: str | None = None, notice: str | None = None
) -> JobStatusBody:
    """The job as ``GET /data/{id}/status`` and webhooks describe it."""
    completed = row.status == JobStatus.COMPLETED
    running = row.status in UNFINISHED
    return JobStatusBody(
        id=row.id,
        status=row.status,  # type: ignore[arg-type]
        project_id=row.project_id,
        entity_name=row.entity_name,
        format=row.format,
        dialect=row.dialect,
        count=row.count,
        seed=row.seed,
        progress=Progress(
            rows_done=row.rows_done,
            rows_total=row.count,
            shards_done=row.shards_done,
            shards_total=row.shards_total,
        ),
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        error=row.error,
        data={row.entity_name: download_url(base_url, row.id)} if completed else None,
        size_bytes=row.output_bytes if completed else None,
        dashboard_link=dashboard_link if running else None,
        notice=notice if running else None,
    )


def webhook_event(row: JobRow, timestamp: str) -> str:
    """The body of a finished job's webhook: its status, exactly as ``status`` shows it."""
    body = status_body(row, row.base_url)
    event = {"type": f"data.{row.status}", "timestamp": timestamp, "data": body}
    return msgspec.json.encode(event).decode()


def job_status(
    db: Database, runner: JobRunner, ws: str, job_id: str, base_url: str
) -> JobStatusBody:
    row = jobs.get_job(db, ws, job_id)
    return status_body(row, base_url, runner.dashboard_link, runner.notices.get(job_id))


def list_jobs(
    db: Database,
    runner: JobRunner,
    ws: str,
    base_url: str,
    *,
    project_id: str | None,
    status: str | None,
    limit: int,
    offset: int,
) -> list[JobStatusBody]:
    rows = jobs.list_jobs(db, ws, project_id=project_id, status=status, limit=limit, offset=offset)
    link = runner.dashboard_link
    return [status_body(r, base_url, link, runner.notices.get(r.id)) for r in rows]


async def remove_job(
    db: Database, settings: Settings, runner: JobRunner, ws: str, job_id: str, base_url: str
) -> JobStatusBody | None:
    """Cancel a running job (its status, now failed) or remove a finished one and its files
    (None)."""
    row = jobs.get_job(db, ws, job_id)
    if row.status in UNFINISHED:
        return status_body(await runner.cancel(job_id), base_url)
    # Off the event loop: on object storage a delete is a request per file.
    root = files.job_root(settings.storage, ws, job_id)
    await asyncio.to_thread(files.remove_tree, root, settings.storage_options)
    jobs.delete_job(db, ws, job_id)
    return None
