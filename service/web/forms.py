"""Reading a posted form (CSRF checked first) and saying what went wrong in a person's words."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.datastructures import FormMultiDict, UploadFile

from pipeline.schema.parse import SchemaError
from service.dto import Name
from service.errors import Invalid, as_service_error
from service.web.session import WebSession, check_csrf
from storage.errors import DraftaError

CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"


async def posted(request: Request[Any, Any, Any], session: WebSession) -> FormMultiDict:
    form = await request.form()
    check_csrf(session, form.get(CSRF_FIELD) if isinstance(form.get(CSRF_FIELD), str) else None)
    return form


async def posted_json(request: Request[Any, Any, Any], session: WebSession) -> dict[str, Any]:
    check_csrf(session, request.headers.get(CSRF_HEADER))
    try:
        body = msgspec.json.decode(await request.body())
    except msgspec.DecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def text(form: FormMultiDict, name: str) -> str:
    """A field's text with the line ends a person typed (browsers send textareas with CRLF)."""
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


async def upload_text(form: FormMultiDict, name: str) -> str | None:
    """An uploaded file's text, None when no file was chosen."""
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    raw = await value.read()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(f"{value.filename} is not UTF-8 text", field=name) from None


def problems_of(exc: SchemaError) -> list[dict[str, Any]]:
    """Schema problems with the line they are on first, as the editor lists them."""
    return [
        {"line": p.get("line"), "path": p.get("path") or "", "message": p.get("message", "")}
        for p in exc.problems
    ]


def parse_name(text: str) -> str:
    """A group's, project's or provider's name as typed, with the API's rule said in words."""
    try:
        return msgspec.convert(text.strip(), Name)
    except msgspec.ValidationError:
        raise Invalid(
            "a name has letters, digits, '.', '_' or '-', starts with a letter or digit and "
            "is at most 64 characters",
            field="name",
        ) from None


def message_of(exc: Exception) -> str:
    """What a form says of an error: the API's words for it (the first problem, by line, for
    a schema)."""
    if isinstance(exc, SchemaError):
        first = problems_of(exc)[:1]
        if not first:
            return "the schema is not valid"
        where = f"line {first[0]['line']}: " if first[0]["line"] else ""
        return f"{where}{first[0]['message']}"
    if isinstance(exc, DraftaError):
        answer = as_service_error(exc)
        if answer is None:
            # No answer in the API either: a bug, for the error page and the log.
            raise exc
        return answer.detail
    return str(exc)


# What a form shows beside itself instead of leaving the page: every domain error, and a
# value msgspec refused.
FORM_ERRORS: tuple[type[Exception], ...] = (DraftaError, msgspec.ValidationError)
