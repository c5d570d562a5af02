"""The Dask cluster the service submits to: an embedded LocalCluster, or an existing one."""

from __future__ import annotations

import asyncio
import os

from distributed import Client, LocalCluster

from service.settings import Settings

CONNECT_TIMEOUT = 10.0


class ClusterUnavailable(RuntimeError):
    """The configured scheduler cannot be used; the message says why and what to check."""


async def connect(settings: Settings) -> tuple[Client, LocalCluster | None]:
    if settings.scheduler_address:
        return await _external(settings.scheduler_address), None
    cluster = await LocalCluster(
        n_workers=settings.workers or os.cpu_count() or 1,
        threads_per_worker=1,
        processes=True,
        dashboard_address=settings.dashboard_address,
        asynchronous=True,
    )
    client = await Client(cluster, asynchronous=True)
    return client, cluster


async def _external(address: str) -> Client:
    try:
        client = await asyncio.wait_for(
            Client(address, asynchronous=True, timeout=CONNECT_TIMEOUT), CONNECT_TIMEOUT + 2
        )
    except (OSError, TimeoutError) as exc:
        raise ClusterUnavailable(
            f"cannot reach the Dask scheduler at {address} (DRAFTA_SCHEDULER_ADDRESS): {exc}"
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


async def close(client: Client, cluster: LocalCluster | None) -> None:
    await client.close()
    if cluster is not None:
        await cluster.close()  # type: ignore[misc]
