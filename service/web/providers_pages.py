"""Providers: the list, a new one, editing and deleting one."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from service import providers as usecases
from service.dto import Provider, ProviderIn, ProviderUpdate
from service.settings import Settings
from service.web.forms import FORM_ERRORS, message_of, parse_name, posted, text
from service.web.providers import parse_values, values_text
from service.web.render import page, redirect
from service.web.session import signed_in
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
            name = parse_name(text(form, "name"))
            values = parse_values(text(form, "values"), settings)
            usecases.create_providers(db, settings, ws.id, ProviderIn(name=name, data=values))
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
        provider = usecases.get_provider(request.app.state.db, ws.id, provider_id)
        return _edit_page(request, provider)

    @post("/{provider_id:str}")
    async def update(self, request: Request[Any, Any, Any], provider_id: str) -> Response[str]:
        session, ws = await signed_in(request)
        form = await posted(request, session)
        db: Database = request.app.state.db
        settings: Settings = request.app.state.settings
        provider = usecases.get_provider(db, ws.id, provider_id)
        try:
            name = parse_name(text(form, "name"))
            values = parse_values(text(form, "values"), settings)
            change = ProviderUpdate(data=values, name=name)
            usecases.update_provider(db, settings, ws.id, provider.id, change)
        except FORM_ERRORS as exc:
            return page(
                request,
                "provider.html",
                provider=provider,
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
        provider = usecases.get_provider(db, ws.id, provider_id)
        try:
            usecases.delete_provider(db, ws.id, provider.id)
        except FORM_ERRORS as exc:
            return _edit_page(request, provider, error=message_of(exc))
        return redirect(request, "/app/providers")


def _edit_page(request: Request[Any, Any, Any], provider: Provider, **extra: Any) -> Response[str]:
    return page(
        request,
        "provider.html",
        provider=provider,
        name=provider.name,
        values=values_text(provider.data),
        active="providers",
        **extra,
    )


def _list(request: Request[Any, Any, Any], ws: str) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    rows = usecases.list_providers(request.app.state.db, ws, settings.max_page_size, 0)
    return {"providers": rows, "active": "providers"}
