"""Dependencies every controller may ask for by name: db, settings, workspace, page."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide
from litestar.params import Parameter

from service.auth import workspace_of
from service.errors import Invalid
from service.settings import Settings
from storage.db import Database
from storage.keys import Workspace


class Page:
    def __init__(self, limit: int, offset: int) -> None:
        self.limit = limit
        self.offset = offset


def db_of(request: Request[Any, Any, Any]) -> Database:
    db: Database = request.app.state.db
    return db


def _settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def _workspace(request: Request[Any, Any, Any]) -> Workspace:
    return workspace_of(request)


def base_url_of(request: Request[Any, Any, Any]) -> str:
    """Where this service is reached: DRAFTA_PUBLIC_URL, else the request's own base URL."""
    settings: Settings = request.app.state.settings
    return settings.public_url or str(request.base_url).rstrip("/")


def _page(
    state: State,
    limit: int | None = Parameter(query="limit", default=None, ge=1),
    # SQLite integers are 64-bit: a larger offset would overflow in the query, not be empty.
    offset: int = Parameter(query="offset", default=0, ge=0, le=2**63 - 1),
) -> Page:
    settings: Settings = state.settings
    if limit is not None and limit > settings.max_page_size:
        raise Invalid(f"limit must be at most {settings.max_page_size}", field="limit")
    return Page(limit or settings.page_size, offset)


DEPENDENCIES = {
    "db": Provide(db_of, sync_to_thread=False),
    "settings": Provide(_settings, sync_to_thread=False),
    "workspace": Provide(_workspace, sync_to_thread=False),
    "page": Provide(_page, sync_to_thread=False),
    "base_url": Provide(base_url_of, sync_to_thread=False),
}
