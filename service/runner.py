"""The hands of the job lifecycle: turns what the executor and SQLite report into events for
``pipeline.lifecycle.step`` and carries out the instructions it returns.

Each unfinished job has one driver task that takes its events from a queue, one at a time, so
the lifecycle sees them in a single order. Running the job's tasks (``Run``) and waiting before
a retry (``RetryAfter``) happen in tasks of their own that put their outcome on the queue. At
start-up every unfinished job is driven again: shards are deterministic and written atomically,
so whole ones are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Coroutine
from typing import Any

import msgspec

from pipeline.destinations import Destination
from pipeline.executor import ClusterLost, Executor, TaskFailed, describe_failure
from pipeline.lifecycle import (
    UNFINISHED,
    CancelRequested,
    ClearNotice,
    Event,
    Finish,
    IllegalTransition,
    Instruction,
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
    Start,
    StopTasks,
    WriteProgress,
    step,
)
from pipeline.lifecycle import ClusterLost as ClusterLostEvent
from pipeline.lifecycle import TaskFailed as TaskFailedEvent
from pipeline.plan import JobSpec, entity_specs, plan_shards
from service.jobs import webhook_event
from service.settings import Settings
from service.webhooks.sender import WebhookSender
from storage import files, jobs
from storage.db import Database, now
from storage.jobs import JobRow

log = logging.getLogger("drafta.runner")


class Drive:
    """One job being driven: its lifecycle state and the tasks acting for it."""

    def __init__(self, row: JobRow, parts: list[JobSpec], root: str) -> None:
        self.row = row
        self.parts = parts  # one spec per entity, parents before children
        self.root = root  # the folder of all the job's files
        self.state = JobState(status=JobStatus(row.status), webhook=bool(row.webhook_url))
        self.events: asyncio.Queue[Event] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None  # the driver
        self.helpers: set[asyncio.Task[None]] = set()  # running the tasks, or waiting to retry


class JobRunner:
    def __init__(
        self, db: Database, settings: Settings, executor: Executor, sender: WebhookSender | None
    ) -> None:
        self.db = db
        self.settings = settings
        self.executor = executor
        self.sender = sender
        self.rules = Rules(grace=settings.scheduler_grace)
        self._drives: dict[str, Drive] = {}
        # Why a running job makes no progress, for its status; only while it waits.
        self.notices: dict[str, str] = {}

    @property
    def dashboard_link(self) -> str | None:
        return self.executor.dashboard_link

    def resume_all(self) -> int:
        ids = jobs.ids_with_status(self.db, UNFINISHED)
        for job_id in ids:
            self.launch(job_id)
        return len(ids)

    def launch(self, job_id: str) -> None:
        """Drive a stored pending (or, after a restart, processing) job to its end."""
        if job_id in self._drives:
            return
        drive = self._drive_for(job_id)
        total = sum(len(plan_shards(part)) for part in drive.parts)
        first = Start(total) if drive.state.status is JobStatus.PENDING else Restart(total)
        drive.events.put_nowait(first)
        self._start(drive)

    async def cancel(self, job_id: str) -> JobRow:
        """Cancel an unfinished job: once this returns, none of its tasks runs and its files are
        gone. Returns the job as stored."""
        drive = self._drives.get(job_id)
        if drive is None:
            drive = self._drive_for(job_id)
            if drive.state.status not in UNFINISHED:
                return drive.row
            self._start(drive)
        drive.events.put_nowait(CancelRequested())
        assert drive.task is not None
        await asyncio.shield(drive.task)
        return jobs.get_job(self.db, None, job_id)

    async def close(self) -> None:
        for drive in list(self._drives.values()):
            for task in (drive.task, *drive.helpers):
                if task is not None:
                    task.cancel()
        for drive in list(self._drives.values()):
            for task in (drive.task, *drive.helpers):
                if task is not None:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    def _drive_for(self, job_id: str) -> Drive:
        row = jobs.get_job(self.db, None, job_id)
        snapshot = jobs.get_job_input(self.db, job_id)
        root = files.job_root(self.settings.storage, row.workspace_id, row.id)
        several = len(row.parts) > 1
        destination = (
            msgspec.convert(snapshot.destination, Destination) if snapshot.destination else None
        )
        job = JobSpec(
            job_id=row.id,
            schema_text=snapshot.schema_text,
            entity="",
            count=0,
            seed=row.seed,
            format=row.format,
            dialect=row.dialect,
            root_url=root,
            storage_options=dict(self.settings.storage_options),
            providers=snapshot.providers,
            shard_rows=row.shard_rows,
            destination=destination,
            laid_out=files.is_local(root, self.settings.storage_options),
        )
        # Each entity of a job of several has a folder of its own for its shards.
        entities = [
            (p.entity, p.count, f"{root}/{p.entity}" if several else root) for p in row.parts
        ]
        return Drive(row, entity_specs(job, entities), root)

    def _start(self, drive: Drive) -> None:
        job_id = drive.row.id
        self._drives[job_id] = drive
        drive.task = asyncio.create_task(self._drive(drive), name=f"job-{job_id}")
        drive.task.add_done_callback(lambda _t: self._forget(job_id))

    def _forget(self, job_id: str) -> None:
        drive = self._drives.pop(job_id, None)
        self.notices.pop(job_id, None)
        if drive is not None:
            for helper in drive.helpers:
                helper.cancel()

    async def _drive(self, drive: Drive) -> None:
        while drive.state.status in UNFINISHED:
            event = await drive.events.get()
            try:
                drive.state, todo = step(drive.state, event, time.monotonic(), self.rules)
            except IllegalTransition:
                log.exception("job %s: an event its state does not take", drive.row.id)
                continue
            for instruction in todo:
                if not await self._carry_out(drive, instruction):
                    return

    async def _carry_out(self, drive: Drive, instruction: Instruction) -> bool:
        """Do one instruction; False when the job has left this runner's hands (it was
        finished or removed by someone else), so nothing more is to be done for it."""
        job_id = drive.row.id
        match instruction:
            case MarkStarted(shards_total=total):
                return jobs.mark_started(
                    self.db, job_id, total, status=JobStatus.PROCESSING, expected=UNFINISHED
                )
            case Run():
                self._helper(drive, self._run(drive))
            case WriteProgress(shards_done=shards, rows_done=rows):
                jobs.record_progress(self.db, job_id, shards, rows, status=JobStatus.PROCESSING)
            case SetNotice(text=text):
                log.warning("job %s lost the Dask cluster; it waits for it", job_id)
                self.notices[job_id] = text
            case ClearNotice():
                self.notices.pop(job_id, None)
            case RetryAfter(seconds=seconds):
                self._helper(drive, self._retry_after(drive, seconds))
            case StopTasks():
                await self._stop_tasks(drive)
            case Finish():
                return self._finish(drive, instruction)
            case SendWebhook():
                if self.sender is not None:
                    self.sender.wake()
            case RemoveFiles():
                try:
                    await asyncio.to_thread(
                        files.remove_tree, drive.root, self.settings.storage_options
                    )
                except Exception as exc:  # the job has ended; its leftovers are only logged
                    log.warning("job %s: could not remove its files: %s", job_id, exc)
        return True

    def _helper(self, drive: Drive, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        drive.helpers.add(task)
        task.add_done_callback(drive.helpers.discard)

    async def _run(self, drive: Drive) -> None:
        put = drive.events.put_nowait
        try:
            results = await self.executor.run(drive.parts, put)
        except ClusterLost as exc:
            put(ClusterLostEvent(exc.reason, exc.address))
        except TaskFailed as exc:
            put(TaskFailedEvent(exc.reason))
        except Exception as exc:  # a bug of ours still ends the job with a reason
            log.exception("job %s: unexpected error", drive.row.id)
            put(TaskFailedEvent(describe_failure(exc)))
        else:
            files = zip(drive.parts, results, strict=True)
            put(MergeDone({part.entity: (r.path, r.bytes) for part, r in files}))

    async def _retry_after(self, drive: Drive, seconds: float) -> None:
        await asyncio.sleep(seconds)
        drive.events.put_nowait(RetryDue())

    async def _stop_tasks(self, drive: Drive) -> None:
        helpers = list(drive.helpers)
        for helper in helpers:
            helper.cancel()
        for helper in helpers:
            with contextlib.suppress(asyncio.CancelledError):
                await helper
        await self.executor.stop(drive.row.id)

    def _finish(self, drive: Drive, finish: Finish) -> bool:
        if finish.error:
            log.warning("job %s failed: %s", drive.row.id, finish.error)
        with self.db.write():
            row = jobs.finish(
                self.db,
                drive.row.id,
                status=finish.status,
                expected=UNFINISHED,
                error=finish.error,
                outputs=finish.outputs,
                complete=finish.status is JobStatus.COMPLETED,
            )
            if row is not None and row.webhook_url:
                jobs.queue_delivery(self.db, row, webhook_event(row, now()))
        self.notices.pop(drive.row.id, None)
        if row is None:
            return False
        drive.row = row
        return True
