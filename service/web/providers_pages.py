"""Providers: the list, a new one, editing and deleting one."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from service.settings import Settings
from service.web import providers as usecases
from service.web.forms import FORM_ERRORS, message_of, posted, text
from service.web.render import page, redirect
from service.web.session import signed_in
from storage import providers
from storage.db import Database


class ProviderPages(Controller):
    path = "/app/providers"

    @get("/")
    async def list_page(self, request: Request[Any, Any, Any]) -> Response[str]:
        _, ws = await signed_in(request)
        return page(request, "providers.html", **_list(request, ws.id))

    @post("/")
    async def create(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        try:
            name = usecases.parse_name(text(form, "name"))
            values = usecases.parse_values(text(form, "values"), settings)
            usecases.create_provider(db, ws.id, name, values)
        except FORM_ERRORS as exc:
            return page(
                request,
                "providers.html",
                error=message_of(exc),
                name=text(form, "name"),
                values=text(form, "values"),
                **_list(request, ws.id),
            )
        return redirect(request, "/app/providers")

    @get("/{provider_id:str}")
    async def edit_page(self, request: Request[Any, Any, Any], provider_id: str) -> Response[str]:
        _, ws = await signed_in(request)
        row = providers.get_provider(request.app.state.db, ws.id, provider_id)
        return page(
            request,
            "provider.html",
            provider=row,
            name=row["name"],
            values=usecases.values_text(row["data"]),
            active="providers",
        )

    @post("/{provider_id:str}")
    async def update(self, request: Request[Any, Any, Any], provider_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db: Database = request.app.state.db
        row = providers.get_provider(db, ws.id, provider_id)
        try:
            name = usecases.parse_name(text(form, "name"))
            values = usecases.parse_values(text(form, "values"), request.app.state.settings)
            usecases.update_provider(db, ws.id, row["id"], name, values)
        except FORM_ERRORS as exc:
            return page(
                request,
                "provider.html",
                provider=row,
                name=text(form, "name"),
                values=text(form, "values"),
                error=message_of(exc),
                active="providers",
            )
        return redirect(request, "/app/providers")

    @post("/{provider_id:str}/delete")
    async def delete(self, request: Request[Any, Any, Any], provider_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        db: Database = request.app.state.db
        row = providers.get_provider(db, ws.id, provider_id)
        try:
            usecases.delete_provider(db, ws.id, row["id"])
        except FORM_ERRORS as exc:
            return page(
                request,
                "provider.html",
                provider=row,
                name=row["name"],
                values=usecases.values_text(row["data"]),
                error=message_of(exc),
                active="providers",
            )
        return redirect(request, "/app/providers")


def _list(request: Request[Any, Any, Any], ws: str) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    rows = providers.list_providers(
        request.app.state.db, ws, limit=settings.max_page_size, offset=0
    )
    return {"providers": rows, "active": "providers"}
