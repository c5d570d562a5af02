"""A job's lifecycle as a pure state machine: ``step(state, event, now, rules)`` returns the next
state and the instructions that carry the move out. Nothing here waits, reads a clock or does
I/O; the runner (``service/runner.py``) turns what Dask and SQLite do into events and carries
the instructions out. Every legal move is a row of ``TRANSITIONS``; any other raises.

    pending ──Start──────────────▶ processing ──MergeDone──────────────▶ completed
       │                          │  ▲  │
       │                 Restart ─┘  │  ├─ ShardDone, Connected, RetryDue (stays)
       │                             │  ├─ ClusterLost within the grace: notice, retry later
       │                             │  └─ ClusterLost past the grace ─┐
       └──CancelRequested──▶ failed ◀──── TaskFailed, CancelRequested ─┘

``JobStatus`` is the one place the status words are written: storage queries take them as
parameters, the API and the webhooks read them from the stored row.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

import msgspec

from pipeline.errors import PipelineError


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


UNFINISHED = (JobStatus.PENDING, JobStatus.PROCESSING)
CANCELLED = "cancelled"  # the error of a job a user cancelled


class Rules(msgspec.Struct, frozen=True, kw_only=True):
    """The timings a job obeys."""

    grace: float  # seconds a job waits for a lost cluster before it fails
    progress_every: float = 0.25  # seconds between progress writes
    retry_pause: float = 1.0  # seconds between losing the cluster and asking for it again


class JobState(msgspec.Struct, frozen=True, kw_only=True):
    status: JobStatus
    shards_total: int = 0
    shards_done: int = 0  # in the current attempt: a resumed job counts its kept shards again
    rows_done: int = 0
    webhook: bool = False  # whether the job has a webhook to send when it ends
    progress_at: float | None = None  # when progress was last written
    lost_since: float | None = None  # when the cluster was first lost, until it is back
    notice: str | None = None


# Events: what happened to a job. --------------------------------------------------------


class Event(msgspec.Struct, frozen=True, tag=True):
    pass


class Start(Event, frozen=True):
    """The runner takes up a pending job."""

    shards_total: int


class Restart(Event, frozen=True):
    """The service started again and finds the job processing: it resumes, keeping shards."""

    shards_total: int


class Connected(Event, frozen=True):
    """The job's attempt reached the cluster (after losing it, the cluster is back)."""


class ShardDone(Event, frozen=True):
    index: int
    rows: int


class MergeDone(Event, frozen=True):
    """Every entity's file is written: ``outputs`` maps each entity to its file and size."""

    outputs: dict[str, tuple[str, int]]


class ClusterLost(Event, frozen=True):
    """The attempt failed because the cluster went away, not because of the job."""

    reason: str
    address: str


class RetryDue(Event, frozen=True):
    """The pause after losing the cluster is over."""


class TaskFailed(Event, frozen=True):
    """A task failed for good (after its retries)."""

    reason: str


class CancelRequested(Event, frozen=True):
    pass


# Instructions: what the runner does. ----------------------------------------------------


class Instruction(msgspec.Struct, frozen=True, tag=True):
    pass


class MarkStarted(Instruction, frozen=True):
    """Store the job as processing with its shard count (its first start time is kept)."""

    shards_total: int


class Run(Instruction, frozen=True):
    """Run the job's shards and merge on the executor (whole shards already written are kept)."""


class WriteProgress(Instruction, frozen=True):
    shards_done: int
    rows_done: int


class SetNotice(Instruction, frozen=True):
    text: str


class ClearNotice(Instruction, frozen=True):
    pass


class RetryAfter(Instruction, frozen=True):
    seconds: float


class StopTasks(Instruction, frozen=True):
    """Make sure none of the job's tasks runs or will run (they would write files)."""


class Finish(Instruction, frozen=True):
    """Store the end state and, in the same transaction, queue the webhook if there is one."""

    status: JobStatus
    error: str | None = None
    outputs: dict[str, tuple[str, int]] | None = None


class SendWebhook(Instruction, frozen=True):
    """Deliver the webhook queued by ``Finish``."""


class RemoveFiles(Instruction, frozen=True):
    pass


