"""Use cases of data generation jobs: submit (validate + snapshot), describe, list, remove.

Blocking work (SQLite, schema checks, DNS for the webhook host, file removal): controllers run
these functions in a worker thread, except the status poll, which reads one SQLite row.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING
from urllib.parse import quote

import msgspec

from pipeline.capacity import uniqueness_problems
from pipeline.destinations import is_table_url
from pipeline.lifecycle import UNFINISHED, JobStatus
from pipeline.plan import (
    check_format,
    choose_seed,
    dependency_order,
    derived_count,
    scaled_counts,
    scaled_schema,
)
from pipeline.schema.model import Schema
from pipeline.schema.parse import SchemaError, parse_schema
from service.destinations import check_destination
from service.dto import DataRequest, JobAccepted, JobStatusBody, Progress
from service.errors import ConflictError, Invalid, TooMany
from service.projects import check_entity, load_project_schema
from service.settings import Settings
from service.webhooks.guard import UnsafeUrl, check_url
from storage import files, jobs
from storage.db import Database
from storage.formats import FormatError
from storage.jobs import JobPart, JobRow, NewJob

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
    request: DataRequest,
    base_url: str,
) -> JobRow:
    """Validate a request, snapshot schema and provider values, and store a pending job."""
    try:
        dialect = check_format(request.format, request.dialect)
    except FormatError as exc:
        raise Invalid(str(exc), field="dialect") from exc
    project, schema, values = load_project_schema(db, ws, project_id)
    seed = choose_seed(request.seed, schema.seed)
    text = project.data or ""
    if request.scale not in (None, 1) and request.entities is not None:
        # Every entity of the schema is scaled, named or not, so a reference to a parent left
        # out of the job still draws among the rows a job of that parent would make.
        text = scaled_schema(text, scaled_counts(schema, request.scale or 1.0))
        schema = parse_schema(text)
    parts = job_parts(schema, request, seed)
    count = sum(p.count for p in parts)
    if count > settings.max_rows:
        if request.entities is None:
            raise Invalid(f"count must be at most {settings.max_rows}", field="count")
        raise Invalid(
            f"a job may make at most {settings.max_rows} rows in all; these entities at this "
            f"scale make {count}",
            field="scale",
        )
    if request.webhook_url is not None:
        try:
            check_url(request.webhook_url, settings.webhook_allow)
        except UnsafeUrl as exc:
            raise Invalid(str(exc), field="webhook_url") from exc
    destination = (
        check_destination(request.destination, settings.destination_allow)
        if request.destination is not None
        else None
    )
    problems = [
        p for part in parts for p in uniqueness_problems(schema, part.entity, part.count, values)
    ]
    if problems:
        raise SchemaError(problems)
    job = NewJob(
        project_id=project.id,
        entity_name=request.entity_name or "",
        parts=parts,
        format=request.format,
        dialect=dialect,
        count=count,
        seed=seed,
        schema_text=text,
        providers=values,
        webhook_url=request.webhook_url,
        base_url=base_url,
        shard_rows=settings.shard_rows,
        destination=msgspec.to_builtins(destination) if destination is not None else None,
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


def job_parts(schema: Schema, request: DataRequest, seed: int = 0) -> list[JobPart]:
    """The entities a request asks for, each with its rows, parents before children.

    ``schema`` is the one the job makes, its counts already at the request's scale. An entity
    made in groups per parent row has the rows its groups sum to with ``seed``: a
    single-entity job may leave out its count, or give that one.
    """
    if request.entities is None:
        if request.entity_name is None:
            raise Invalid("give entity_name and count, or entities", field="entity_name")
        if request.scale is not None:
            raise Invalid("scale goes with entities, not with entity_name", field="scale")
        check_entity(schema, request.entity_name)
        derived = derived_count(schema, request.entity_name, seed)
        if derived is not None and request.count not in (None, derived):
            raise Invalid(
                f"{request.entity_name} is made in groups per parent row: with seed {seed} it "
                f"has {derived} rows, not {request.count}; leave count out",
                field="count",
            )
        count = derived if derived is not None else request.count
        if count is None:
            raise Invalid("count is required with entity_name", field="count")
        return [JobPart(request.entity_name, count)]
    if request.entity_name is not None:
        raise Invalid("give entity_name or entities, not both", field="entities")
    if request.count is not None:
        raise Invalid(
            "count goes with entity_name; with entities, each entity makes its schema count "
            "(times scale)",
            field="count",
        )
    names = list(schema.entities) if request.entities == "*" else request.entities
    if not names:
        raise Invalid('entities must name at least one entity, or be "*"', field="entities")
    for name in names:
        check_entity(schema, name, field="entities")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise Invalid(f"entities repeat: {', '.join(repeated)}", field="entities")
    uncounted = [n for n in names if schema.entities[n].count is None]
    if uncounted:
        raise Invalid(
            f"entities without a count in the schema cannot be made by name: "
            f"{', '.join(uncounted)}; give each a count, or ask for it with entity_name",
            field="entities",
        )
    parts = []
    for name in dependency_order(schema, names):
        given = schema.entities[name].count
        rows = given if isinstance(given, int) else derived_count(schema, name, seed) or 0
        parts.append(JobPart(name, rows))
    return parts


def accepted(row: JobRow) -> JobAccepted:
    return JobAccepted(id=row.id, status=row.status)  # type: ignore[arg-type]


def download_url(base_url: str, job_id: str, entity: str | None = None) -> str:
    """A job's file: ``/data/{id}/download``, or ``.../download/{entity}`` for one of the files
    of a job of several entities."""
    url = f"{base_url.rstrip('/')}/data/{job_id}/download"
    return url if entity is None else f"{url}/{quote(entity, safe='')}"


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
        entity_name=row.entity_name or None,
        entities=[p.entity for p in row.parts],
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
        data=files_of(row, base_url) if completed else None,
        size_bytes=row.output_bytes if completed else None,
        dashboard_link=dashboard_link if running else None,
        notice=notice if running else None,
    )


def files_of(row: JobRow, base_url: str) -> dict[str, str]:
    """Each entity's download URL, in the job's order (parents before children); for a job
    that loaded a database, each entity's table (``postgresql://host:port/db#schema.table``)."""
    tables = {e: path for e, (path, _) in row.outputs.items() if is_table_url(path)}
    if tables:
        return {p.entity: tables[p.entity] for p in row.parts if p.entity in tables}
    if row.entity_name:
        return {row.entity_name: download_url(base_url, row.id)}
    return {p.entity: download_url(base_url, row.id, p.entity) for p in row.parts}


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


