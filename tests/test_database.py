from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from pipeline.lifecycle import UNFINISHED, JobStatus
from service.database import open_database
from service.settings import load_settings
from storage import jobs, migrations
from storage.db import Database, new_id
from storage.groups import create_group, list_groups
from storage.jobs import JobPart, JobRow, NewJob
from storage.keys import ensure_workspace
from storage.projects import create_project


def test_pragmas(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.db")
    assert db.one("PRAGMA journal_mode")["journal_mode"] == "wal"  # type: ignore[index]
    assert db.one("PRAGMA foreign_keys")["foreign_keys"] == 1  # type: ignore[index]
    assert db.one("PRAGMA busy_timeout")["timeout"] == 30000  # type: ignore[index]


def test_older_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    names = [m.name for m in migrations.migrations._migrations]
    old = Database(path)
    if len(names) > 1:
        migrations.apply(old.db, stop_before=names[1])
    else:  # only one migration so far: an empty file is the "older" database
        pass
    before = {r["name"] for r in old.query("SELECT name FROM sqlite_master WHERE type='table'")}
    old.close()
    db = open_database(load_settings({}, db=str(path)))
    applied = [m.name for m in migrations.migrations.applied(db.db)]
    assert applied == names
    after = {r["name"] for r in db.query("SELECT name FROM sqlite_master WHERE type='table'")}
    assert after >= before | {"workspaces", "project_groups", "projects", "providers"}


def test_failed_write_changes_nothing(tmp_path: Path) -> None:
    db = open_database(load_settings({}, home=str(tmp_path)))
    ws, _ = ensure_workspace(db, "w")
    try:
        with db.write() as tx:
            tx.table("project_groups").insert(
                {
                    "id": "a",
                    "workspace_id": ws.id,
                    "name": "one",
                    "created_at": "",
                    "updated_at": "",
                }
            )
            tx.table("project_groups").insert(
                {
                    "id": "a",
                    "workspace_id": ws.id,
                    "name": "two",
                    "created_at": "",
                    "updated_at": "",
                }
            )
    except sqlite3.IntegrityError:
        pass
    assert list_groups(db, ws.id, limit=10, offset=0) == []


def test_concurrent_writers_in_two_connections(tmp_path: Path) -> None:
    """Two processes' worth of connections writing at once never see 'database is locked'."""
    settings = load_settings({}, home=str(tmp_path))
    first = open_database(settings)
    second = Database(settings.db_path)
    ws, _ = ensure_workspace(first, "w")
    errors: list[Exception] = []

    def work(db: Database, prefix: str) -> None:
        try:
            for i in range(25):
                create_group(db, ws.id, f"{prefix}{i}")
        except Exception as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(db, p)) for db, p in ((first, "a"), (second, "b"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(list_groups(first, ws.id, limit=100, offset=0)) == 50


def _stored_job(tmp_path: Path) -> tuple[Database, str, JobRow]:
    """A database with one pending job of 10 rows, and the job's workspace."""
    db = open_database(load_settings({}, home=str(tmp_path)))
    ws, _ = ensure_workspace(db, "w")
    group = create_group(db, ws.id, "g")
    project = create_project(db, ws.id, group.id, "p", "entities: {}", [])
    new = NewJob(
        project_id=project.id,
        entity_name="E",
        parts=[JobPart("E", 10)],
        format="csv",
        count=10,
        seed=1,
        schema_text="",
        base_url="",
        shard_rows=2,
    )
    job = jobs.insert_job(db, ws.id, new, status=JobStatus.PENDING)
    assert job is not None
    return db, ws.id, job


def test_job_progress_never_goes_back(tmp_path: Path) -> None:
    db, ws, job = _stored_job(tmp_path)
    assert jobs.mark_started(db, job.id, 5, status=JobStatus.PROCESSING, expected=UNFINISHED)
    jobs.record_progress(db, job.id, 3, 6, status=JobStatus.PROCESSING)
    # Resumed (after a restart or a lost scheduler), the job counts its kept shards again.
    jobs.record_progress(db, job.id, 1, 2, status=JobStatus.PROCESSING)
    row = jobs.get_job(db, ws, job.id)
    assert (row.shards_done, row.rows_done) == (3, 6)
    jobs.record_progress(db, job.id, 4, 8, status=JobStatus.PROCESSING)
    row = jobs.get_job(db, ws, job.id)
    assert (row.shards_done, row.rows_done) == (4, 8)


def test_finishing_returns_the_stored_row_once(tmp_path: Path) -> None:
    db, ws, job = _stored_job(tmp_path)
    jobs.mark_started(db, job.id, 3, status=JobStatus.PROCESSING, expected=UNFINISHED)
    done = jobs.finish(
        db,
        job.id,
        status=JobStatus.COMPLETED,
        expected=UNFINISHED,
        outputs={"E": ("x/E.csv", 7)},
        complete=True,
    )
    assert done == jobs.get_job(db, ws, job.id)
    assert (done.status, done.shards_done, done.rows_done, done.output_bytes) == (
        "completed",
        3,
        10,
        7,
    )
    again = jobs.finish(db, job.id, status=JobStatus.FAILED, expected=UNFINISHED, error="late")
    assert again is None  # compare-and-set: a finished job stays as it ended


def test_ids_never_look_like_command_line_options() -> None:
    ids = {new_id() for _ in range(5000)}
    assert len(ids) == 5000
    assert not [i for i in ids if i.startswith("-")]
    assert all(len(i) == 12 for i in ids)
