"""Runs jobs on the Dask cluster and keeps SQLite up to date as they move.

One shard task per planned shard (deterministic keys, retries), one merge task that depends
on all of them; the runner only watches futures and writes state. Workers write files
straight to storage and never ship rows back. At start-up every unfinished job is resumed:
shards are deterministic and written atomically, so whole ones are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import time
import uuid
from typing import Any

from distributed import Client, KilledWorker, as_completed
from distributed.client import FutureCancelledError
from distributed.comm import CommClosedError

from pipeline.jobstate import JobStatus, check_transition
from pipeline.plan import JobSpec, ShardSpec, plan_shards
from pipeline.tasks import (
    MergeResult,
    ShardResult,
    merge,
    running_keys,
    write_shard,
    write_whole,
)
from service.cluster import Cluster, ClusterUnavailable
from service.jobs import status_body
from service.settings import Settings
from service.webhooks.sender import WebhookSender
from storage import files, jobs
from storage.db import Database, now

log = logging.getLogger("drafta.runner")
TASK_RETRIES = 3
PROGRESS_EVERY = 0.25  # seconds between progress writes
WINDOW_PER_THREAD = 4  # shard tasks kept on the cluster per worker thread
MIN_WINDOW = 8
QUIET_BEFORE_REMOVING = 0.3  # seconds with none of a cancelled job's tasks running
RESUME_PAUSE = 1.0  # seconds between a job losing the cluster and asking for it again


def describe_failure(exc: BaseException, cluster_address: str = "") -> str:
    name = type(exc).__name__
    text = str(exc).strip()
    detail = f"{name}: {text}" if text else name
    if isinstance(exc, KilledWorker):
        return f"workers kept dying while running this job's tasks ({exc})"
    if isinstance(exc, CommClosedError):
        # The client's connections close when the scheduler goes; which of them reports it
        # first (the scheduler's, or a result being gathered from a worker) is a race.
        return (
            f"lost the connection to the Dask cluster at {cluster_address} (its scheduler or "
            f"a worker went away): {detail}"
        )
    return detail


def task_prefix(job_id: str) -> str:
    """The start of every Dask key of a job (shards, merge, or its one task), and of no other
    job's: ids have one length. A cancel finds the job's running tasks by it."""
    return f"drafta-{job_id}-"


class JobRunner:
    def __init__(
        self, db: Database, settings: Settings, cluster: Cluster, sender: WebhookSender | None
    ) -> None:
        self.db = db
        self.settings = settings
        self.cluster = cluster
        self.sender = sender
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._futures: dict[str, list[Any]] = {}  # every future a running job submitted
        # Why a running job makes no progress, for its status; only while it waits.
        self.notices: dict[str, str] = {}

    @property
    def dashboard_link(self) -> str | None:
        return self.cluster.dashboard_link

    def resume_all(self) -> int:
        ids = jobs.unfinished_job_ids(self.db)
        for job_id in ids:
            self.launch(job_id)
        return len(ids)

    def launch(self, job_id: str) -> None:
        if job_id not in self._tasks:
            task = asyncio.create_task(self._run(job_id), name=f"job-{job_id}")
            self._tasks[job_id] = task
            task.add_done_callback(lambda _t: self._forget(job_id))

    def _forget(self, job_id: str) -> None:
        self._tasks.pop(job_id, None)
        self._futures.pop(job_id, None)
        self.notices.pop(job_id, None)

    async def cancel(self, job_id: str) -> None:
        submitted = self._futures.get(job_id, [])
        task = self._tasks.get(job_id)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        row = jobs.get_job(self.db, None, job_id, full=True)
        if row["status"] in (JobStatus.PENDING, JobStatus.PROCESSING):
            self._finish(row, JobStatus.FAILED, error="cancelled")
        await self._drain(job_id, submitted)
        await asyncio.to_thread(
            files.remove_tree, self._spec(row).root_url, self.settings.storage_options
        )

    async def _drain(self, job_id: str, futures: list[Any], timeout: float = 60.0) -> None:
        """Wait until no worker runs, or will run, one of the job's tasks.

        Cancelling drops queued tasks, but one already running finishes and writes its shard:
        removing the job's files before then would leave that shard behind. And a cancel goes
        to the scheduler on another connection than the tasks it cancels, so it can overtake
        tasks submitted just before it: the cancel is repeated until the cluster has been
        quiet for a while.
        """
        prefix = task_prefix(job_id)
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        if not self.cluster.running:
            return  # workers end with their scheduler: none of the job's tasks runs
        try:
            client = await self.cluster.client()
        except ClusterUnavailable:
            return
        while time.monotonic() < deadline:
            if futures:
                await client.cancel(futures)
            # The scheduler forgets a cancelled task at once; its worker may still be running
            # it, so ask the workers too.
            scheduled = await client.processing()
            running = await client.run(running_keys)
            keys = [*scheduled.values(), *running.values()]
            busy = [k for group in keys for k in group if str(k).startswith(prefix)]
            if busy:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= QUIET_BEFORE_REMOVING:
                return
            await asyncio.sleep(0.05)

    async def close(self) -> None:
        for task in list(self._tasks.values()):
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _spec(self, row: dict) -> JobSpec:
        return JobSpec(
            job_id=row["id"],
            schema_text=row["schema_text"],
            entity=row["entity_name"],
            count=row["count"],
            seed=row["seed"],
            format=row["format"],
            root_url=files.job_root(self.settings.storage, row["workspace_id"], row["id"]),
            storage_options=dict(self.settings.storage_options),
            providers=row["providers"],
            shard_rows=row["shard_rows"],
        )

    async def _run(self, job_id: str) -> None:
        row = jobs.get_job(self.db, None, job_id, full=True)
        spec = self._spec(row)
        shards = plan_shards(spec)
        if not jobs.start(self.db, job_id, len(shards)):
            return
        futures: list[Any] = []
        self._futures[job_id] = futures
        lost_since: float | None = None
        while True:
            try:
                result = await self._attempt(job_id, spec, shards, futures)
            except asyncio.CancelledError:
                await self._release(futures)
                raise
            except (Exception, FutureCancelledError) as exc:
                await self._release(futures)
                futures.clear()
                if self._cluster_lost(exc):
                    # Shards already written are kept, so a job resumed on the scheduler's
                    # return only makes the rest.
                    lost_since = lost_since or time.monotonic()
                    if time.monotonic() - lost_since < self.settings.scheduler_grace:
                        log.warning("job %s lost the Dask cluster; it waits for it", job_id)
                        self.notices[job_id] = (
                            f"waiting for the Dask cluster at {self.cluster.address}, which "
                            "cannot be reached: the job resumes when it is back, keeping the "
                            f"shards already written, or fails "
                            f"{self.settings.scheduler_grace:g} s after it was lost "
                            "(DRAFTA_SCHEDULER_GRACE)"
                        )
                        await asyncio.sleep(RESUME_PAUSE)
                        continue
                reason = describe_failure(exc, self.cluster.address)
                log.warning("job %s failed: %s", job_id, reason)
                row = jobs.get_job(self.db, None, job_id, full=True)
                self._finish(row, JobStatus.FAILED, error=reason)
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(
                        files.remove_tree, spec.root_url, self.settings.storage_options
                    )
                return
            row = jobs.get_job(self.db, None, job_id, full=True)
            self._finish(
                row, JobStatus.COMPLETED, output_path=result.path, output_bytes=result.bytes
            )
            return

    async def _attempt(
        self, job_id: str, spec: JobSpec, shards: list[ShardSpec], futures: list[Any]
    ) -> MergeResult:
        """Run the job's tasks once, on the cluster as it is now."""
        client = await self.cluster.client()
        self.notices.pop(job_id, None)
        if len(shards) == 1:
            merged = client.submit(
                write_whole,
                spec,
                key=f"{task_prefix(job_id)}whole",
                retries=TASK_RETRIES,
                pure=False,
            )
        else:
            results = await self._run_shards(client, job_id, shards, futures)
            merged = client.submit(
                merge,
                spec,
                results,
                key=f"{task_prefix(job_id)}merge",
                retries=TASK_RETRIES,
                pure=False,
            )
        futures.append(merged)
        result: MergeResult = await merged
        return result

    def _cluster_lost(self, exc: BaseException) -> bool:
        """Whether the job failed because the scheduler went away, not because of itself."""
        if isinstance(exc, ClusterUnavailable | CommClosedError):
            return True
        return "scheduler-connection-lost" in str(exc) or not self.cluster.running

    async def _run_shards(
        self, client: Client, job_id: str, shards: list[ShardSpec], futures: list[Any]
    ) -> list[ShardResult]:
        """Run every shard, keeping a bounded window of them on the cluster.

        A window (rather than every shard at once) keeps the scheduler's graph small for
        jobs of many shards, and makes cancelling exact: a cancel sent while a large graph
        is still on its way to the scheduler could arrive first and miss tasks.
        """
        info = client.scheduler_info()
        threads = sum(w.get("nthreads", 1) for w in info.get("workers", {}).values())
        window = max(WINDOW_PER_THREAD * threads, MIN_WINDOW)
        todo = iter(shards)

        def submit(shard: ShardSpec) -> Any:
            future = client.submit(
                write_shard,
                shard,
                key=f"{task_prefix(job_id)}shard-{shard.index}",
                retries=TASK_RETRIES,
                pure=False,
            )
            futures.append(future)
            return future

        running = as_completed([submit(s) for s in itertools.islice(todo, window)])
        results: list[ShardResult] = []
        rows = 0
        last = 0.0
        async for future in running:
            result: ShardResult = await future
            results.append(result)
            rows += result.rows
            following = next(todo, None)
            if following is not None:
                running.add(submit(following))
            if time.monotonic() - last >= PROGRESS_EVERY or len(results) == len(shards):
                jobs.record_progress(self.db, job_id, len(results), rows)
                last = time.monotonic()
        return sorted(results, key=lambda r: r.index)

    async def _release(self, futures: list[Any]) -> None:
        if futures:
            with contextlib.suppress(Exception):
                await futures[0].client.cancel(futures)

    def _finish(
        self,
        row: dict,
        status: JobStatus,
        *,
        error: str | None = None,
        output_path: str | None = None,
        output_bytes: int | None = None,
    ) -> None:
        check_transition(row["status"], status)
        final = {
            **row,
            "status": str(status),
            "error": error,
            "finished_at": now(),
            "output_bytes": output_bytes,
        }
        if status == JobStatus.COMPLETED:
            final["rows_done"] = row["count"]
            final["shards_done"] = row["shards_total"]
        webhook = None
        if row["webhook_url"]:
            event = {
                "type": f"data.{status}",
                "timestamp": now(),
                "data": status_body(final, row["base_url"]),
            }
            webhook = {
                "id": f"msg_{uuid.uuid4().hex}",
                "workspace_id": row["workspace_id"],
                "url": row["webhook_url"],
                "payload": json.dumps(event, separators=(",", ":")),
            }
        if status == JobStatus.COMPLETED:
            jobs.record_progress(self.db, row["id"], row["shards_total"], row["count"])
        moved = jobs.finish(
            self.db,
            row["id"],
            status=str(status),
            expected=row["status"],
            error=error,
            output_path=output_path,
            output_bytes=output_bytes,
            webhook=webhook,
        )
        if moved and webhook and self.sender:
            self.sender.wake()