async def cancel_job(db: Database, runner: JobRunner, ws: str, job_id: str) -> JobRow:
    """Cancel the workspace's job if it is still running; a finished one is left as it is (a
    job that ends while the cancel is on its way is not removed by it)."""
    row = jobs.get_job(db, ws, job_id)
    return await runner.cancel(row.id) if row.status in UNFINISHED else row


async def remove_finished_job(db: Database, settings: Settings, ws: str, job_id: str) -> None:
    """Delete a finished job and its files; a running one must be cancelled first."""
    row = jobs.get_job(db, ws, job_id)
    if row.status in UNFINISHED:
        raise ConflictError("the job is still running: cancel it first", field="job_id")
    await _delete(db, settings, row)


async def remove_job(
    db: Database, settings: Settings, runner: JobRunner, ws: str, job_id: str, base_url: str
) -> JobStatusBody | None:
    """Cancel a running job (its status, now failed) or remove a finished one and its files
    (None)."""
    row = jobs.get_job(db, ws, job_id)
    if row.status in UNFINISHED:
        # The runner answers a job that finished meanwhile as it is, without cancelling it.
        return status_body(await runner.cancel(row.id), base_url)
    await _delete(db, settings, row)
    return None


async def _delete(db: Database, settings: Settings, row: JobRow) -> None:
    # Off the event loop: on object storage a delete is a request per file.
    root = files.job_root(settings.storage, row.workspace_id, row.id)
    await asyncio.to_thread(files.remove_tree, root, settings.storage_options)
    jobs.delete_job(db, row.workspace_id, row.id)
