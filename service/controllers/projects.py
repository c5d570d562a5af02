"""/project: a schema, by id or by group and project name."""

from __future__ import annotations

import asyncio

from litestar import Controller, Response, delete, get, post, put
from litestar.params import Parameter

from service import projects as usecases
from service.dto import Project, ProjectCreated, ProjectIn, ProjectUpdate, SchemaExport
from service.settings import Settings
from storage.db import Database
from storage.keys import Workspace

FORMAT = Parameter(query="format", default=None, description="yaml (default), json_schema, sql")


class ProjectController(Controller):
    path = "/project"
    tags = ["projects"]

    @post("/", summary="Create a project in a group, optionally with its schema")
    async def create_project(
        self, db: Database, settings: Settings, workspace: Workspace, data: ProjectIn
    ) -> ProjectCreated:
        # Importing and validating a schema takes milliseconds to seconds: off the event loop.
        return await asyncio.to_thread(
            usecases.create_project,
            db,
            settings,
            workspace.id,
            data.project_group_id,
            data.name,
            data.data,
            data.format,
        )

    @get("/{project_id:str}", summary="A project by id")
    async def get_project(
        self, db: Database, workspace: Workspace, project_id: str, fmt: SchemaExport | None = FORMAT
    ) -> Project | Response[str]:
        return await asyncio.to_thread(
            usecases.get_project, db, workspace.id, project_id, None, fmt
        )

    @get("/{group:str}/{name:str}", summary="A project by group name and project name")
    async def get_project_by_name(
        self,
        db: Database,
        workspace: Workspace,
        group: str,
        name: str,
        fmt: SchemaExport | None = FORMAT,
    ) -> Project | Response[str]:
        return await asyncio.to_thread(usecases.get_project, db, workspace.id, name, group, fmt)

    @put("/{project_id:str}", summary="Replace a project's schema (or import one)")
    async def update_project(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        project_id: str,
        data: ProjectUpdate,
    ) -> Project:
        return await asyncio.to_thread(
            usecases.update_project,
            db,
            settings,
            workspace.id,
            project_id,
            None,
            data.data,
            data.format,
        )

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
        return await asyncio.to_thread(
            usecases.update_project,
            db,
            settings,
            workspace.id,
            name,
            group,
            data.data,
            data.format,
        )

    @delete("/{project_id:str}", summary="Delete a project by id")
    async def delete_project(self, db: Database, workspace: Workspace, project_id: str) -> None:
        usecases.delete_project(db, workspace.id, project_id, None)

    @delete("/{group:str}/{name:str}", summary="Delete a project by names")
    async def delete_project_by_name(
        self, db: Database, workspace: Workspace, group: str, name: str
    ) -> None:
        usecases.delete_project(db, workspace.id, name, group)
