"""Running a job's tasks on a Dask cluster.

One task per shard, with deterministic keys and retries, then a merge task; a one-shard job is
a single task. At most ``WINDOW_PER_THREAD`` shard tasks per worker thread are on the cluster
at a time. Workers write files straight to storage and never ship rows back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Sequence
from typing import Any, Protocol

from distributed import Client, KilledWorker, as_completed
from distributed.client import FutureCancelledError
from distributed.comm import CommClosedError

from pipeline.destinations import postgres
from pipeline.executor import ClusterLost, ClusterUnavailable, Report, TaskFailed
from pipeline.executor import describe_failure as _describe
from pipeline.lifecycle import Connected, ShardDone
from pipeline.plan import JobSpec, ShardSpec, plan_shards
from pipeline.tasks import MergeResult, ShardResult, merge, running_keys, write_shard, write_whole

TASK_RETRIES = 3
WINDOW_PER_THREAD = 4  # shard tasks kept on the cluster per worker thread
MIN_WINDOW = 8
QUIET_BEFORE_REMOVING = 0.3  # seconds with none of a stopped job's tasks running
STOP_TIMEOUT = 60.0


class ClientSource(Protocol):
    """Hands out a connected client, connecting again after the scheduler was lost."""

    address: str
    dashboard_link: str | None

    @property
    def running(self) -> bool: ...

    async def client(self) -> Client: ...

    async def close(self) -> None: ...


def task_prefix(job_id: str) -> str:
    """The start of every Dask key of a job (shards, merge, or its one task), and of no other
    job's: ids have one length. Stopping a job finds its running tasks by it."""
    return f"drafta-{job_id}-"


def describe_failure(exc: BaseException, address: str) -> str:
    if isinstance(exc, KilledWorker):
        return f"workers kept dying while running this job's tasks ({exc})"
    if isinstance(exc, CommClosedError):
        # The client's connections close when the scheduler goes; which of them reports it
        # first (the scheduler's, or a result being gathered from a worker) is a race.
        return (
            f"lost the connection to the Dask cluster at {address} (its scheduler or "
            f"a worker went away): {_describe(exc)}"
        )
    return _describe(exc)


