"""Refuse webhook URLs that reach inside: loopback, private, link-local and the like.

Checked when a job is submitted and again just before each delivery, because DNS answers
change. ``DRAFTA_WEBHOOK_ALLOW`` lists hosts or CIDRs that are let through (tests, or a
receiver on the same private network).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit


class UnsafeUrl(ValueError):
    pass


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _addresses(host: str) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrl(f"host {host!r} does not resolve") from exc
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def _allowed(
    host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address, allow: Iterable[str]
) -> bool:
    for entry in allow:
        if entry == host:
            return True
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def check_url(url: str, allow: Iterable[str] = ()) -> str:
    """The URL if it is http(s) to a public address (or an allowed one); else UnsafeUrl."""
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
    for address in _addresses(host):
        if _allowed(host, address, allow):
            continue
        if not address.is_global or address.is_multicast:
            raise UnsafeUrl(
                f"the webhook host {host} resolves to {address}, which is not a public address"
            )
    return url
