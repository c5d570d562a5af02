"""The Dask cluster the service submits to: an embedded LocalCluster, or an existing one."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
import time
from asyncio.subprocess import PIPE, Process

from distributed import Client

from pipeline.executor import ClusterUnavailable, Executor
from pipeline.executor.dask import DaskExecutor
from pipeline.executor.inprocess import InProcessExecutor
from pipeline.executor.tiered import TieredExecutor
from service.settings import Settings

EMBEDDED_START_TIMEOUT = 120.0
log = logging.getLogger("drafta.cluster")


class Embedded:
    """The embedded cluster's child process, started again when it has died.

    Its scheduler listens on a port chosen at start, so a new child has a new address.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.child: Process | None = None

    @property
    def alive(self) -> bool:
        return self.child is not None and self.child.returncode is None

    async def start(self) -> str:
        """Start the child (stopping a previous one first) and return its scheduler address."""
        if self.child is not None:
            await _stop(self.child)
        self.child = child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "service.embedded",
            "--workers",
            str(self.settings.workers or os.cpu_count() or 1),
            "--dashboard-address",
            self.settings.dashboard_address,
            stdin=PIPE,
            stdout=PIPE,
            # Its own session: Ctrl-C at a terminal reaches the service alone, which then
            # stops the cluster in order, instead of killing the workers mid-way (their
            # semaphores were reported leaked).
            start_new_session=True,
        )
        assert child.stdout is not None
        try:
            line = await asyncio.wait_for(child.stdout.readline(), EMBEDDED_START_TIMEOUT)
            address: str = json.loads(line)["address"]
        except (TimeoutError, ValueError, KeyError) as exc:
            await _stop(child)
            raise ClusterUnavailable(f"the embedded Dask cluster did not start: {exc}") from exc
        return address

    async def stop(self) -> None:
        if self.child is not None:
            await _stop(self.child)


class Cluster:
    """The service's connection to its scheduler, made again once the old one has given up.

    A distributed Client that loses its scheduler tries to reconnect for its connect timeout,
    then closes for good: a scheduler back later (a restarted pod or container) would never be
    used again, and every job would fail until the service restarts. An embedded cluster
    that died is started again: nothing else would bring it back.
    """

    def __init__(
        self, client: Client, address: str, timeout: float, embedded: Embedded | None = None
    ) -> None:
        self.address = address
        self.timeout = timeout
        self.embedded = embedded
        self._lock = asyncio.Lock()
        self._failed: tuple[float, ClusterUnavailable] | None = None
        self._use(client)

    def _use(self, client: Client) -> None:
        self._client = client
        # Read once: status polls show it, and the client builds it from its config each time.
        link = getattr(client, "dashboard_link", None)
        self.dashboard_link = str(link) if link else None

    @property
    def running(self) -> bool:
        return bool(self._client.status == "running")

    async def client(self) -> Client:
        """A running client; raises ClusterUnavailable when the scheduler cannot be reached."""
        asked = time.monotonic()
        deadline = asked + self.timeout + 2
        while self._client.status == "connecting" and time.monotonic() < deadline:
            if self.embedded is not None and not self.embedded.alive:
                break  # its scheduler is gone with its process: no use waiting for it
            await asyncio.sleep(0.1)
        if self._client.status != "running":
            async with self._lock:
                if self._client.status == "running":
                    return self._client
                # Jobs that queued behind a failed attempt share its answer: each trying
                # again in turn would make the last of them wait for all the attempts.
                if self._failed is not None and self._failed[0] >= asked:
                    raise self._failed[1]
                with contextlib.suppress(Exception):
                    await self._client.close()
                try:
                    if self.embedded is not None and not self.embedded.alive:
                        log.warning("the embedded Dask cluster has stopped; starting it again")
                        self.address = await self.embedded.start()
                    self._use(await _external(self.address, self.timeout))
                except ClusterUnavailable as exc:
                    self._failed = (time.monotonic(), exc)
                    raise
        return self._client

    async def close(self) -> None:
        await self._client.close()
        if self.embedded is not None:
            await self.embedded.stop()


async def open_executor(settings: Settings) -> Executor:
    """Where the service runs its jobs: the Dask cluster (``DRAFTA_EXECUTOR=dask``, the
    default; jobs of at most ``DRAFTA_INPROCESS_ROWS`` rows in this process, one at a time)
    or this process (``inprocess``)."""
    if settings.executor == "inprocess":
        return InProcessExecutor()
    cluster = DaskExecutor(await connect(settings))
    if settings.inprocess_rows > 0:
        return TieredExecutor(cluster, settings.inprocess_rows)
    return cluster


async def connect(settings: Settings) -> Cluster:
    """The configured scheduler, or an embedded cluster started now."""
    timeout = settings.scheduler_timeout
    if settings.scheduler_address:
        address = settings.scheduler_address
        return Cluster(await _external(address, timeout), address, timeout)
    embedded = Embedded(settings)
    address = await embedded.start()
    try:
        return Cluster(await _external(address, timeout), address, timeout, embedded)
    except ClusterUnavailable:
        await embedded.stop()
        raise


async def probe(settings: Settings) -> None:
    """Raise ClusterUnavailable now if the configured external scheduler cannot be used.

    ``drafta serve`` calls this before starting the server, so a wrong address ends the
    process with one clear line instead of a failed ASGI lifespan and its traceback.
    """
    if settings.scheduler_address:
        client = await _external(settings.scheduler_address, settings.scheduler_timeout)
        await client.close()


async def _external(address: str, timeout: float) -> Client:
    # The client's timeout also bounds how long it tries to reconnect to a lost scheduler
    # before it closes for good (Cluster.client then connects anew).
    try:
        client = await asyncio.wait_for(
            Client(address, asynchronous=True, timeout=timeout), timeout + 2
        )
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(
            f"cannot reach the Dask scheduler at {address} (DRAFTA_SCHEDULER_ADDRESS): {exc}. "
            "Check that `dask scheduler` runs there and its port is reachable from this host, "
            "or leave DRAFTA_SCHEDULER_ADDRESS unset to use the embedded cluster."
        ) from exc
    try:
        await client.get_versions(check=True)
    except ValueError as exc:
        await client.close()
        raise ClusterUnavailable(
            "the Dask cluster's package versions do not match this service's; install the same "
            f"drafta release on the scheduler and workers: {exc}"
        ) from exc
    return client


async def _stop(child: Process, grace: float = 30.0) -> None:
    if child.stdin is not None:
        child.stdin.close()
    try:
        await asyncio.wait_for(child.wait(), grace)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            child.kill()
        await child.wait()
