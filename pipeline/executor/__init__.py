"""Where a job's tasks run: one seam, two implementations.

``Executor.run`` runs a job's shards then its merges (one ``JobSpec`` per entity of the job)
and reports ``Connected`` and ``ShardDone`` events as they happen; it returns each entity's
merged file, or raises ``ClusterLost`` (the cluster went
away: the job may wait for it) or ``TaskFailed`` (the job itself failed, after retries).
``stop`` returns once none of a job's tasks runs or will run. ``DaskExecutor`` runs on a Dask
cluster; ``InProcessExecutor`` runs in the calling process, for small jobs, the command line and
tests that need no cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pipeline.destinations import DestinationError
from pipeline.errors import PipelineError
from pipeline.lifecycle import Event
from pipeline.plan import JobSpec
from pipeline.tasks import MergeResult

Report = Callable[[Event], None]


class ExecutorError(PipelineError):
    """A job's tasks could not run to the end."""


class ClusterUnavailable(ExecutorError):
    """The configured scheduler cannot be used; the message says why and what to check."""


class ClusterLost(ExecutorError):
    """The cluster went away while a job ran (or could not be reached to run it)."""

    def __init__(self, reason: str, address: str) -> None:
        self.reason = reason
        self.address = address
        super().__init__(reason)


class TaskFailed(ExecutorError):
    """A task of the job failed for good: its retries are spent."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Executor(Protocol):
    @property
    def dashboard_link(self) -> str | None: ...

    async def run(self, parts: Sequence[JobSpec], report: Report) -> list[MergeResult]: ...

    async def stop(self, job_id: str) -> None: ...

    async def close(self) -> None: ...


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, DestinationError):
        return str(exc)  # says which table, how far, and why, in words meant for the user
    name = type(exc).__name__
    text = str(exc).strip()
    return f"{name}: {text}" if text else name
