"""Where a job's rows go instead of files: a database the job loads straight into.

A ``Destination`` travels inside each ``JobSpec`` to the workers. Its URL carries the password
(a resumed job must connect again), so it is never shown: ``public_url`` and ``scrub`` give the
forms that status, logs, webhooks and errors may carry.
"""

from __future__ import annotations

from typing import Literal
from urllib.parse import quote, unquote, urlsplit

import msgspec

from pipeline.errors import PipelineError

IfExists = Literal["fail", "append", "replace"]


class Destination(msgspec.Struct, frozen=True, kw_only=True):
    kind: Literal["postgres"] = "postgres"
    url: str  # postgresql://user:password@host:port/database
    schema: str = "public"
    if_exists: IfExists = "fail"
    # The address the host resolved to when the job was checked: the job connects there
    # only, so a second DNS answer cannot send it elsewhere.
    hostaddr: str | None = None


class DestinationError(PipelineError):
    """Loading into a destination failed; the message never holds the password."""


def password(url: str) -> str | None:
    try:
        return urlsplit(url).password
    except ValueError:
        return None


def public_url(url: str) -> str:
    """The URL without user and password: ``postgresql://host:port/database``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def table_url(destination: Destination, table: str) -> str:
    """Where an entity's rows went, as status shows it: no user, no password."""
    return f"{public_url(destination.url)}#{destination.schema}.{table}"


def is_table_url(path: str) -> bool:
    """Whether a job's output is a table it loaded (not a file)."""
    return path.startswith(("postgresql://", "postgres://"))


def scrub(text: str, destination: Destination) -> str:
    """``text`` with the destination's password (as written, or percent-decoded or encoded)
    replaced by ``***``: a driver may quote the connection string in its errors."""
    secret = password(destination.url)
    if not secret:
        return text
    for form in {secret, unquote(secret), quote(secret, safe="")}:
        if form:
            text = text.replace(form, "***")
    return text
