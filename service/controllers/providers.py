"""/provider: custom value lists that schemas draw from."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import Parameter

from service import providers as usecases
from service.deps import Page
from service.dto import Provider, ProviderIn, ProviderRef, ProviderSummary, ProviderUpdate
from service.settings import Settings
from storage.db import Database
from storage.keys import Workspace


class ProviderController(Controller):
    path = "/provider"
    tags = ["providers"]

    @get("/", summary="List the workspace's providers")
    async def list_providers(
        self, db: Database, workspace: Workspace, page: Page
    ) -> list[ProviderSummary]:
        return usecases.list_providers(db, workspace.id, page.limit, page.offset)

    @post("/", summary="Create one provider or several at once (all or none)")
    async def create_providers(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        data: list[ProviderIn] | ProviderIn,
    ) -> list[ProviderRef]:
        return usecases.create_providers(db, settings, workspace.id, data)

    @post("/csv", summary="Create one provider from CSV: a header row, then a row per record")
    async def create_provider_from_csv(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        body: bytes,
        name: str = Parameter(query="name", description="the provider's name"),
    ) -> list[ProviderRef]:
        return usecases.create_provider_from_csv(db, settings, workspace.id, name, body)

    @put("/{provider_id:str}/csv", summary="Replace a provider's data with CSV")
    async def update_provider_from_csv(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        provider_id: str,
        body: bytes,
        name: str | None = Parameter(query="name", default=None, description="a new name"),
    ) -> Provider:
        return usecases.update_provider_from_csv(
            db, settings, workspace.id, provider_id, name, body
        )

    @get("/{provider_id:str}", summary="A provider with its data")
    async def get_provider(self, db: Database, workspace: Workspace, provider_id: str) -> Provider:
        return usecases.get_provider(db, workspace.id, provider_id)

    @put("/{provider_id:str}", summary="Replace a provider's data (and optionally its name)")
    async def update_provider(
        self,
        db: Database,
        settings: Settings,
        workspace: Workspace,
        provider_id: str,
        data: ProviderUpdate,
    ) -> Provider:
        return usecases.update_provider(db, settings, workspace.id, provider_id, data)

    @delete("/{provider_id:str}", summary="Delete a provider no project uses")
    async def delete_provider(self, db: Database, workspace: Workspace, provider_id: str) -> None:
        usecases.delete_provider(db, workspace.id, provider_id)
