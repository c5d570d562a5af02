"""Browser sessions: an opaque cookie naming a server-side record, and its CSRF token.

The cookie holds a random id and nothing else: the API key a person signs in with is never
stored (not in the cookie, not on the server), only its prefix, so revoking the key ends
every session opened with it on the next request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore

from service.keys import workspace_for_prefix
from storage.keys import Workspace

COOKIE = "drafta_session"
STORE = "drafta-web-sessions"
SIGNED_IN_TTL = 12 * 3600
ANONYMOUS_TTL = 3600


class Record(msgspec.Struct):
    csrf: str
    prefix: str | None = None


@dataclass
class WebSession:
    id: str
    record: Record
    workspace: Workspace | None = None
    new: bool = False

    @property
    def csrf(self) -> str:
        return self.record.csrf


class SignInRequired(Exception):
    """The page needs a signed-in session."""


class CsrfRefused(Exception):
    """A form or fragment arrived without this session's CSRF token."""


_made = 0
SWEEP_EVERY = 1000


async def _sweep(store: Store) -> None:
    """Forget expired sessions now and then: the memory store drops them only when read."""
    global _made
    _made += 1
    if _made % SWEEP_EVERY == 0 and isinstance(store, MemoryStore):
        await store.delete_expired()


def _store(request: Request[Any, Any, Any]) -> Store:
    return request.app.stores.get(STORE)


async def _save(request: Request[Any, Any, Any], session: WebSession, ttl: int) -> None:
    await _store(request).set(session.id, msgspec.json.encode(session.record), expires_in=ttl)


async def load_session(request: Request[Any, Any, Any]) -> WebSession:
    """This browser's session, a new anonymous one when it has none (the page sets the cookie)."""
    cached = request.scope.get("state", {}).get("web_session")
    if isinstance(cached, WebSession):
        return cached
    session: WebSession | None = None
    sid = request.cookies.get(COOKIE)
    if sid:
        raw = await _store(request).get(sid)
        if raw is not None:
            record = msgspec.json.decode(raw, type=Record)
            session = WebSession(sid, record)
            if record.prefix is not None:
                session.workspace = workspace_for_prefix(request.app.state.db, record.prefix)
    if session is None:
        session = WebSession(secrets.token_urlsafe(32), Record(secrets.token_urlsafe(32)), new=True)
        await _save(request, session, ANONYMOUS_TTL)
        await _sweep(_store(request))
    request.state.web_session = session
    return session


async def signed_in(request: Request[Any, Any, Any]) -> tuple[WebSession, Workspace]:
    session = await load_session(request)
    if session.workspace is None:
        raise SignInRequired
    return session, session.workspace


async def start(request: Request[Any, Any, Any], prefix: str) -> WebSession:
    """A fresh session for a key (a new id, so an id planted before sign-in is worthless)."""
    old = request.cookies.get(COOKIE)
    if old:
        await _store(request).delete(old)
    session = WebSession(
        secrets.token_urlsafe(32), Record(secrets.token_urlsafe(32), prefix), new=True
    )
    session.workspace = workspace_for_prefix(request.app.state.db, prefix)
    await _save(request, session, SIGNED_IN_TTL)
    request.state.web_session = session
    return session


async def end(request: Request[Any, Any, Any]) -> None:
    sid = request.cookies.get(COOKIE)
    if sid:
        await _store(request).delete(sid)
    request.state.web_session = None


def check_csrf(session: WebSession, sent: str | None) -> None:
    if not sent or not secrets.compare_digest(sent, session.csrf):
        raise CsrfRefused


def secure(request: Request[Any, Any, Any]) -> bool:
    public_url = request.app.state.settings.public_url or ""
    return request.url.scheme == "https" or public_url.startswith("https://")


def set_cookie(request: Request[Any, Any, Any], response: Response[Any]) -> None:
    """Send the session cookie when this request made a new session, clear it when ended."""
    state = request.scope.get("state", {})
    if "web_session" not in state:
        return
    session = state["web_session"]
    if session is None:
        response.delete_cookie(COOKIE, path="/")
    elif session.new:
        response.set_cookie(
            COOKIE,
            session.id,
            path="/",
            httponly=True,
            samesite="lax",
            secure=secure(request),
            max_age=SIGNED_IN_TTL if session.workspace else ANONYMOUS_TTL,
        )
