"""/project: a schema, by id or by group and project name."""

from __future__ import annotations

from typing import Literal

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import Parameter

from service import projects as usecases
from service.dto import Project, ProjectCreated, ProjectIn, ProjectUpdate
from service.exports import export_project
from service.settings import Settings
from storage import projects
from storage.db import Database
from storage.keys import Workspace

ExportFormat = Literal["yaml", "json_schema", "sql"]


def _render(row: dict, fmt: ExportFormat | None) -> Project | Response[str]:
    if fmt is None or fmt == "yaml":
        return msgspec.convert(row, Project)
    return export_project(row, fmt)


class ProjectController(Controller):
    path = "/project"
    tags = ["projects"]

    @post("/", summary="Create a project in a group, optionally with its schema")
    async def create_project(
        self, db: Database, settings: Settings, workspace: Workspace, data: ProjectIn
    ) -> ProjectCreated:
        row = usecases.create_project(
            db, settings, workspace.id, data.project_group_id, data.name, data.data, data.format
        )
        return msgspec.convert(row, ProjectCreated, from_attributes=True, strict=False)

    @get("/{project_id:str}", summary="A project by id")
    async def get_project(
        self,
        db: Database,
        workspace: Workspace,
        project_id: str,
        fmt: ExportFormat | None = Parameter(query="format", default=None),
    ) -> Project | Response[str]:
        return _render(projects.get_project(db, workspace.id, project_id), fmt)

    @get("/{group:str}/{name:str}", summary="A project by group name and project name")
    async def get_project_by_name(
        self,
        db: Database,
        workspace: Workspace,
        group: str,
        name: str,
        fmt: ExportFormat | None = Parameter(query="format", default=None),
    ) -> Project | Response[str]:
        return _render(projects.get_project(db, workspace.id, name, group), fmt)

    @put("/{project_id:str}", summary="Replace a project's schema (or import one)")
    async def update_project(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        project_id: str,
        data: ProjectUpdate,
    ) -> Project:
        current = projects.get_project(db, workspace.id, project_id)
        row = usecases.update_project(
            db, settings, workspace.id, current["id"], data.data, data.format
        )
        return msgspec.convert(row, Project)

    @put("/{group:str}/{name:str}", summary="Replace a project's schema, by names")
    async def update_project_by_name(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        group: str,
        name: str,
        data: ProjectUpdate,
    ) -> Project:
        current = projects.get_project(db, workspace.id, name, group)
        row = usecases.update_project(
            db, settings, workspace.id, current["id"], data.data, data.format
        )
        return msgspec.convert(row, Project)

    @delete("/{project_id:str}", summary="Delete a project by id")
    async def delete_project(self, db: Database, workspace: Workspace, project_id: str) -> None:
        current = projects.get_project(db, workspace.id, project_id)
        projects.delete_project(db, workspace.id, current["id"])

    @delete("/{group:str}/{name:str}", summary="Delete a project by names")
    async def delete_project_by_name(
        self, db: Database, workspace: Workspace, group: str, name: str
    ) -> None:
        current = projects.get_project(db, workspace.id, name, group)
        projects.delete_project(db, workspace.id, current["id"])
