"""Jobs: the workspace's list, a job's page (followed live), its files, cancelling it."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Stream

from pipeline.destinations import is_table_url
from pipeline.lifecycle import UNFINISHED, JobStatus
from service import jobs as usecases
from service.deps import base_url_of
from service.downloads import serve_file
from service.dto import JobStatusBody
from service.settings import Settings
from service.web.forms import FORM_ERRORS, message_of, posted
from service.web.render import page, redirect
from service.web.session import signed_in
from storage import projects
from storage.db import Database
from storage.errors import NotFound


def _status(request: Request[Any, Any, Any], ws: str, job_id: str) -> dict[str, Any]:
    """The job as the API's status says it, with what the page needs besides: whether it
    runs, and its files' links through the session (the browser has no key), or the tables
    it loaded."""
    db: Database = request.app.state.db
    body = usecases.job_status(db, request.app.state.runner, ws, job_id, base_url_of(request))
    return _for_page(body)


def _for_page(body: JobStatusBody) -> dict[str, Any]:
    shown: dict[str, Any] = msgspec.to_builtins(body)
    shown["running"] = body.status in UNFINISHED
    # A job that loaded a database made no file: its status lists each entity's table.
    tables = {e: where for e, where in (body.data or {}).items() if is_table_url(where)}
    downloads: dict[str, str] = {}
    if body.status == JobStatus.COMPLETED and not tables:
        if body.entity_name:
            downloads[body.entity_name] = f"/app/jobs/{body.id}/download"
        else:
            for entity in body.entities:
                downloads[entity] = f"/app/jobs/{body.id}/download/{quote(entity, safe='')}"
    shown["downloads"] = downloads
    shown["tables"] = tables
    return shown


def _project_names(db: Database, ws: str, project_ids: set[str]) -> dict[str, str]:
    names: dict[str, str] = {}
    for project_id in project_ids:
        try:
            names[project_id] = projects.get_project(db, ws, project_id).name
        except NotFound:
            names[project_id] = "(deleted)"
    return names


def _job_page(request: Request[Any, Any, Any], ws: str, job_id: str, **extra: Any) -> Response[str]:
    job = _status(request, ws, job_id)
    names = _project_names(request.app.state.db, ws, {job["project_id"]})
    return page(
        request,
        "job.html",
        job=job,
        project_name=names[job["project_id"]],
        active="jobs",
        **extra,
    )


class JobPages(Controller):
    path = "/app/jobs"

    @get("/")
    async def list_page(self, request: Request[Any, Any, Any]) -> Response[str]:
        _, ws = await signed_in(request)
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        rows = usecases.list_jobs(
            db,
            request.app.state.runner,
            ws.id,
            base_url_of(request),
            project_id=None,
            status=None,
            limit=settings.max_page_size,
            offset=0,
        )
        return page(
            request,
            "jobs.html",
            jobs=rows,
            project_names=_project_names(db, ws.id, {r.project_id for r in rows}),
            active="jobs",
        )

    @get("/{job_id:str}")
    async def job_page(self, request: Request[Any, Any, Any], job_id: str) -> Response[str]:
        _, ws = await signed_in(request)
        return _job_page(request, ws.id, job_id)

    @get("/{job_id:str}/status")
    async def status(self, request: Request[Any, Any, Any], job_id: str) -> dict[str, Any]:
        _, ws = await signed_in(request)
        return _status(request, ws.id, job_id)

    @post("/{job_id:str}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], job_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        db: Database = request.app.state.db
        row = await usecases.cancel_job(db, request.app.state.runner, ws.id, job_id)
        return redirect(request, f"/app/jobs/{row.id}")

    @post("/{job_id:str}/delete")
    async def delete(self, request: Request[Any, Any, Any], job_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        db: Database = request.app.state.db
        try:
            await usecases.remove_finished_job(db, request.app.state.settings, ws.id, job_id)
        except FORM_ERRORS as exc:
            return _job_page(request, ws.id, job_id, delete_error=message_of(exc))
        return redirect(request, "/app/jobs")

    @get("/{job_id:str}/download")
    async def download(
        self, request: Request[Any, Any, Any], job_id: str
    ) -> Response[bytes] | Stream | Redirect:
        return await _serve(request, job_id, None)

    @get("/{job_id:str}/download/{entity:str}")
    async def download_entity(
        self, request: Request[Any, Any, Any], job_id: str, entity: str
    ) -> Response[bytes] | Stream | Redirect:
        return await _serve(request, job_id, entity)


async def _serve(
    request: Request[Any, Any, Any], job_id: str, entity: str | None
) -> Response[bytes] | Stream | Redirect:
    _, ws = await signed_in(request)
    return serve_file(
        request.app.state.db,
        request.app.state.settings,
        ws.id,
        job_id,
        entity,
        request.headers.get("range"),
        request.headers.get("if-none-match"),
    )
