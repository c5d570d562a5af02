"""Checking a job's destination when it is submitted: a PostgreSQL URL whose host is on
``DRAFTA_DESTINATION_ALLOW``, resolved once here; the job connects to that address only."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from pipeline.destinations import Destination
from service.dto import DestinationIn
from service.errors import Invalid
from service.webhooks.guard import Address, UnsafeUrl, allowed, pin_host

FIELD = "destination.url"
# Connection parameters that would choose the server themselves, past the checked address.
STEERING = {"host", "hostaddr", "service", "servicefile", "port"}
IDENTIFIER = re.compile(r"^[^\x00]{1,63}$")


def check_destination(request: DestinationIn, allow: tuple[str, ...]) -> Destination:
    """The destination with its checked address; Invalid naming the field at fault. Messages
    never quote the URL: it holds the password."""
    if not allow:
        raise Invalid(
            "destinations are off on this service: DRAFTA_DESTINATION_ALLOW lists no host",
            field=FIELD,
        )
    try:
        parts = urlsplit(request.url)
        port = parts.port
    except ValueError:
        raise Invalid("the destination URL is not a valid URL", field=FIELD) from None
    if parts.scheme not in ("postgresql", "postgres"):
        raise Invalid("the destination URL must start with postgresql://", field=FIELD)
    host = parts.hostname
    if not host or "," in parts.netloc:
        raise Invalid("the destination URL must name one host", field=FIELD)
    if port == 0:
        raise Invalid("the destination URL has an invalid port", field=FIELD)
    if not parts.path.strip("/"):
        raise Invalid("the destination URL must name a database: .../DATABASE", field=FIELD)
    steering = sorted(STEERING & {k for k, _ in parse_qsl(parts.query)})
    if steering:
        raise Invalid(
            f"the destination URL must not set {', '.join(steering)} in its query",
            field=FIELD,
        )
    if not IDENTIFIER.match(request.schema):
        raise Invalid("schema must be a name of 1 to 63 characters", field="destination.schema")

    def listed(address: Address) -> str | None:
        if allowed(host, address, allow):
            return None
        return f"the destination host {host} ({address}) is not on DRAFTA_DESTINATION_ALLOW"

    try:
        address = pin_host(host, listed)
    except UnsafeUrl as exc:
        raise Invalid(str(exc), field=FIELD) from None
    return Destination(
        kind=request.kind,
        url=request.url,
        schema=request.schema,
        if_exists=request.if_exists,
        hostaddr=address,
    )
