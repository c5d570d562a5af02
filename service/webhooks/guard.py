"""Which addresses the service may connect to on a user's behalf, resolved once.

Webhook URLs must reach public addresses (no loopback, private, link-local and the like);
``DRAFTA_WEBHOOK_ALLOW`` lists hosts or CIDRs let through anyway (tests, or a receiver on the
same private network). Destinations must be on ``DRAFTA_DESTINATION_ALLOW``. A host name is
resolved once per use and the connection goes to the address that passed the check, so a
second DNS answer (a rebinding) cannot send it elsewhere.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import msgspec


class UnsafeUrl(ValueError):
    pass


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class PinnedUrl(msgspec.Struct, frozen=True):
    """A URL that passed the check, and the address its host had then."""

    url: str
    host: str
    address: str


def resolve(host: str) -> list[Address]:
    """Every address of ``host`` (itself when it is one); UnsafeUrl when it does not resolve."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"host {host!r} does not resolve") from exc
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def allowed(host: str, address: Address, allow: Iterable[str]) -> bool:
    """Whether ``host`` (by name) or ``address`` (in a CIDR) is on the list ``allow``."""
    for entry in allow:
        if entry == host:
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def pin_host(host: str, check: Callable[[Address], str | None]) -> str:
    """Resolve ``host`` once; every address must pass ``check`` (None, or why not). Returns
    the first, the one to connect to."""
    addresses = resolve(host)
    for address in addresses:
        problem = check(address)
        if problem is not None:
            raise UnsafeUrl(problem)
    return str(addresses[0])


def pin_url(url: str, allow: Iterable[str] = ()) -> PinnedUrl:
    """The webhook URL if it is http(s) to a public address (or an allowed one), with the
    address to send to; else UnsafeUrl."""
    allow = tuple(allow)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"not a valid URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("the webhook URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise UnsafeUrl("the webhook URL must not carry credentials")
    if port == 0:
        raise UnsafeUrl("the webhook URL has an invalid port")
    host = parts.hostname

    def public(address: Address) -> str | None:
        if allowed(host, address, allow) or (address.is_global and not address.is_multicast):
            return None
        return f"the webhook host {host} resolves to {address}, which is not a public address"

    return PinnedUrl(url, host, pin_host(host, public))


def check_url(url: str, allow: Iterable[str] = ()) -> str:
    """The URL if ``pin_url`` lets it through; else UnsafeUrl."""
    return pin_url(url, allow).url
