"""Use cases of data generation jobs: submit (validate + snapshot), describe, remove."""

from __future__ import annotations

from typing import Any

from pipeline.capacity import uniqueness_problems
from pipeline.schema.parse import SchemaError
from service.errors import Invalid, TooMany
from service.projects import check_entity, choose_seed, load_project_schema
from service.settings import Settings
from service.webhooks.guard import UnsafeUrl, check_url
from storage import jobs
from storage.db import Database

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
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
    webhook_url: str | None,
    seed: int | None,
    base_url: str,
) -> dict:
    """Validate a request, snapshot schema and provider values, and store a pending job.

    Blocking (SQLite, schema checks, DNS for the webhook host): run it in a worker thread."""
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
    seed = choose_seed(seed, schema)
    row = jobs.insert_job(
        db,
        ws,
        {
            "project_id": project["id"],
            "entity_name": entity_name,
            "format": fmt,
            "count": count,
            "seed": seed,
            "schema_text": project["data"],
            "providers": values,
            "webhook_url": webhook_url,
            "base_url": base_url,
            "shard_rows": settings.shard_rows,
        },
        max_unfinished=settings.max_jobs_in_flight,
    )
    if row is None:
        raise TooMany(
            f"at most {settings.max_jobs_in_flight} jobs may run at once per workspace",
            headers={"Retry-After": "5"},
        )
    return row


def download_url(base_url: str, job_id: str) -> str:
    return f"{base_url.rstrip('/')}/data/{job_id}/download"


def status_body(
    row: dict, base_url: str, dashboard_link: str | None = None, notice: str | None = None
) -> dict[str, Any]:
    """The job as ``GET /data/{id}/status`` and webhooks describe it."""
    body: dict[str, Any] = {
        "id": row["id"],
        "status": row["status"],
        "project_id": row["project_id"],
        "entity_name": row["entity_name"],
        "format": row["format"],
        "count": row["count"],
        "seed": row["seed"],
        "progress": {
            "rows_done": row["rows_done"],
            "rows_total": row["count"],
            "shards_done": row["shards_done"],
            "shards_total": row["shards_total"],
        },
        "created_at": row["created_at"],
        "started_at": row["started_at"],
        "finished_at": row["finished_at"],
        "error": row["error"],
    }
    if row["status"] == "completed":
        body["data"] = {row["entity_name"]: download_url(base_url, row["id"])}
        body["size_bytes"] = row["output_bytes"]
    if row["status"] in ("pending", "processing"):
        if dashboard_link:
            body["dashboard_link"] = dashboard_link
        if notice:
            body["notice"] = notice
    return body
