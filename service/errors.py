"""Every error the API answers is RFC 9457 problem+json, made here and only here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)

from pipeline.schema.parse import SchemaError
from storage.errors import Conflict, NotFound

log = logging.getLogger("drafta")

PROBLEM_BASE = "https://drafta.dev/problems/"


class ApiError(ProblemDetailsException):
    """An error with a stable problem type; ``field`` names the input at fault."""

    status = 400
    slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        status: int | None = None,
    ) -> None:
        status_code = status or self.status
        extra: dict[str, Any] = {}
        if field is not None:
            extra["field"] = field
        if errors is not None:
            extra["errors"] = errors
        super().__init__(
            detail=detail,
            status_code=status_code,
            headers=headers,
            extra=extra or None,
            type_=PROBLEM_BASE + self.slug,
            title=HTTPStatus(status_code).phrase,
        )


class BadRequest(ApiError):
    status, slug = 400, "bad-request"


class Unauthorized(ApiError):
    status, slug = 401, "unauthorized"


class ResourceNotFound(ApiError):
    status, slug = 404, "not-found"


class ConflictError(ApiError):
    status, slug = 409, "conflict"


class Invalid(ApiError):
    """The body parsed but a value is wrong."""

    status, slug = 422, "invalid"


class TooMany(ApiError):
    status, slug = 429, "too-many-requests"


def _not_found(exc: NotFound) -> ProblemDetailsException:
    return ResourceNotFound(str(exc))


def _conflict(exc: Conflict) -> ProblemDetailsException:
    return ConflictError(str(exc), field=exc.field)


def _schema(exc: SchemaError) -> ProblemDetailsException:
    first = exc.problems[0] if exc.problems else {"path": "data", "message": str(exc)}
    where = f"{first.get('path') or 'data'}"
    if first.get("line"):
        where += f" (line {first['line']})"
    more = f" and {len(exc.problems) - 1} more" if len(exc.problems) > 1 else ""
    return Invalid(
        f"the schema is not valid: {where}: {first['message']}{more}",
        field="data",
        errors=exc.problems,
    )


def _validation(exc: ValidationException) -> ProblemDetailsException:
    """Litestar's decode failures: malformed JSON is 400, a wrong value 422."""
    items = exc.extra if isinstance(exc.extra, list) else []
    detail = str(exc.detail)
    if "JSON" in detail and not items:
        return BadRequest(f"the request body is not valid JSON: {detail}")
    errors = [
        {"path": i.get("key") or "", "message": i.get("message", ""), "source": i.get("source")}
        for i in items
        if isinstance(i, Mapping)
    ]
    if any("malformed" in e["message"].lower() for e in errors):
        return BadRequest("the request body is not valid JSON", errors=errors)
    field = errors[0]["path"] if errors else None
    message = errors[0]["message"] if errors else detail
    where = f"{field}: " if field else ""
    return Invalid(f"{where}{message}", field=field, errors=errors)


def _http(exc: HTTPException) -> ProblemDetailsException:
    status = exc.status_code
    if status == 400:
        return BadRequest(f"the request body cannot be read: {exc.detail}")
    headers = dict(exc.headers or {})
    if status == 429 and "RateLimit-Reset" in headers:
        # The rate limiter says when the window resets; clients act on Retry-After.
        headers.setdefault("Retry-After", headers["RateLimit-Reset"])
    return ProblemDetailsException(
        detail=str(exc.detail),
        status_code=status,
        headers=headers or None,
        type_="about:blank",
        title=HTTPStatus(status).phrase,
        extra=exc.extra if isinstance(exc.extra, dict) else None,
    )


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A bug: log it, answer a problem without leaking internals."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return ProblemDetailsException(
        detail="an internal error occurred; it has been logged",
        status_code=500,
        type_="about:blank",
        title="Internal Server Error",
    ).to_response(request)


PROBLEM_MAP: Mapping[type[Exception], Callable[[Any], ProblemDetailsException]] = {
    HTTPException: _http,
    ValidationException: _validation,
    NotFound: _not_found,
    Conflict: _conflict,
    SchemaError: _schema,
}

problem_plugin = ProblemDetailsPlugin(
    ProblemDetailsConfig(exception_to_problem_detail_map=PROBLEM_MAP)
)
