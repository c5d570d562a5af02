"""Job status: a closed set with a transition table. An illegal move raises."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


ALLOWED: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.PENDING: frozenset({JobStatus.PROCESSING, JobStatus.FAILED}),
    JobStatus.PROCESSING: frozenset({JobStatus.COMPLETED, JobStatus.FAILED}),
    JobStatus.COMPLETED: frozenset(),
    JobStatus.FAILED: frozenset(),
}

UNFINISHED = frozenset({JobStatus.PENDING, JobStatus.PROCESSING})


class IllegalTransition(RuntimeError):
    def __init__(self, current: str, new: str) -> None:
        super().__init__(f"a job cannot go from {current} to {new}")


def check_transition(current: str, new: str) -> JobStatus:
    """The new status, if the move from ``current`` is allowed."""
    target = JobStatus(new)
    if target not in ALLOWED[JobStatus(current)]:
        raise IllegalTransition(current, new)
    return target
