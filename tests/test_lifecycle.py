"""The job lifecycle alone: each move's exact instructions, without a cluster or a database."""

from __future__ import annotations

import pytest

from pipeline.lifecycle import (
    CancelRequested,
    ClearNotice,
    ClusterLost,
    Connected,
    Finish,
    IllegalTransition,
    JobState,
    JobStatus,
    MarkStarted,
    MergeDone,
    RemoveFiles,
    Restart,
    RetryAfter,
    RetryDue,
    Rules,
    Run,
    SendWebhook,
    SetNotice,
    ShardDone,
    Start,
    StopTasks,
    TaskFailed,
    WriteProgress,
    step,
)

RULES = Rules(grace=10.0, progress_every=0.25, retry_pause=1.0)
PENDING = JobState(status=JobStatus.PENDING)
NOTICE = (
    "waiting for the Dask cluster at tcp://10.0.0.9:8786, which cannot be reached: the job "
    "resumes when it is back, keeping the shards already written, or fails 10 s after it was "
    "lost (DRAFTA_SCHEDULER_GRACE)"
)


def running(**changes: object) -> JobState:
    state, _ = step(PENDING, Start(3), 0.0, RULES)
    return JobState(**{**{f: getattr(state, f) for f in state.__struct_fields__}, **changes})


def test_start_marks_the_job_processing_and_runs_it() -> None:
    state, todo = step(PENDING, Start(3), 0.0, RULES)
    assert todo == [MarkStarted(3), Run()]
    assert state == JobState(status=JobStatus.PROCESSING, shards_total=3)


def test_a_restarted_service_resumes_a_processing_job_keeping_its_shards() -> None:
    state, todo = step(running(shards_done=2, rows_done=20), Restart(3), 5.0, RULES)
    assert todo == [MarkStarted(3), Run()]
    assert state.status is JobStatus.PROCESSING
    assert state.shards_done == 0  # kept shards are reported done again, and counted again


def test_progress_is_written_at_most_every_quarter_second_and_at_the_last_shard() -> None:
    state, writes = running(), []
    for index, now in enumerate([0.0, 0.1, 0.3]):
        state, todo = step(state, ShardDone(index, 10), now, RULES)
        writes.append(todo)
    assert writes == [[WriteProgress(1, 10)], [], [WriteProgress(3, 30)]]


def test_merge_done_completes_the_job_and_sends_its_webhook() -> None:
    state, todo = step(running(webhook=True), MergeDone({"T": ("s3://b/j/T.csv", 99)}), 1.0, RULES)
    assert state.status is JobStatus.COMPLETED
    assert todo == [
        Finish(JobStatus.COMPLETED, outputs={"T": ("s3://b/j/T.csv", 99)}),
        SendWebhook(),
    ]


def test_a_job_without_webhook_sends_none() -> None:
    _, todo = step(running(), MergeDone({"T": ("x", 1)}), 1.0, RULES)
    assert todo == [Finish(JobStatus.COMPLETED, outputs={"T": ("x", 1)})]


def test_a_lost_cluster_sets_a_notice_and_retries_within_the_grace() -> None:
    lost = ClusterLost("connection closed", "tcp://10.0.0.9:8786")
    state, todo = step(running(), lost, 100.0, RULES)
    assert todo == [SetNotice(NOTICE), RetryAfter(1.0)]
    assert (state.lost_since, state.notice) == (100.0, NOTICE)
    state, todo = step(state, RetryDue(), 101.0, RULES)
    assert todo == [Run()]
    state, todo = step(state, lost, 101.5, RULES)
    assert todo == [RetryAfter(1.0)]  # the notice stands; the grace counts from the first loss
    assert state.lost_since == 100.0


def test_the_cluster_back_clears_the_notice_and_the_job_goes_on() -> None:
    state, _ = step(running(), ClusterLost("gone", "tcp://10.0.0.9:8786"), 0.0, RULES)
    state, todo = step(state, Connected(), 3.0, RULES)
    assert todo == [ClearNotice()]
    assert (state.lost_since, state.notice) == (None, None)
    _, todo = step(state, Connected(), 4.0, RULES)
    assert todo == []


def test_past_the_grace_the_job_fails_with_the_reason_and_its_files_go() -> None:
    lost = ClusterLost("lost the connection", "tcp://10.0.0.9:8786")
    state, _ = step(running(webhook=True), lost, 0.0, RULES)
    state, todo = step(state, lost, 10.0, RULES)
    assert state.status is JobStatus.FAILED
    assert state.notice is None
    assert todo == [
        Finish(JobStatus.FAILED, error="lost the connection"),
        SendWebhook(),
        RemoveFiles(),
    ]


def test_a_task_failing_after_its_retries_fails_the_job() -> None:
    state, todo = step(running(), TaskFailed("ValueError: bad"), 2.0, RULES)
    assert state.status is JobStatus.FAILED
    assert todo == [Finish(JobStatus.FAILED, error="ValueError: bad"), RemoveFiles()]


def test_cancel_stores_the_end_first_then_stops_the_tasks_then_removes_the_files() -> None:
    state, todo = step(running(webhook=True), CancelRequested(), 2.0, RULES)
    assert state.status is JobStatus.FAILED
    assert todo == [
        Finish(JobStatus.FAILED, error="cancelled"),
        SendWebhook(),
        StopTasks(),
        RemoveFiles(),
    ]


def test_cancel_during_the_merge_is_the_same_move() -> None:
    # All shards are done and the merge runs: nothing in the state says "merging", so a
    # cancel then must stop the merge task too, which StopTasks does.
    state = running(shards_done=3, rows_done=30, progress_at=1.0)
    _, todo = step(state, CancelRequested(), 2.0, RULES)
    assert todo == [Finish(JobStatus.FAILED, error="cancelled"), StopTasks(), RemoveFiles()]


def test_a_pending_job_can_be_cancelled() -> None:
    state, todo = step(PENDING, CancelRequested(), 0.0, RULES)
    assert state.status is JobStatus.FAILED
    assert todo == [Finish(JobStatus.FAILED, error="cancelled"), StopTasks(), RemoveFiles()]


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (PENDING, ShardDone(0, 1)),
        (PENDING, MergeDone({"T": ("x", 1)})),
        (PENDING, Restart(2)),
        (running(), Start(3)),
        (JobState(status=JobStatus.COMPLETED), CancelRequested()),
        (JobState(status=JobStatus.FAILED), Restart(3)),
        (JobState(status=JobStatus.COMPLETED), ShardDone(0, 1)),
    ],
)
def test_illegal_moves_raise(state: JobState, event: object) -> None:
    with pytest.raises(IllegalTransition):
        step(state, event, 0.0, RULES)  # type: ignore[arg-type]
