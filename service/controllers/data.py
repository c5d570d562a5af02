"""/data: start a generation job, follow it, download its file, cancel or remove it."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.response import Redirect, Stream

from service import jobs as usecases
from service.auth import workspace_of
from service.deps import Page, base_url_of, db_of
from service.downloads import serve_file
from service.dto import DataRequest, JobAccepted, JobStatusBody, WebhookSettings
from service.openapi import problem
from service.settings import Settings
from storage import files, jobs
from storage.db import Database
from storage.keys import Workspace

StatusFilter = Literal["pending", "processing", "completed", "failed"]


class DataController(Controller):
    path = "/data"
    tags = ["data"]

    @post("/{project_id:str}", status_code=202, summary="Start generating rows of an entity")
    async def submit(
        self,
        state: State,
        base_url: str,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        project_id: str,
        data: DataRequest,
    ) -> JobAccepted:
        # In a thread: resolving the webhook's host may take seconds, and a burst of
        # submissions (each a few ms of schema checks) would otherwise hold up status polls.
        row = await asyncio.to_thread(
            usecases.submit_job,
            db,
            settings,
            workspace.id,
            project_id,
            entity_name=data.entity_name,
            count=data.count,
            fmt=data.format,
            webhook_url=data.webhook_url,
            seed=data.seed,
            base_url=base_url,
        )
        state.runner.launch(row["id"])
        return JobAccepted(id=row["id"], status="pending")

    @get("/", summary="The workspace's jobs, newest first")
    async def list_jobs(
        self,
        state: State,
        db: Database,
        base_url: str,
        workspace: Workspace,
        page: Page,
        project_id: str | None = Parameter(query="project_id", default=None),
        status: StatusFilter | None = Parameter(query="status", default=None),
    ) -> list[JobStatusBody]:
        rows = jobs.list_jobs(
            db,
            workspace.id,
            project_id=project_id,
            status=status,
            limit=page.limit,
            offset=page.offset,
        )
        runner = state.runner
        return [
            msgspec.convert(
                usecases.status_body(
                    r, base_url, runner.dashboard_link, runner.notices.get(r["id"])
                ),
                JobStatusBody,
            )
            for r in rows
        ]

    @get("/{job_id:str}/status", summary="A job's status, progress and, when done, its file URL")
    async def status(self, request: Request[Any, Any, Any], job_id: str) -> JobStatusBody:
        # Clients poll this route: it looks its needs up instead of having them injected,
        # since Litestar resolves several dependencies in a task group of their own, which
        # cost a tenth of each poll.
        row = jobs.get_job(db_of(request), workspace_of(request).id, job_id)
        runner = request.app.state.runner
        body = usecases.status_body(
            row, base_url_of(request), runner.dashboard_link, runner.notices.get(job_id)
        )
        return msgspec.convert(body, JobStatusBody)

    @get(
        "/{job_id:str}/download",
        summary="The job's file (streamed; single ranges supported)",
        responses={
            206: ResponseSpec(None, description="The byte range asked for (Content-Range)"),
            304: ResponseSpec(None, description="Unchanged since the ETag in If-None-Match"),
            307: ResponseSpec(None, description="Redirect to a signed URL (DRAFTA_SIGNED_URLS)"),
            416: problem("The range is outside the file, or more than one range was asked"),
        },
    )
    async def download(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        job_id: str,
        range_header: str | None = Parameter(header="range", default=None),
        if_none_match: str | None = Parameter(header="if-none-match", default=None),
    ) -> Response[bytes] | Stream | Redirect:
        row = jobs.get_job(db, workspace.id, job_id)
        return serve_file(row, settings, range_header, if_none_match)

    @delete(
        "/{job_id:str}",
        status_code=200,
        summary="Cancel a running job (200) or remove a finished one (204)",
        responses={204: ResponseSpec(None, description="A finished job and its files removed")},
    )
    async def remove(
        self,
        state: State,
        base_url: str,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        job_id: str,
    ) -> Response[JobStatusBody | None]:
        row = jobs.get_job(db, workspace.id, job_id)
        if row["status"] in ("pending", "processing"):
            await state.runner.cancel(job_id)
            after = jobs.get_job(db, workspace.id, job_id)
            body = usecases.status_body(after, base_url)
            return Response(msgspec.convert(body, JobStatusBody), status_code=200)
        # Off the event loop: on object storage a delete is a request per file.
        await asyncio.to_thread(
            files.remove_tree,
            files.job_root(settings.storage, workspace.id, job_id),
            settings.storage_options,
        )
        jobs.delete_job(db, workspace.id, job_id)
        return Response(None, status_code=204)


class WebhookSettingsController(Controller):
    path = "/settings/webhook"
    tags = ["settings"]

    @get("/", summary="The workspace's webhook signing secret")
    async def webhook_settings(self, db: Database, workspace: Workspace) -> WebhookSettings:
        return WebhookSettings(secret=jobs.get_webhook_secret(db, workspace.id))
