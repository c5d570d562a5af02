"""Small jobs in this process while it has nothing else to run, the rest on the cluster.

A 1,000-row job takes a few milliseconds to make, and several times that to go through the
Dask scheduler and a worker and come back (process hops, each a wake-up on a busy machine).
So a job of at most ``rows`` rows, with no destination, runs here in a worker thread when no
other job is running. When jobs run side by side the service is under load, and making rows
here would take the core (and the interpreter lock) from the event loop that answers the
status polls: they all go to the cluster then (docs/performance.md has both measurements).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pipeline.executor import Executor, Report
from pipeline.executor.inprocess import InProcessExecutor
from pipeline.plan import JobSpec
from pipeline.tasks import MergeResult


class TieredExecutor:
    def __init__(self, cluster: Executor, rows: int) -> None:
        self.cluster = cluster
        self.here = InProcessExecutor()
        self.rows = rows
        self._running = 0  # jobs running, here or on the cluster
        self._here: set[str] = set()  # jobs running here, or cancelled here and not yet stopped

    @property
    def dashboard_link(self) -> str | None:
        return self.cluster.dashboard_link

    def runs_here(self, parts: Sequence[JobSpec]) -> bool:
        """Whether a job starting now would run in this process."""
        return (
            self._running == 0
            and parts[0].destination is None
            and sum(part.count for part in parts) <= self.rows
        )

    async def run(self, parts: Sequence[JobSpec], report: Report) -> list[MergeResult]:
        here = self.runs_here(parts)
        job_id = parts[0].job_id
        self._running += 1
        try:
            if not here:
                return await self.cluster.run(parts, report)
            self._here.add(job_id)
            results = await self.here.run(parts, report)
        except asyncio.CancelledError:
            raise  # a job cancelled here stays known here until ``stop``
        except BaseException:
            self._here.discard(job_id)
            raise
        finally:
            self._running -= 1
        self._here.discard(job_id)
        return results

    async def stop(self, job_id: str) -> None:
        if job_id in self._here:
            self._here.discard(job_id)
            await self.here.stop(job_id)
        else:
            await self.cluster.stop(job_id)

    async def close(self) -> None:
        await self.here.close()
        await self.cluster.close()
