"""Requests per minute per API key: a fixed window per key, counted in this process."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.rate_limit import (
    DURATION_VALUES,
    RateLimitConfig,
    RateLimitMiddleware,
)
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.public_paths import PUBLIC_PATTERNS

_Window = tuple[int, int]  # (requests so far, second at which the window resets)


class CountingRateLimitMiddleware(RateLimitMiddleware):
    """Litestar's limiter with its bookkeeping cut down to a count per window.

    The stock middleware keeps a timestamp per request of the window in a store, decoding,
    copying and encoding that list on every request, and takes three locks to do it: each one
    gives the event loop away, so under load a status poll waited its turn in the loop's queue
    three more times (docs/performance.md). Only the list's length is ever read, and the
    default store lives in this process anyway, so the windows are a dict here, read and
    written without yielding. Same limits, same headers, same 429.
    """

    def __init__(self, app: ASGIApp, config: RateLimitConfig) -> None:
        super().__init__(app, config)
        self.duration = DURATION_VALUES[self.unit]
        self.windows: dict[str, _Window] = {}
        self._swept = 0  # when expired windows were last dropped

    def count(self, key: str, now: int) -> _Window | None:
        """Count a request of ``key`` at second ``now``: its window after it, or None when the
        window is already full (the request is refused and not counted)."""
        window = self.windows.get(key)
        if window is None or window[1] <= now:
            if now - self._swept >= self.duration:
                self._sweep(now)
            window = (0, now + self.duration)
        if window[0] >= self.max_requests:
            return None
        window = (window[0] + 1, window[1])
        self.windows[key] = window
        return window

    def _sweep(self, now: int) -> None:
        # A key seen once keeps no memory past its window.
        self.windows = {k: w for k, w in self.windows.items() if w[1] > now}
        self._swept = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope)
        if await self.should_check_request(request=request):
            key = self.cache_key_from_request(request)
            now = int(time.time())
            window = self.count(key, now)
            headers = self.config.set_rate_limit_headers
            if window is None:
                full = self.windows.get(key, (self.max_requests, now + self.duration))
                raise TooManyRequestsException(
                    headers=self.window_headers(full, now) if headers else None
                )
            if headers:
                send = self._with_headers(send, self.window_headers(window, now))
        await self.app(scope, receive, send)

    def window_headers(self, window: _Window, now: int) -> dict[str, str]:
        """The RateLimit-* headers, as the stock middleware writes them."""
        count, reset = window
        config = self.config
        return {
            config.rate_limit_policy_header_key: f"{self.max_requests}; w={self.duration}",
            config.rate_limit_limit_header_key: str(self.max_requests),
            config.rate_limit_remaining_header_key: str(max(self.max_requests - count, 0)),
            config.rate_limit_reset_header_key: str(reset - now),
        }

    @staticmethod
    def _with_headers(send: Send, headers: dict[str, str]) -> Send:
        encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *encoded]
            await send(message)

        return send_with_headers


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
