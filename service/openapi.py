"""The problem+json error responses of every operation, in the OpenAPI document.

Every error the API answers is a problem document (service.errors), so every operation
documents the same ``Problem`` body for each status it can answer. Which statuses apply is
derived from what the handler takes (a body, path or query parameters, a key), so a new
endpoint is documented without anyone having to remember to; a handler's own ``responses=``
wins over the derived ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

from service.public_paths import is_public

PROBLEM_MEDIA_TYPE = "application/problem+json"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
KEY_REQUIRED: list[dict[str, list[str]]] = [{"apiKey": []}]


class Problem(msgspec.Struct, kw_only=True):
    """An RFC 9457 problem document."""

    status: int
    title: str
    detail: str
    type: str = "about:blank"
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem,
        description=description,
        media_type=PROBLEM_MEDIA_TYPE,
        generate_examples=False,
    )


PROBLEMS: Mapping[int, ResponseSpec] = {
    400: problem("The request cannot be read (e.g. the body is not valid JSON)"),
    401: problem("No API key, a malformed Authorization header, or an unknown or revoked key"),
    404: problem("Nothing of that id or name in the key's workspace"),
    409: problem("The change conflicts with the current state (a name taken, a resource in use)"),
    413: problem("The request body is larger than DRAFTA_MAX_BODY"),
    422: problem("A value is wrong; `field` names it and `errors` lists every problem"),
    429: problem("Too many requests for this key, or too many jobs in flight (see Retry-After)"),
}


def problem_statuses(route: HTTPRoute, method: str) -> list[int]:
    """The error statuses an operation can answer, from what its handler takes."""
    kwargs = route.route_handler_map[method][1]  # type: ignore[index]
    public = is_public(route.path)
    has_body = "data" in kwargs.expected_reserved_kwargs or kwargs.expected_form_data is not None
    statuses: set[int] = set()
    if not public:
        statuses |= {401, 429}
    if (kwargs.expected_path_params or has_body) and not public:
        # A body may name other resources too (a project's group, a job's project).
        statuses.add(404)
    if has_body:
        statuses |= {400, 413, 422}
    if kwargs.expected_query_params or kwargs.expected_header_params:
        statuses.add(422)
    if kwargs.expected_path_params or kwargs.expected_query_params or has_body:
        # Litestar documents its own 400 body for these; ours is a problem document.
        statuses.add(400)
    if method in WRITE_METHODS and not public:
        statuses |= {409, 422}
    return sorted(statuses)


class ProblemDocsPlugin(ReceiveRoutePlugin):
    """Adds the problem responses and the key requirement to each handler as it is registered."""

    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute):
            return
        for method, (handler, _) in route.route_handler_map.items():
            if method == "OPTIONS" or not handler.resolve_include_in_schema():
                continue
            if not is_public(route.path) and not handler.security:
                # Per operation, not document-wide, so the public ones say they need no key.
                handler.security = KEY_REQUIRED
            own = dict(handler.responses or {})
            derived = {s: PROBLEMS[s] for s in problem_statuses(route, method) if s not in own}
            handler.responses = {**derived, **own}
