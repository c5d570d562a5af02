"""Running a job's tasks in this process: shards one after another in a worker thread, written
straight into the job's file when it is on a local disk."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence

from pipeline.destinations import postgres
from pipeline.executor import Report, TaskFailed, describe_failure
from pipeline.lifecycle import Connected, ShardDone
from pipeline.plan import JobSpec, plan_shards
from pipeline.tasks import (
    MergeResult,
    ShardResult,
    can_write_sequentially,
    merge,
    write_sequential,
    write_shard,
    write_whole,
)


class _Stopped(Exception):
    """A job stopped between two of its shards."""


class InProcessExecutor:
    """No cluster, no retries (a failure here is the job's own), no dashboard."""

    dashboard_link: str | None = None

    def __init__(self) -> None:
        # The thread step each job is in: a cancelled run's thread still finishes its step.
        self._steps: dict[str, asyncio.Future[object]] = {}
        # Jobs being stopped: a step that writes every shard stops at the next shard.
        self._stopping: set[str] = set()

    async def run(self, parts: Sequence[JobSpec], report: Report) -> list[MergeResult]:
        report(Connected())
        try:
            if parts[0].destination is not None:
                return await self._load(parts, report)
            return [await self._run_part(part, report) for part in parts]
        except (asyncio.CancelledError, TaskFailed):
            raise
        except Exception as exc:
            raise TaskFailed(describe_failure(exc)) from exc

    async def _run_part(self, job: JobSpec, report: Report) -> MergeResult:
        shards = plan_shards(job)
        if len(shards) > 1 and can_write_sequentially(job):
            return await self._run_sequential(job, report)
        if len(shards) == 1:
            # One thread hop instead of two, and no progress write just before the job's
            # end, as on the cluster: small jobs are most jobs.
            whole = await self._step(job.job_id, write_whole, job)
            assert isinstance(whole, MergeResult)
            return whole
        results: list[ShardResult] = []
        for shard in shards:
            result = await self._step(job.job_id, write_shard, shard)
            assert isinstance(result, ShardResult)
            results.append(result)
            report(ShardDone(result.index, result.rows))
        merged = await self._step(job.job_id, merge, job, results)
        assert isinstance(merged, MergeResult)
        return merged

    async def _run_sequential(self, job: JobSpec, report: Report) -> MergeResult:
        """Shards written straight into the file, one after the other (no shard files)."""
        loop = asyncio.get_running_loop()

        def done(result: ShardResult) -> None:
            if job.job_id in self._stopping:  # between shards: the rest is not made
                raise _Stopped(job.job_id)
            loop.call_soon_threadsafe(report, ShardDone(result.index, result.rows))

        merged = await self._step(job.job_id, write_sequential, job, done)
        assert isinstance(merged, MergeResult)
        return merged

    async def _load(self, parts: Sequence[JobSpec], report: Report) -> list[MergeResult]:
        """Tables ready, every shard loaded, then the foreign keys."""
        job_id = parts[0].job_id
        await self._step(job_id, postgres.prepare, parts)
        for part in parts:
            for shard in plan_shards(part):
                result = await self._step(job_id, postgres.load_shard, shard)
                assert isinstance(result, ShardResult)
                report(ShardDone(result.index, result.rows))
        results = await self._step(job_id, postgres.complete, parts)
        assert isinstance(results, list)
        return results

    async def _step(self, job_id: str, task: Callable[..., object], *args: object) -> object:
        future: asyncio.Future[object] = asyncio.ensure_future(asyncio.to_thread(task, *args))
        self._steps[job_id] = future
        try:
            return await asyncio.shield(future)
        finally:
            if future.done():
                self._steps.pop(job_id, None)

    async def stop(self, job_id: str) -> None:
        step = self._steps.pop(job_id, None)
        if step is not None:
            self._stopping.add(job_id)
            try:
                with contextlib.suppress(Exception):
                    await step
            finally:
                self._stopping.discard(job_id)

    async def close(self) -> None:
        for job_id in list(self._steps):
            await self.stop(job_id)
