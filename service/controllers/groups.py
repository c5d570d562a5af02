"""/project-group: containers of projects."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, post

from service.deps import Page
from service.dto import Group, GroupDetail, GroupIn
from storage import groups
from storage.db import Database
from storage.keys import Workspace


class GroupController(Controller):
    path = "/project-group"
    tags = ["project groups"]

    @get("/", summary="List the workspace's project groups")
    async def list_groups(self, db: Database, workspace: Workspace, page: Page) -> list[Group]:
        rows = groups.list_groups(db, workspace.id, limit=page.limit, offset=page.offset)
        return msgspec.convert(rows, list[Group], from_attributes=True, strict=False)

    @post("/", summary="Create a project group")
    async def create_group(self, db: Database, workspace: Workspace, data: GroupIn) -> Group:
        row = groups.create_group(db, workspace.id, data.name)
        return Group(id=row["id"], name=row["name"], created_at=row["created_at"])

    @get("/{ref:str}", summary="A project group, by id or name, with its projects")
    async def get_group(self, db: Database, workspace: Workspace, ref: str) -> GroupDetail:
        group = groups.get_group(db, workspace.id, ref)
        members = groups.group_projects(db, workspace.id, group["id"])
        return msgspec.convert({**group, "projects": members}, GroupDetail)

    @delete("/{ref:str}", summary="Delete an empty project group, by id or name")
    async def delete_group(self, db: Database, workspace: Workspace, ref: str) -> None:
        groups.delete_group(db, workspace.id, ref)
