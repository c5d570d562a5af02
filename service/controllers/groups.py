"""/project-group: containers of projects."""

from __future__ import annotations

from litestar import Controller, delete, get, post

from service import groups as usecases
from service.deps import Page
from service.dto import Group, GroupDetail, GroupIn
from storage.db import Database
from storage.keys import Workspace


class GroupController(Controller):
    path = "/project-group"
    tags = ["project groups"]

    @get("/", summary="List the workspace's project groups")
    async def list_groups(self, db: Database, workspace: Workspace, page: Page) -> list[Group]:
        return usecases.list_groups(db, workspace.id, page.limit, page.offset)

    @post("/", summary="Create a project group")
    async def create_group(self, db: Database, workspace: Workspace, data: GroupIn) -> Group:
        return usecases.create_group(db, workspace.id, data.name)

    @get("/{ref:str}", summary="A project group, by id or name, with its projects")
    async def get_group(self, db: Database, workspace: Workspace, ref: str) -> GroupDetail:
        return usecases.get_group(db, workspace.id, ref)

    @delete("/{ref:str}", summary="Delete an empty project group, by id or name")
    async def delete_group(self, db: Database, workspace: Workspace, ref: str) -> None:
        usecases.delete_group(db, workspace.id, ref)
