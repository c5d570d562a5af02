"""/provider: custom value lists that schemas draw from."""

from __future__ import annotations

import msgspec
from litestar import Controller, delete, get, post, put

from service.deps import Page
from service.dto import (
    Provider,
    ProviderIn,
    ProviderRef,
    ProviderSummary,
    ProviderUpdate,
    Value,
)
from service.errors import ConflictError, Invalid
from service.settings import Settings
from storage import providers
from storage.db import Database
from storage.keys import Workspace
from storage.projects import projects_using_provider


def check_items(values: list[Value], settings: Settings, field: str) -> None:
    if len(values) > settings.max_provider_items:
        raise Invalid(
            f"a provider may hold at most {settings.max_provider_items} values "
            f"(DRAFTA_MAX_PROVIDER_ITEMS); this one has {len(values)}",
            field=field,
        )


class ProviderController(Controller):
    path = "/provider"
    tags = ["providers"]

    @get("/", summary="List the workspace's providers")
    async def list_providers(
        self, db: Database, workspace: Workspace, page: Page
    ) -> list[ProviderSummary]:
        rows = providers.list_providers(db, workspace.id, limit=page.limit, offset=page.offset)
        return msgspec.convert(rows, list[ProviderSummary])

    @post("/", summary="Create one provider or several at once (all or none)")
    async def create_providers(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        data: list[ProviderIn] | ProviderIn,
    ) -> list[ProviderRef]:
        items = data if isinstance(data, list) else [data]
        if not items:
            raise Invalid("at least one provider is required", field="$")
        for index, item in enumerate(items):
            where = f"[{index}].data" if isinstance(data, list) else "data"
            check_items(item.data, settings, where)
        names = [p.name for p in items]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise Invalid(f"provider names repeat in the request: {', '.join(dupes)}", field="name")
        rows = providers.create_providers(db, workspace.id, [(p.name, p.data) for p in items])
        return msgspec.convert(rows, list[ProviderRef])

    @get("/{provider_id:str}", summary="A provider with its data")
    async def get_provider(self, db: Database, workspace: Workspace, provider_id: str) -> Provider:
        return msgspec.convert(providers.get_provider(db, workspace.id, provider_id), Provider)

    @put("/{provider_id:str}", summary="Replace a provider's data (and optionally its name)")
    async def update_provider(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        provider_id: str,
        data: ProviderUpdate,
    ) -> Provider:
        check_items(data.data, settings, "data")
        current = providers.get_provider(db, workspace.id, provider_id)
        if data.name and data.name != current["name"]:
            users = projects_using_provider(db, workspace.id, current["name"])
            if users:
                raise ConflictError(
                    f"cannot rename provider {current['name']!r}: used by {', '.join(users)}",
                    field="name",
                )
        row = providers.update_provider(db, workspace.id, provider_id, data.name, data.data)
        return msgspec.convert(row, Provider)

    @delete("/{provider_id:str}", summary="Delete a provider no project uses")
    async def delete_provider(self, db: Database, workspace: Workspace, provider_id: str) -> None:
        current = providers.get_provider(db, workspace.id, provider_id)
        users = projects_using_provider(db, workspace.id, current["name"])
        if users:
            raise ConflictError(
                f"provider {current['name']!r} is used by {', '.join(users)}", field="name"
            )
        providers.delete_provider(db, workspace.id, provider_id)
