"""Faults: storage that cannot be written, the scheduler gone mid-job, a live database copy."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.daskcluster import DaskCluster
from tests.jobhelpers import make_project, wait_for, wait_for_shards
from tests.live import LiveServer


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[DaskCluster]:
    """A scheduler and worker of this test's own, so killing them harms no other test."""
    cluster = DaskCluster(tmp_path).start(1)
    yield cluster
    cluster.stop()


def test_storage_turning_into_a_file_mid_job_fails_it_with_the_reason(
    tmp_path: Path, dask_cluster: DaskCluster
) -> None:
    # Root ignores chmod and no small tmpfs is at hand, so the storage is made unusable for
    # real: its folder is swapped for a plain file while shards are being written.
    storage = tmp_path / "store"
    env = {
        "DRAFTA_SCHEDULER_ADDRESS": dask_cluster.address,
        "DRAFTA_SHARD_ROWS": "20000",
        "DRAFTA_STORAGE_URL": str(storage),
    }
    with _job_under_way(tmp_path, env, 2_000_000) as (_, http, _, job):
        moved = tmp_path / "moved"
        storage.rename(moved)
        storage.write_text("not a folder any more")
        status = wait_for(http, {}, job, timeout=120)
        assert status["status"] == "failed"
        assert "Error" in status["error"], status["error"]
        assert http.get("/health").status_code == 200
        assert http.get(f"/data/{job}/status").status_code == 200
        assert http.get("/project-group").status_code == 200


SMALL_ROWS = 200_000
SMALL = {"entity_name": "Order", "count": SMALL_ROWS, "format": "csv"}
# Seconds the service waits for a scheduler: short, so a lost one is given up on quickly.
SCHEDULER_TIMEOUT = 3


@contextlib.contextmanager
def _job_under_way(
    tmp_path: Path, env: dict[str, str], count: int, start_timeout: float = 60
) -> Iterator[tuple[LiveServer, httpx.Client, str, str]]:
    """A live service with a csv job of ``count`` Orders that has written its first shard:
    yields the server, an HTTP client holding its key, the project and the job."""
    server = LiveServer(tmp_path / "home", env=env).start(timeout=start_timeout)
    try:
        auth = {"Authorization": f"Bearer {server.key}"}
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
            project = make_project(http, {})
            body = {"entity_name": "Order", "count": count, "format": "csv"}
            job = http.post(f"/data/{project}", json=body).json()["id"]
            wait_for_shards(http, job, 1)
            yield server, http, project, job
    finally:
        server.stop()


@contextlib.contextmanager
def _scheduler_killed_mid_job(
    tmp_path: Path, cluster: DaskCluster, grace: int, count: int
) -> Iterator[tuple[httpx.Client, str, str]]:
    """A live service whose scheduler is killed once its job of ``count`` rows has a shard:
    yields the service's HTTP client, the project and that job."""
    env = {
        "DRAFTA_SCHEDULER_ADDRESS": cluster.address,
        "DRAFTA_SHARD_ROWS": "50000",
        "DRAFTA_SCHEDULER_GRACE": str(grace),
        "DRAFTA_SCHEDULER_TIMEOUT": str(SCHEDULER_TIMEOUT),
    }
    with _job_under_way(tmp_path, env, count) as (_, http, project, job):
        assert cluster.scheduler is not None
        cluster.scheduler.kill()
        cluster.scheduler.wait(10)
        yield http, project, job


def test_jobs_wait_for_a_lost_scheduler_and_resume_when_it_returns(
    tmp_path: Path, own_cluster: DaskCluster
) -> None:
    with _scheduler_killed_mid_job(tmp_path, own_cluster, 120, 2_000_000) as (http, project, cut):
        during = http.post(f"/data/{project}", json=SMALL).json()["id"]
        # Away for longer than the client's own reconnect window, so the service has to
        # connect anew; meanwhile it serves, and the jobs wait.
        time.sleep(SCHEDULER_TIMEOUT + 3)
        assert http.get("/project-group").status_code == 200
        for job_id in (cut, during):
            status = _until_notice(http, job_id)
            assert status["status"] == "processing", status
            assert status["notice"].startswith(
                f"waiting for the Dask cluster at {own_cluster.address}, which cannot be reached"
            ), status
        listed = {j["id"]: j for j in http.get("/data", params={"status": "processing"}).json()}
        assert "DRAFTA_SCHEDULER_GRACE" in listed[during]["notice"]
        # The scheduler comes back at its address with a new worker (a Dask worker ends
        # with its scheduler; compose and Kubernetes start it again).
        own_cluster.start_scheduler()
        own_cluster.add_worker()
        for job_id, count in ((cut, 2_000_000), (during, SMALL_ROWS)):
            status = wait_for(http, {}, job_id, timeout=120)
            assert status["status"] == "completed", status
            assert status["notice"] is None
            text = http.get(f"/data/{job_id}/download").content
            assert text.count(b"\n") == count + 1  # the header, then every row