class DaskExecutor:
    def __init__(self, source: ClientSource) -> None:
        self.source = source
        self._futures: dict[str, list[Any]] = {}  # every future a running job submitted

    @property
    def dashboard_link(self) -> str | None:
        return self.source.dashboard_link

    async def run(self, parts: Sequence[JobSpec], report: Report) -> list[MergeResult]:
        job_id = parts[0].job_id
        futures = self._futures.setdefault(job_id, [])
        try:
            client = await self.source.client()
            report(Connected())
            if parts[0].destination is not None:
                loaded = await self._load(client, parts, task_prefix(job_id), futures, report)
                self._futures.pop(job_id, None)
                return loaded
            merges = []
            for number, part in enumerate(parts):
                # Keys name the entity's place in the job when it has several.
                prefix = task_prefix(job_id) + (f"{number}-" if len(parts) > 1 else "")
                merges.append(await self._submit(client, part, prefix, futures, report))
            results: list[MergeResult] = [await m for m in merges]
            self._futures.pop(job_id, None)
            return results
        except asyncio.CancelledError:
            await _release(futures)
            raise
        except (Exception, FutureCancelledError) as exc:
            await _release(futures)
            self._futures.pop(job_id, None)
            reason = describe_failure(exc, self.source.address)
            if self._cluster_lost(exc):
                raise ClusterLost(reason, self.source.address) from exc
            raise TaskFailed(reason) from exc

    def _cluster_lost(self, exc: BaseException) -> bool:
        """Whether the job failed because the scheduler went away, not because of itself."""
        if isinstance(exc, ClusterUnavailable | CommClosedError):
            return True
        return "scheduler-connection-lost" in str(exc) or not self.source.running

    async def _submit(
        self, client: Client, job: JobSpec, prefix: str, futures: list[Any], report: Report
    ) -> Any:
        """Run one entity's shards and submit its merge; returns the merge's future (the next
        entity's shards need not wait for it)."""
        shards = plan_shards(job)
        if len(shards) == 1:
            # Small jobs are most jobs; one task instead of two halves their scheduling cost.
            merged = client.submit(
                write_whole, job, key=f"{prefix}whole", retries=TASK_RETRIES, pure=False
            )
        else:
            results = await self._run_shards(client, shards, prefix, futures, report)
            merged = client.submit(
                merge, job, results, key=f"{prefix}merge", retries=TASK_RETRIES, pure=False
            )
        futures.append(merged)
        return merged

    async def _load(
        self,
        client: Client,
        parts: Sequence[JobSpec],
        prefix: str,
        futures: list[Any],
        report: Report,
    ) -> list[MergeResult]:
        """Load into the job's destination: one task makes the tables ready, each entity's
        shards load in parallel, parents before children (an appended-to table may already
        have its foreign keys), and one task adds the foreign keys."""

        async def one(task: Any, name: str) -> Any:
            future = client.submit(
                task, list(parts), key=f"{prefix}{name}", retries=TASK_RETRIES, pure=False
            )
            futures.append(future)
            return await future

        await one(postgres.prepare, "prepare")
        for part in parts:
            shards = plan_shards(part)
            await self._run_shards(client, shards, prefix, futures, report, postgres.load_shard)
        results: list[MergeResult] = await one(postgres.complete, "complete")
        return results

    async def _run_shards(
        self,
        client: Client,
        shards: list[ShardSpec],
        prefix: str,
        futures: list[Any],
        report: Report,
        task: Any = write_shard,
    ) -> list[ShardResult]:
        """Run every shard, keeping a bounded window of them on the cluster.

        A window (rather than every shard at once) keeps the scheduler's graph small for
        jobs of many shards, and makes stopping exact: a cancel sent while a large graph
        is still on its way to the scheduler could arrive first and miss tasks.
        """
        info = client.scheduler_info()
        threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        window = max(WINDOW_PER_THREAD * threads, MIN_WINDOW)
        todo = iter(shards)

        def submit(shard: ShardSpec) -> Any:
            future = client.submit(
                task,
                shard,
                # Shards of several entities share one run: the entity keeps keys apart.
                key=f"{prefix}shard-{shard.index}"
                if task is write_shard
                else f"{prefix}{shard.job.entity}-shard-{shard.index}",
                retries=TASK_RETRIES,
                pure=False,
            )
            futures.append(future)
            return future

        running = as_completed([submit(s) for s in itertools.islice(todo, window)])
        results: list[ShardResult] = []
        async for future in running:
            result: ShardResult = await future
            results.append(result)
            report(ShardDone(result.index, result.rows))
            following = next(todo, None)
            if following is not None:
                running.add(submit(following))
        return sorted(results, key=lambda r: r.index)

    async def stop(self, job_id: str) -> None:
        """Return once no worker runs, or will run, one of the job's tasks.

        Cancelling drops queued tasks, but one already running finishes and writes its shard:
        removing the job's files before then would leave that shard behind. And a cancel goes
        to the scheduler on another connection than the tasks it cancels, so it can overtake
        tasks submitted just before it: the cancel is repeated until the cluster has been
        quiet for a while.
        """
        futures = self._futures.pop(job_id, [])
        if not self.source.running:
            return  # workers end with their scheduler: none of the job's tasks runs
        try:
            client = await self.source.client()
        except ClusterUnavailable:
            return
        prefix = task_prefix(job_id)
        deadline = time.monotonic() + STOP_TIMEOUT
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            if futures:
                await client.cancel(futures)
            # The scheduler forgets a cancelled task at once; its worker may still be running
            # it, so ask the workers too.
            scheduled = await client.processing()
            running = await client.run(running_keys)
            keys = [*scheduled.values(), *running.values()]
            if any(str(k).startswith(prefix) for group in keys for k in group):
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_BEFORE_REMOVING:
                return
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        await self.source.close()


async def _release(futures: list[Any]) -> None:
    if futures:
        with contextlib.suppress(Exception):
            await futures[0].client.cancel(futures)
