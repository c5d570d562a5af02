"""Requests per minute per API key: Litestar's fixed-window limiter, storing a count per window."""

from __future__ import annotations

import time
from typing import Any

import msgspec
from litestar import Request
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    CacheObject,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.stores.base import Store

from service.public_paths import PUBLIC_PATTERNS

_Window = tuple[int, int]  # (requests so far, second at which the window resets)


class CountingRateLimitMiddleware(RateLimitMiddleware):
    """The stock middleware keeps one timestamp per request of the window and decodes, copies
    and encodes that list on every request: at a limit in the thousands that was a tenth of a
    status poll's cost. Only the list's length is ever read, so the store keeps the count."""

    async def retrieve_cached_history(self, key: str, store: Store) -> CacheObject:
        now = int(time.time())
        stored = await store.get(key)
        if stored:
            count, reset = msgspec.json.decode(stored, type=_Window)
            if reset > now:
                # The headers and the limit check read only len(history).
                return CacheObject(history=[reset] * count, reset=reset)
        return CacheObject(history=[], reset=now + DURATION_VALUES[self.unit])

    async def set_cached_history(self, key: str, cache_object: CacheObject, store: Store) -> None:
        now = int(time.time())
        cache_object.history.append(now)
        window = (len(cache_object.history), cache_object.reset)
        expires = max(1, cache_object.reset - now)
        await store.set(key, msgspec.json.encode(window), expires_in=expires)


def _rate_key(request: Request[Any, Any, Any]) -> str:
    # Limit per API key (its prefix), so clients behind one address do not share a budget.
    header = request.headers.get("authorization", "")
    prefix = header.partition(" ")[2].partition(".")[0]
    return prefix or (request.client.host if request.client else "anonymous")


def rate_limit_middleware(per_minute: int) -> DefineMiddleware:
    return RateLimitConfig(
        rate_limit=("minute", per_minute),
        exclude=PUBLIC_PATTERNS,
        identifier_for_request=_rate_key,
        middleware_class=CountingRateLimitMiddleware,
    ).middleware
