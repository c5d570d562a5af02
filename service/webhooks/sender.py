"""At-least-once webhook delivery from the SQLite queue.

A delivery row is queued in the same transaction that ends its job. This loop sends due
deliveries concurrently (a hanging receiver holds up nothing else), records every attempt,
and schedules retries from ``DRAFTA_WEBHOOK_RETRY`` with jitter; rows still pending after a
restart are picked up again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable

import httpx

from service.settings import Settings
from service.webhooks.guard import PinnedUrl, UnsafeUrl, pin_url
from service.webhooks.signing import headers
from storage import jobs
from storage.db import Database
from storage.jobs import DELIVERED, FAILED, PENDING, Delivery

log = logging.getLogger("drafta.webhooks")
RETRY_AFTER_STATUSES = (429, 503)


def retry_delay(
    schedule: tuple[float, ...], attempt: int, retry_after: float | None
) -> float | None:
    """Seconds until the next attempt after ``attempt`` failed, or None when out of tries."""
    if attempt >= len(schedule):
        return None
    base = schedule[attempt]
    jittered = base * random.uniform(0.9, 1.1)
    return max(jittered, retry_after or 0.0)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None


def pinned_request(
    client: httpx.AsyncClient, pinned: PinnedUrl, body: bytes, sent: dict[str, str]
) -> httpx.Request:
    """A POST to the address that passed the check, not to the host name: resolving it again
    could answer with another address. The host still goes in ``Host`` and, for TLS, as the
    server name the certificate is checked against."""
    url = httpx.URL(pinned.url)
    host = url.netloc.decode("ascii").rpartition("@")[2]
    extensions = {"sni_hostname": pinned.host} if url.scheme == "https" else {}
    return client.build_request(
        "POST",
        url.copy_with(host=pinned.address),
        content=body,
        headers={**sent, "Host": host},
        extensions=extensions,
    )


class WebhookSender:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self._wake = asyncio.Event()
        self._inflight: dict[str, asyncio.Task[None]] = {}
        self._client = httpx.AsyncClient(
            timeout=settings.webhook_timeout, follow_redirects=False, trust_env=False
        )

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        while True:
            for row in jobs.due_deliveries(self.db, time.time()):
                if row.id not in self._inflight:
                    task = asyncio.create_task(self._deliver(row))
                    self._inflight[row.id] = task
                    task.add_done_callback(self._forget(row.id))
            nxt = jobs.next_delivery_time(self.db)
            wait = 1.0 if nxt is None else min(max(nxt - time.time(), 0.05), 1.0)
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    def _forget(self, delivery_id: str) -> Callable[[asyncio.Task[None]], None]:
        def forget(_task: asyncio.Task[None]) -> None:
            self._inflight.pop(delivery_id, None)

        return forget

    async def close(self) -> None:
        for task in list(self._inflight.values()):
            task.cancel()
        await self._client.aclose()

    async def _deliver(self, row: Delivery) -> None:
        attempt = row.attempts + 1
        status_code: int | None = None
        retry_after: float | None = None
        try:
            # Resolving the host blocks; the event loop serves requests meanwhile.
            pinned = await asyncio.to_thread(pin_url, row.url, self.settings.webhook_allow)
            body = row.payload.encode()
            sent = headers(row.webhook_secret, row.id, int(time.time()), body)
            response = await self._client.send(pinned_request(self._client, pinned, body, sent))
            status_code = response.status_code
            if 200 <= status_code < 300:
                self._record(row, attempt, status_code, None, DELIVERED, None)
                return
            if status_code == 410:
                self._record(row, attempt, status_code, "receiver answered 410 Gone", FAILED, None)
                return
            if status_code in RETRY_AFTER_STATUSES:
                retry_after = _retry_after(response)
            error = f"receiver answered {status_code}"
        except UnsafeUrl as exc:
            self._record(row, attempt, None, str(exc), FAILED, None)
            return
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        delay = retry_delay(self.settings.webhook_retry, attempt, retry_after)
        if delay is None:
            self._record(row, attempt, status_code, error, FAILED, None)
        else:
            self._record(row, attempt, status_code, error, PENDING, time.time() + delay)

    def _record(
        self,
        row: Delivery,
        attempt: int,
        status_code: int | None,
        error: str | None,
        outcome: str,
        next_at: float | None,
    ) -> None:
        jobs.record_attempt(
            self.db,
            row.id,
            attempt,
            status_code=status_code,
            error=error,
            outcome=outcome,
            next_attempt_at=next_at,
        )
        if outcome != PENDING:
            log.info("webhook %s for job %s: %s", row.id, row.job_id, outcome)
