"""POST /project/.../preview: the first rows of a job, at once and without a job."""

from __future__ import annotations

import asyncio

from litestar import Controller, post
from litestar.params import Parameter

from service.dto import Preview, PreviewRequest
from service.errors import ResourceNotFound
from service.preview import preview_project
from storage.db import Database
from storage.keys import Workspace


class PreviewController(Controller):
    path = "/project"
    tags = ["projects"]

    # Litestar's router never backtracks from a literal segment to a parameter, so a literal
    # "/{id}/preview" would shadow GET/PUT/DELETE "/{group}/{name}" for a project named
    # "preview"; the action is therefore a parameter that must say "preview".
    @post(
        "/{project_id:str}/{action:str}",
        status_code=200,
        summary="Preview rows of an entity: POST /project/{id}/preview",
        description="The first `count` rows (1 to 100) of a json job with the same seed, "
        "answered at once without a job. The seed is the request's, else the schema's, else a "
        "new one; the answer reports it.",
    )
    async def preview(
        self,
        db: Database,
        workspace: Workspace,
        project_id: str,
        data: PreviewRequest,
        action: str = Parameter(description="always `preview`"),
    ) -> Preview:
        if action != "preview":
            raise ResourceNotFound(f"no such action {action!r}; did you mean 'preview'?")
        return await asyncio.to_thread(preview_project, db, workspace.id, project_id, None, data)

    @post(
        "/{group:str}/{name:str}/preview",
        status_code=200,
        summary="Preview rows of an entity, the project named by group and project name",
    )
    async def preview_by_name(
        self, db: Database, workspace: Workspace, group: str, name: str, data: PreviewRequest
    ) -> Preview:
        return await asyncio.to_thread(preview_project, db, workspace.id, name, group, data)
