"""Pages from Jinja templates (autoescaped), with this session's cookie and CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response
from litestar.enums import MediaType

from service.web.session import WebSession, set_cookie

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

# Scripts and styles come only from this service: no inline script, no inline style.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(stamp: str | None) -> str:
    """An ISO timestamp as a person reads it (UTC, to the second)."""
    if not stamp:
        return ""
    return stamp.replace("T", " ")[:19] + " UTC"


_env.filters["when"] = _when


def page(
    request: Request[Any, Any, Any], template: str, *, status: int = 200, **context: Any
) -> Response[str]:
    """A page. A form sent back with what was wrong in it is a 200: the page itself is fine,
    and browsers log every 4xx document as a console error."""
    session = request.scope.get("state", {}).get("web_session")
    known = session if isinstance(session, WebSession) else None
    html = _env.get_template(template).render(
        csrf=known.csrf if known else "",
        workspace=known.workspace if known else None,
        path=request.url.path,
        **context,
    )
    response = Response(
        html, media_type=MediaType.HTML, status_code=status, headers=SECURITY_HEADERS
    )
    set_cookie(request, response)
    return response


def redirect(request: Request[Any, Any, Any], url: str) -> Response[str]:
    response = Response("", status_code=303, headers={**SECURITY_HEADERS, "Location": url})
    set_cookie(request, response)
    return response