def _until_notice(http: httpx.Client, job_id: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status: dict = http.get(f"/data/{job_id}/status").json()
        if status["notice"] or time.monotonic() > deadline:
            return status
        time.sleep(0.1)


def test_a_scheduler_away_longer_than_the_grace_fails_jobs_clearly(
    tmp_path: Path, own_cluster: DaskCluster
) -> None:
    with _scheduler_killed_mid_job(tmp_path, own_cluster, 1, 5_000_000) as (http, project, cut):
        during = [http.post(f"/data/{project}", json=SMALL).json()["id"] for _ in range(3)]
        for job_id in (cut, *during):
            status = wait_for(http, {}, job_id, timeout=120)
            assert status["status"] == "failed", status
            assert "cannot reach the Dask scheduler" in status["error"], status["error"]
        assert http.get("/health").status_code == 200
        assert {j["id"] for j in http.get("/data").json()} == {cut, *during}
        assert not list((tmp_path / "home").rglob(f"{cut}/*"))


def test_an_embedded_cluster_that_dies_is_started_again_and_its_jobs_finish(
    tmp_path: Path,
) -> None:
    env = {"DRAFTA_SHARD_ROWS": "50000", "DRAFTA_WORKERS": "1", "DRAFTA_DASHBOARD_ADDRESS": ":0"}
    with _job_under_way(tmp_path, env, 1_000_000, start_timeout=90) as (
        server,
        http,
        project,
        cut,
    ):
        assert server.proc is not None
        (child,) = _children(server.proc.pid)
        os.kill(child, signal.SIGKILL)  # the embedded cluster's process, as the OOM killer would
        after = http.post(f"/data/{project}", json=SMALL).json()["id"]
        for job_id, count in ((cut, 1_000_000), (after, SMALL_ROWS)):
            status = wait_for(http, {}, job_id, timeout=120)
            assert status["status"] == "completed", status
            text = http.get(f"/data/{job_id}/download").content
            assert text.count(b"\n") == count + 1
        (restarted,) = _children(server.proc.pid)
        assert restarted != child
    assert "the embedded Dask cluster has stopped; starting it again" in server.output


def _children(pid: int) -> list[int]:
    return [child.pid for child in psutil.Process(pid).children()]


def test_backup_while_the_service_runs(tmp_path: Path, dask_cluster: DaskCluster) -> None:
    home = tmp_path / "home"
    server = LiveServer(home, env={"DRAFTA_SCHEDULER_ADDRESS": dask_cluster.address}).start()
    try:
        auth = {"Authorization": f"Bearer {server.key}"}
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
            project = make_project(http, {}, name="kept")
            job = http.post(f"/data/{project}", json={"entity_name": "Customer", "count": 10})
            copy = tmp_path / "copy.db"
            env = {**os.environ, "DRAFTA_HOME": str(home)}
            done = subprocess.run(
                [sys.executable, "-m", "service.cli", "backup", str(copy)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert done.returncode == 0, done.stdout + done.stderr
            again = subprocess.run(
                [sys.executable, "-m", "service.cli", "backup", str(copy)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert again.returncode == 1
            assert "exists" in again.stdout
            assert http.get("/health").status_code == 200
        with sqlite3.connect(copy) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            names = [r[0] for r in db.execute("SELECT name FROM projects")]
            jobs = [r[0] for r in db.execute("SELECT id FROM jobs")]
        assert names == ["kept"]
        assert jobs == [job.json()["id"]]
    finally:
        server.stop()