class IllegalTransition(PipelineError):
    def __init__(self, state: JobState, event: Event) -> None:
        self.status = state.status
        self.event = event
        super().__init__(f"a {state.status} job cannot take {type(event).__name__}")


Step = tuple[JobState, list[Instruction]]
Handler = Callable[[JobState, Event, float, Rules], Step]


def step(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    """The next state and what to do, for ``event`` arriving at monotonic time ``now``."""
    handler = TRANSITIONS.get((state.status, type(event)))
    if handler is None:
        raise IllegalTransition(state, event)
    return handler(state, event, now, rules)


def _start(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    assert isinstance(event, Start | Restart)
    started = msgspec.structs.replace(
        state, status=JobStatus.PROCESSING, shards_total=event.shards_total, shards_done=0
    )
    return started, [MarkStarted(event.shards_total), Run()]


def _connected(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    back = msgspec.structs.replace(state, lost_since=None, notice=None)
    return back, [ClearNotice()] if state.notice is not None else []


def _shard_done(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    assert isinstance(event, ShardDone)
    done = state.shards_done + 1
    rows = state.rows_done + event.rows
    due = state.progress_at is None or now - state.progress_at >= rules.progress_every
    if not due and done < state.shards_total:
        return msgspec.structs.replace(state, shards_done=done, rows_done=rows), []
    written = msgspec.structs.replace(state, shards_done=done, rows_done=rows, progress_at=now)
    return written, [WriteProgress(done, rows)]


def _merge_done(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    assert isinstance(event, MergeDone)
    done = msgspec.structs.replace(state, status=JobStatus.COMPLETED, notice=None)
    finish = Finish(JobStatus.COMPLETED, outputs=event.outputs)
    return done, [finish, *_webhook(state)]


def _cluster_lost(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    assert isinstance(event, ClusterLost)
    since = state.lost_since if state.lost_since is not None else now
    if now - since >= rules.grace:
        return _fail(state, event.reason)
    notice = (
        f"waiting for the Dask cluster at {event.address}, which cannot be reached: the job "
        "resumes when it is back, keeping the shards already written, or fails "
        f"{rules.grace:g} s after it was lost (DRAFTA_SCHEDULER_GRACE)"
    )
    waiting = msgspec.structs.replace(state, lost_since=since, notice=notice)
    instructions: list[Instruction] = [] if state.notice == notice else [SetNotice(notice)]
    return waiting, [*instructions, RetryAfter(rules.retry_pause)]


def _retry(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    return msgspec.structs.replace(state, shards_done=0, rows_done=0), [Run()]


def _task_failed(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    assert isinstance(event, TaskFailed)
    return _fail(state, event.reason)


def _cancel(state: JobState, event: Event, now: float, rules: Rules) -> Step:
    # The end state is stored first, so the job reads as cancelled at once; its files go only
    # after its tasks have stopped (a running one would write its shard after the removal).
    failed = msgspec.structs.replace(state, status=JobStatus.FAILED, notice=None)
    finish = Finish(JobStatus.FAILED, error=CANCELLED)
    return failed, [finish, *_webhook(state), StopTasks(), RemoveFiles()]


def _fail(state: JobState, reason: str) -> Step:
    failed = msgspec.structs.replace(state, status=JobStatus.FAILED, notice=None)
    return failed, [Finish(JobStatus.FAILED, error=reason), *_webhook(state), RemoveFiles()]


def _webhook(state: JobState) -> list[Instruction]:
    return [SendWebhook()] if state.webhook else []


P, R = JobStatus.PENDING, JobStatus.PROCESSING
TRANSITIONS: dict[tuple[JobStatus, type[Event]], Handler] = {
    (P, Start): _start,
    (P, CancelRequested): _cancel,
    (R, Restart): _start,  # resume: processing -> processing, whole shards kept
    (R, Connected): _connected,
    (R, ShardDone): _shard_done,
    (R, MergeDone): _merge_done,
    (R, ClusterLost): _cluster_lost,
    (R, RetryDue): _retry,
    (R, TaskFailed): _task_failed,
    (R, CancelRequested): _cancel,
}
