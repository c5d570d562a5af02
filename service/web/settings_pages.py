"""Settings → Integration: the workspace's API access tokens and its webhook signing secret."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from service import keys
from service.web.forms import posted
from service.web.render import page, redirect
from service.web.session import signed_in
from storage import jobs
from storage.db import Database
from storage.keys import Workspace


def _context(db: Database, ws: Workspace, **extra: Any) -> dict[str, Any]:
    return {
        "tokens": keys.list_tokens(db, ws.id),
        "webhook_secret": jobs.get_webhook_secret(db, ws.id),
        "active": "settings",
        **extra,
    }


class SettingsPages(Controller):
    path = "/app/settings"

    @get("/")
    async def settings_page(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, ws = await signed_in(request)
        return page(
            request,
            "settings.html",
            current_prefix=session.record.prefix,
            **_context(request.app.state.db, ws),
        )

    @post("/tokens")
    async def create_token(self, request: Request[Any, Any, Any]) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        db: Database = request.app.state.db
        new = keys.create_token(db, ws)
        # Shown on this answer only: the secret is not stored, so it cannot be shown again.
        return page(
            request,
            "settings.html",
            new_token=new.key,
            current_prefix=session.record.prefix,
            **_context(db, ws),
        )

    @post("/tokens/{prefix:str}/revoke")
    async def revoke_token(self, request: Request[Any, Any, Any], prefix: str) -> Response[str]:
        session, ws = await signed_in(request)
        await posted(request, session)
        keys.revoke_token(request.app.state.db, ws.id, prefix)
        return redirect(request, "/app/settings")
