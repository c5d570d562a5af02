"""/data: start a generation job, follow it, download its file, cancel or remove it."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter
from litestar.response import Redirect, Stream

from pipeline.lifecycle import JobStatus
from service import jobs as usecases
from service.auth import workspace_of
from service.deps import Page, base_url_of, db_of
from service.downloads import serve_file
from service.dto import DataRequest, JobAccepted, JobStatusBody, WebhookSettings
from service.openapi import problem
from service.settings import Settings
from storage import jobs
from storage.db import Database
from storage.keys import Workspace

DOWNLOAD_RESPONSES = {
    206: ResponseSpec(None, description="The byte range asked for (Content-Range)"),
    304: ResponseSpec(None, description="Unchanged since the ETag in If-None-Match"),
    307: ResponseSpec(None, description="Redirect to a signed URL (DRAFTA_SIGNED_URLS)"),
    416: problem("The range is outside the file, or more than one range was asked"),
}


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
            usecases.submit_job, db, settings, workspace.id, project_id, data, base_url
        )
        state.runner.launch(row.id)
        return usecases.accepted(row)

    @get("/", summary="The workspace's jobs, newest first")
    async def list_jobs(
        self,
        state: State,
        db: Database,
        base_url: str,
        workspace: Workspace,
        page: Page,
        project_id: str | None = Parameter(query="project_id", default=None),
        status: JobStatus | None = Parameter(query="status", default=None),
    ) -> list[JobStatusBody]:
        return usecases.list_jobs(
            db,
            state.runner,
            workspace.id,
            base_url,
            project_id=project_id,
            status=status,
            limit=page.limit,
            offset=page.offset,
        )

    @get("/{job_id:str}/status", summary="A job's status, progress and, when done, its file URL")
    async def status(self, request: Request[Any, Any, Any], job_id: str) -> JobStatusBody:
        # Clients poll this route: it looks its needs up instead of having them injected,
        # since Litestar resolves several dependencies in a task group of their own, which
        # cost a tenth of each poll.
        return usecases.job_status(
            db_of(request),
            request.app.state.runner,
            workspace_of(request).id,
            job_id,
            base_url_of(request),
        )

    @get(
        "/{job_id:str}/download",
        summary="The job's file (streamed; single ranges supported)",
        responses=DOWNLOAD_RESPONSES,
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
        return serve_file(db, settings, workspace.id, job_id, None, range_header, if_none_match)

    @get(
        "/{job_id:str}/download/{entity:str}",
        summary="One entity's file of a job (streamed; single ranges supported)",
        responses=DOWNLOAD_RESPONSES,
    )
    async def download_entity(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        job_id: str,
        entity: str,
        range_header: str | None = Parameter(header="range", default=None),
        if_none_match: str | None = Parameter(header="if-none-match", default=None),
    ) -> Response[bytes] | Stream | Redirect:
        return serve_file(db, settings, workspace.id, job_id, entity, range_header, if_none_match)

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
        body = await usecases.remove_job(db, settings, state.runner, workspace.id, job_id, base_url)
        return Response(body, status_code=204 if body is None else 200)


class WebhookSettingsController(Controller):
    path = "/settings/webhook"
    tags = ["settings"]

    @get("/", summary="The workspace's webhook signing secret")
    async def webhook_settings(self, db: Database, workspace: Workspace) -> WebhookSettings:
        return WebhookSettings(secret=jobs.get_webhook_secret(db, workspace.id))
