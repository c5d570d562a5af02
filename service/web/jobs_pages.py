"""Jobs: the workspace's list, a job's page (followed live), its file, cancelling it."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Redirect, Stream

from service.deps import base_url_of
from service.downloads import serve_file
from service.jobs import status_body
from service.settings import Settings
from service.web.forms import FORM_ERRORS, message_of, posted
from service.web.jobs import remove_finished_job
from service.web.render import page, redirect
from service.web.session import signed_in
from storage import jobs, projects
from storage.db import Database
from storage.errors import NotFound


def _status(request: Request[Any, Any, Any], row: dict[str, Any]) -> dict[str, Any]:
    runner = request.app.state.runner
    body = status_body(
        row, base_url_of(request), runner.dashboard_link, runner.notices.get(row["id"])
    )
    if row["status"] == "completed":
        # The browser downloads through its session, not with a key.
        body["download"] = f"/app/jobs/{row['id']}/download"
    return body


def _project_names(db: Database, ws: str, rows: list[dict[str, Any]]) -> dict[str, str]:
    names: dict[str, str] = {}
    for project_id in {r["project_id"] for r in rows}:
        try:
            names[project_id] = projects.get_project(db, ws, project_id)["name"]
        except NotFound:
            names[project_id] = "(deleted)"
    return names


class JobPages(Controller):
    path = "/app/jobs"

    @get("/")
    async def list_page(self, request: Request[Any, Any, Any]) -> Response[str]:
        _, ws = await signed_in(request)
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        rows = jobs.list_jobs(
            db, ws.id, project_id=None, status=None, limit=settings.max_page_size, offset=0
        )
        return page(
            request,
            "jobs.html",
            jobs=rows,
            project_names=_project_names(db, ws.id, rows),
            active="jobs",
        )

    @get("/{job_id:str}")
    async def job_page(self, request: Request[Any, Any, Any], job_id: str) -> Response[str]:
        _, ws = await signed_in(request)
        db: Database = request.app.state.db
        row = jobs.get_job(db, ws.id, job_id)
        return page(
            request,
            "job.html",
            job=_status(request, row),
            project_name=_project_names(db, ws.id, [row])[row["project_id"]],
            active="jobs",
        )

    @get("/{job_id:str}/status")
    async def status(self, request: Request[Any, Any, Any], job_id: str) -> dict[str, Any]:
        _, ws = await signed_in(request)
        return _status(request, jobs.get_job(request.app.state.db, ws.id, job_id))

    @post("/{job_id:str}/cancel")
    async def cancel(self, request: Request[Any, Any, Any], job_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        row = jobs.get_job(request.app.state.db, ws.id, job_id)
        if row["status"] in ("pending", "processing"):
            await request.app.state.runner.cancel(row["id"])
        return redirect(request, f"/app/jobs/{row['id']}")

    @post("/{job_id:str}/delete")
    async def delete(self, request: Request[Any, Any, Any], job_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        db: Database = request.app.state.db
        try:
            await remove_finished_job(db, request.app.state.settings, ws.id, job_id)
        except FORM_ERRORS as exc:
            row = jobs.get_job(db, ws.id, job_id)
            return page(
                request,
                "job.html",
                job=_status(request, row),
                project_name=_project_names(db, ws.id, [row])[row["project_id"]],
                delete_error=message_of(exc),
                active="jobs",
            )
        return redirect(request, "/app/jobs")

    @get("/{job_id:str}/download")
    async def download(
        self, request: Request[Any, Any, Any], job_id: str
    ) -> Response[bytes] | Stream | Redirect:
        _, ws = await signed_in(request)
        row = jobs.get_job(request.app.state.db, ws.id, job_id)
        return serve_file(
            row,
            request.app.state.settings,
            request.headers.get("range"),
            request.headers.get("if-none-match"),
        )
