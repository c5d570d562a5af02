"""Projects: groups and projects, the schema editor, import, preview, the diagram, generate."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, get_args

import msgspec
from litestar import Controller, Request, Response, get, post

from pipeline.importers import FORMATS
from pipeline.schema import load_schema
from pipeline.schema.model import Schema
from pipeline.schema.parse import SchemaError
from service import groups as group_usecases
from service import jobs as job_usecases
from service import projects as usecases
from service.deps import base_url_of
from service.dto import DataFormat, DataRequest, Preview, PreviewRequest, Project
from service.errors import Invalid
from service.exports import export_project
from service.preview import preview_project, preview_schema
from service.projects import prepare_schema
from service.settings import Settings
from service.web.diagram import draw
from service.web.forms import (
    FORM_ERRORS,
    message_of,
    parse_name,
    posted,
    posted_json,
    problems_of,
    text,
    upload_text,
)
from service.web.render import page, redirect
from service.web.session import signed_in
from storage.db import Database
from storage.keys import Workspace
from storage.providers import provider_values

IMPORT_FORMATS = {"json_schema": "JSON Schema", "json_parquet": "Parquet JSON", "sql": "SQL"}
OUTPUT_FORMATS: tuple[str, ...] = get_args(DataFormat)  # sql in its default dialect
EXPORT_FORMATS = {"json_schema": "JSON Schema", "sql": "SQL"}
PREVIEW_ROWS = 10
assert set(IMPORT_FORMATS) == set(FORMATS)


def _db(request: Request[Any, Any, Any]) -> Database:
    db: Database = request.app.state.db
    return db


def _settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _project(db: Database, ws: Workspace, project_id: str) -> Project:
    found = usecases.get_project(db, ws.id, project_id, None, None)
    # Without a format the use case answers the project itself, never an export.
    assert isinstance(found, Project)
    return found


def _projects_context(db: Database, ws: Workspace, settings: Settings) -> dict[str, Any]:
    return {
        "groups": group_usecases.list_groups_with_projects(db, ws.id, settings.max_page_size, 0),
        "active": "projects",
    }


def _parse(db: Database, ws: str, text_: str | None) -> Schema | None:
    if not text_:
        return None
    try:
        return load_schema(text_, providers=usecases.workspace_shapes(db, ws))
    except SchemaError:
        return None


def _project_context(db: Database, ws: Workspace, project: Project, **extra: Any) -> dict[str, Any]:
    group = group_usecases.get_group(db, ws.id, project.project_group_id)
    schema = _parse(db, ws.id, project.data)
    context: dict[str, Any] = {
        "project": project,
        "group": group,
        "schema_text": project.data or "",
        "entities": list(schema.entities) if schema else [],
        "diagram": draw(schema) if schema else "",
        "problems": [],
        "import_formats": IMPORT_FORMATS,
        "output_formats": OUTPUT_FORMATS,
        "active": "projects",
        "generate": {"entity": "", "rows": "1000", "format": "csv", "seed": "", "webhook": ""},
        "export_formats": EXPORT_FORMATS,
        "preview_rows": PREVIEW_ROWS,
    }
    context.update(extra)
    return context


class ProjectPages(Controller):
    path = "/app"

    @get("/projects")
    async def list_page(self, request: Request[Any, Any, Any]) -> Response[str]:
        _, ws = await signed_in(request)
        return page(
            request, "projects.html", **_projects_context(_db(request), ws, _settings(request))
        )

    @post("/groups")
    async def new_group(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db = _db(request)
        try:
            group_usecases.create_group(db, ws.id, parse_name(text(form, "name")))
        except FORM_ERRORS as exc:
            return page(
                request,
                "projects.html",
                group_error=message_of(exc),
                group_name=text(form, "name"),
                **_projects_context(db, ws, _settings(request)),
            )
        return redirect(request, "/app/projects")

    @post("/projects")
    async def new_project(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db, settings = _db(request), _settings(request)
        try:
            row = usecases.create_project(
                db,
                settings,
                ws.id,
                text(form, "group"),
                parse_name(text(form, "name")),
                None,
                "yaml",
            )
        except FORM_ERRORS as exc:
            return page(
                request,
                "projects.html",
                project_error=message_of(exc),
                project_name=text(form, "name"),
                project_group=text(form, "group"),
                **_projects_context(db, ws, settings),
            )
        return redirect(request, f"/app/projects/{row.id}")

    @get("/projects/{project_id:str}")
    async def project_page(self, request: Request[Any, Any, Any], project_id: str) -> Response[str]:
        _, ws = await signed_in(request)
        db = _db(request)
        project = _project(db, ws, project_id)
        saved = request.query_params.get("saved") == "1"
        context = _project_context(db, ws, project, saved=saved)
        entity = request.query_params.get("entity")
        if entity in context["entities"] and project.data:
            # The preview without the page's script: the form asks for it in the address.
            context["preview"] = _preview(
                str(entity), {}, lambda asked: preview_project(db, ws.id, project.id, None, asked)
            )
        return page(request, "project.html", **context)

    @post("/projects/{project_id:str}")
    async def save(self, request: Request[Any, Any, Any], project_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db = _db(request)
        project = _project(db, ws, project_id)
        data = text(form, "schema")
        try:
            usecases.update_project(db, _settings(request), ws.id, project.id, None, data, "yaml")
        except FORM_ERRORS as exc:
            problems = problems_of(exc) if isinstance(exc, SchemaError) else []
            context = _project_context(
                db, ws, project, schema_text=data, problems=problems, save_error=message_of(exc)
            )
            return page(request, "project.html", **context)
        return redirect(request, f"/app/projects/{project.id}?saved=1")

    @post("/groups/{group_id:str}/delete")
    async def delete_group(self, request: Request[Any, Any, Any], group_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        db = _db(request)
        group = group_usecases.get_group(db, ws.id, group_id)
        try:
            group_usecases.delete_group(db, ws.id, group.id)
        except FORM_ERRORS as exc:
            return page(
                request,
                "projects.html",
                list_error=message_of(exc),
                **_projects_context(db, ws, _settings(request)),
            )
        return redirect(request, "/app/projects")

    @post("/projects/{project_id:str}/delete")
    async def delete(self, request: Request[Any, Any, Any], project_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        usecases.delete_project(_db(request), ws.id, project_id, None)
        return redirect(request, "/app/projects")

    @get("/projects/{project_id:str}/export")
    async def export(self, request: Request[Any, Any, Any], project_id: str) -> Response[str]:
        _, ws = await signed_in(request)
        db = _db(request)
        project = _project(db, ws, project_id)
        fmt = request.query_params.get("format", "")
        if fmt not in EXPORT_FORMATS:
            raise Invalid(f"choose a format: {', '.join(EXPORT_FORMATS)}", field="format")
        answer = export_project(project.data, fmt)  # type: ignore[arg-type]
        suffix = "sql" if fmt == "sql" else "schema.json"
        answer.headers["Content-Disposition"] = f'attachment; filename="{project.name}.{suffix}"'
        return answer

    @post("/projects/{project_id:str}/check", status_code=200)
    async def check(self, request: Request[Any, Any, Any], project_id: str) -> dict[str, Any]:
        """The editor's live check: problems by line, else entities, diagram and a preview."""
        session, ws = await signed_in(request)
        body = await posted_json(request, session)
        db, settings = _db(request), _settings(request)
        _project(db, ws, project_id)
        data = body.get("data") if isinstance(body.get("data"), str) else ""
        try:
            prepared = prepare_schema(db, settings, ws.id, str(data), "yaml")
        except SchemaError as exc:
            return {"ok": False, "problems": problems_of(exc)}
        # prepare_schema has checked it against the workspace's providers: read it as it is.
        schema = load_schema(prepared.text)
        answer: dict[str, Any] = {
            "ok": True,
            "problems": [],
            "entities": list(schema.entities),
            "diagram": draw(schema),
        }
        entity = body.get("entity")
        if isinstance(entity, str) and entity in schema.entities:
            values = provider_values(db, ws.id, sorted(prepared.used))
            answer["preview"] = _preview(
                entity, body, lambda asked: preview_schema(prepared.text, asked, providers=values)
            )
        return answer

    @post("/projects/{project_id:str}/import")
    async def import_(self, request: Request[Any, Any, Any], project_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db = _db(request)
        project = _project(db, ws, project_id)
        fmt = text(form, "format")
        source = text(form, "source")
        try:
            uploaded = await upload_text(form, "file")
            if fmt not in IMPORT_FORMATS:
                raise Invalid(
                    f"choose a format: {', '.join(IMPORT_FORMATS.values())}", field="format"
                )
            made = prepare_schema(db, _settings(request), ws.id, uploaded or source, fmt)
        except FORM_ERRORS as exc:
            context = _project_context(
                db,
                ws,
                project,
                import_error=message_of(exc),
                import_source=source,
                import_format=fmt,
            )
            return page(request, "project.html", **context)
        context = _project_context(
            db,
            ws,
            project,
            schema_text=made.text,
            imported=IMPORT_FORMATS[fmt],
            import_format=fmt,
            import_warnings=made.warnings or [],
        )
        return page(request, "project.html", **context)

    @post("/projects/{project_id:str}/generate")
    async def generate(self, request: Request[Any, Any, Any], project_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db, settings = _db(request), _settings(request)
        project = _project(db, ws, project_id)
        asked = {k: text(form, k) for k in ("entity", "rows", "format", "seed", "webhook")}
        try:
            job = DataRequest(
                entity_name=asked["entity"],
                count=_integer(asked["rows"], "rows"),
                format=asked["format"],  # type: ignore[arg-type]
                seed=_integer(asked["seed"], "seed") if asked["seed"].strip() else None,
                webhook_url=asked["webhook"].strip() or None,
            )
            checked = msgspec.convert(msgspec.to_builtins(job), DataRequest)
            row = await asyncio.to_thread(
                job_usecases.submit_job,
                db,
                settings,
                ws.id,
                project.id,
                checked,
                base_url_of(request),
            )
        except FORM_ERRORS as exc:
            context = _project_context(
                db, ws, project, generate=asked, generate_error=message_of(exc)
            )
            return page(request, "project.html", **context)
        request.app.state.runner.launch(row.id)
        return redirect(request, f"/app/jobs/{row.id}")


def _integer(value: str, field: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise Invalid(f"{field} must be a whole number", field=field) from None


def _preview(
    entity: str, body: dict[str, Any], make: Callable[[PreviewRequest], Preview]
) -> dict[str, Any]:
    """A preview as the page shows it, or what stopped it."""
    rows = body.get("rows") if isinstance(body.get("rows"), int) else PREVIEW_ROWS
    try:
        # The page sends back the seed of its last preview, so edits do not reshuffle the rows.
        seed = body.get("seed") if isinstance(body.get("seed"), int) else None
        asked = {"entity_name": entity, "count": rows, "seed": seed}
        shown = make(msgspec.convert(asked, PreviewRequest))
    except FORM_ERRORS as exc:
        return {"entity": entity, "error": message_of(exc)}
    columns = list(shown.rows[0]) if shown.rows else []
    return {
        "entity": entity,
        "seed": shown.seed,
        "columns": columns,
        "rows": [[_cell(r.get(c)) for c in columns] for r in shown.rows],
    }


def _cell(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict | list):
        return msgspec.json.encode(value).decode()
    return str(value)
