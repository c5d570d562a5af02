"""The web app's router: its pages, the sign-in, its error pages, and the static assets."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.exceptions import HTTPException, NotFoundException
from litestar.static_files import create_static_files_router

from service.errors import as_service_error
from service.web import session as sessions
from service.web.forms import text
from service.web.jobs_pages import JobPages
from service.web.projects_pages import ProjectPages
from service.web.providers_pages import ProviderPages
from service.web.render import STATIC, page, redirect
from service.web.settings_pages import SettingsPages
from storage.errors import DraftaError
from storage.keys import authenticate

log = logging.getLogger("drafta")

# The pages authenticate with the session cookie, not with a bearer key.
PUBLIC = {"exclude_from_auth": True}


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return "application/json" in request.headers.get("accept", "")


def _sign_in_required(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    if _wants_json(request):
        return Response({"detail": "signed out: sign in again"}, status_code=401)
    return redirect(request, "/app/sign-in")


def _csrf_refused(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    message = "This form has expired or did not come from this page. Reload the page and try again."
    if _wants_json(request):
        return Response({"detail": message}, status_code=403)
    return page(request, "error.html", status=403, title="Form refused", message=message)


def _error_page(request: Request[Any, Any, Any], status: int, message: str) -> Response[Any]:
    if _wants_json(request):
        return Response({"detail": message}, status_code=status)
    title = "Not found" if status == 404 else "Something is wrong"
    return page(request, "error.html", status=status, title=title, message=message)


def _not_found(request: Request[Any, Any, Any], _: Exception) -> Response[Any]:
    return _error_page(request, 404, "There is no page at this address.")


def _http_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    assert isinstance(exc, HTTPException)
    return _error_page(request, exc.status_code, str(exc.detail))


def _domain_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A domain error a page did not handle: the API's status and words for it."""
    assert isinstance(exc, DraftaError)
    answer = as_service_error(exc)
    if answer is None:
        return _internal(request, exc)
    return _error_page(request, answer.status, answer.detail)


def _internal(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    message = "An internal error occurred; it has been logged."
    if _wants_json(request):
        return Response({"detail": message}, status_code=500)
    return page(request, "error.html", status=500, title="Something went wrong", message=message)


@get("/", include_in_schema=False)
async def home(request: Request[Any, Any, Any]) -> Response[str]:
    session = await sessions.load_session(request)
    return redirect(request, "/app/projects" if session.workspace else "/app/sign-in")


@get("/app/sign-in")
async def sign_in_page(request: Request[Any, Any, Any]) -> Response[str]:
    session = await sessions.load_session(request)
    if session.workspace is not None:
        return redirect(request, "/app/projects")
    return page(request, "sign_in.html")


@post("/app/sign-in")
async def sign_in(request: Request[Any, Any, Any]) -> Response[str]:
    session = await sessions.load_session(request)
    form = await request.form()
    sessions.check_csrf(session, text(form, "_csrf") or None)
    key = text(form, "api_key").strip()
    workspace = authenticate(request.app.state.db, key) if key else None
    if workspace is None:
        message = "That API key is unknown or revoked." if key else "Enter your API key."
        return page(request, "sign_in.html", error=message)
    await sessions.start(request, key.removeprefix("dft_").partition(".")[0])
    return redirect(request, "/app/projects")


@post("/app/sign-out")
async def sign_out(request: Request[Any, Any, Any]) -> Response[str]:
    session = await sessions.load_session(request)
    form = await request.form()
    sessions.check_csrf(session, text(form, "_csrf") or None)
    await sessions.end(request)
    return redirect(request, "/app/sign-in")


def web_routers() -> list[Router]:
    pages = Router(
        path="/",
        route_handlers=[
            home,
            sign_in_page,
            sign_in,
            sign_out,
            ProjectPages,
            JobPages,
            ProviderPages,
            SettingsPages,
        ],
        opt=PUBLIC,
        include_in_schema=False,
        exception_handlers={
            sessions.SignInRequired: _sign_in_required,
            sessions.CsrfRefused: _csrf_refused,
            NotFoundException: _not_found,
            DraftaError: _domain_error,
            HTTPException: _http_error,
            Exception: _internal,
        },
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        opt=PUBLIC,
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=3600),
    )
    return [pages, static]
