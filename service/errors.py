"""Every error the API answers is RFC 9457 problem+json, made here and only here.

Domain errors (the tree under ``DraftaError``, drawn in ``storage/errors.py``) are mapped by
``DOMAIN``; Litestar's own (decoding, routing, rate limits) by ``_validation`` and ``_http``.
"""

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

from pipeline.engine.errors import EngineError
from pipeline.engine.pools import PoolError
from pipeline.errors import PipelineError
from pipeline.executor import ExecutorError
from pipeline.lifecycle import IllegalTransition
from pipeline.schema.errors import SchemaError, describe_problem
from storage.errors import Conflict, DraftaError, NotFound, StorageError
from storage.formats import FormatError

log = logging.getLogger("drafta")

PROBLEM_BASE = "https://drafta.dev/problems/"


class ServiceError(DraftaError):
    """An error the API answers as it is: ``status``, a stable problem type (``slug``), and
    ``field`` naming the input at fault."""

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
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.errors = errors
        self.headers = headers
        if status is not None:
            self.status = status


class BadRequest(ServiceError):
    status, slug = 400, "bad-request"


class Unauthorized(ServiceError):
    status, slug = 401, "unauthorized"


class ResourceNotFound(ServiceError):
    status, slug = 404, "not-found"


class ConflictError(ServiceError):
    status, slug = 409, "conflict"


class Invalid(ServiceError):
    """The body parsed but a value is wrong."""

    status, slug = 422, "invalid"


class TooMany(ServiceError):
    status, slug = 429, "too-many-requests"


class Unavailable(ServiceError):
    status, slug = 503, "unavailable"


def problem(error: ServiceError) -> ProblemDetailsException:
    extra: dict[str, Any] = {}
    if error.field is not None:
        extra["field"] = error.field
    if error.errors is not None:
        extra["errors"] = error.errors
    return ProblemDetailsException(
        detail=error.detail,
        status_code=error.status,
        headers=error.headers,
        extra=extra or None,
        type_=PROBLEM_BASE + error.slug,
        title=HTTPStatus(error.status).phrase,
    )


def _schema(exc: SchemaError) -> ServiceError:
    first = exc.problems[0] if exc.problems else {"path": "data", "message": str(exc)}
    more = f" and {len(exc.problems) - 1} more" if len(exc.problems) > 1 else ""
    where = {**first, "path": first.get("path") or "data"}
    return Invalid(
        f"the schema is not valid: {describe_problem(where)}{more}",
        field="data",
        errors=exc.problems,
    )


# Every branch of the tree (storage/errors.py draws it) and how the API answers it; the most
# specific class that an error is an instance of wins.
DOMAIN: dict[type[DraftaError], Callable[[Any], ServiceError]] = {
    ServiceError: lambda exc: exc,
    StorageError: lambda exc: Unavailable(f"storage could not complete the request: {exc}"),
    PipelineError: lambda exc: Invalid(str(exc)),
    NotFound: lambda exc: ResourceNotFound(str(exc)),
    Conflict: lambda exc: ConflictError(str(exc), field=exc.field),
    SchemaError: _schema,
    EngineError: lambda exc: Invalid(str(exc)),
    PoolError: lambda exc: Invalid(str(exc)),
    FormatError: lambda exc: Invalid(str(exc), field="format"),
    IllegalTransition: lambda exc: ConflictError(str(exc)),
    ExecutorError: lambda exc: Unavailable(str(exc)),
}


def as_service_error(exc: DraftaError) -> ServiceError | None:
    """The answer to a domain error, or None for one with no answer (a bug: a 500)."""
    for kind in type(exc).__mro__:
        convert = DOMAIN.get(kind)
        if convert is not None:
            return convert(exc)
    return None


def _domain(exc: DraftaError) -> ProblemDetailsException:
    answer = as_service_error(exc)
    if answer is None:
        raise exc
    return problem(answer)


def _validation(exc: ValidationException) -> ProblemDetailsException:
    """Litestar's decode failures: malformed JSON is 400, a wrong value 422."""
    items = exc.extra if isinstance(exc.extra, list) else []
    detail = str(exc.detail)
    if "JSON" in detail and not items:
        return problem(BadRequest(f"the request body is not valid JSON: {detail}"))
    errors = [
        {"path": i.get("key") or "", "message": i.get("message", ""), "source": i.get("source")}
        for i in items
        if isinstance(i, Mapping)
    ]
    if any("malformed" in e["message"].lower() for e in errors):
        return problem(BadRequest("the request body is not valid JSON", errors=errors))
    field = errors[0]["path"] if errors else None
    message = errors[0]["message"] if errors else detail
    where = f"{field}: " if field else ""
    return problem(Invalid(f"{where}{message}", field=field, errors=errors))


def _http(exc: HTTPException) -> ProblemDetailsException:
    status = exc.status_code
    if status == 400:
        return problem(BadRequest(f"the request body cannot be read: {exc.detail}"))
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
    DraftaError: _domain,
}

problem_plugin = ProblemDetailsPlugin(
    ProblemDetailsConfig(exception_to_problem_detail_map=PROBLEM_MAP)
)
