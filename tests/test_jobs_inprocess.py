"""Jobs on the in-process executor (DRAFTA_EXECUTOR=inprocess): the same lifecycle, no cluster."""

from __future__ import annotations

import os
import time
from pathlib import Path

import msgspec
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings
from storage.keys import create_key
from tests.conftest import bearer
from tests.daskcluster import DaskCluster
from tests.jobhelpers import make_project, run_job

Client = TestClient[Litestar]


def test_a_multi_shard_job_completes_with_its_progress(
    client: Client, auth: dict[str, str]
) -> None:
    project = make_project(client, auth)
    status = run_job(
        client, auth, project, entity_name="Customer", count=5000, format="csv", seed=3
    )
    assert status["status"] == "completed", status
    assert status["progress"] == {
        "rows_done": 5000,
        "rows_total": 5000,
        "shards_done": 3,
        "shards_total": 3,
    }
    assert status["dashboard_link"] is None  # no cluster, no dashboard
    body = client.get(f"/data/{status['id']}/download", headers=auth).content
    assert body.count(b"\n") == 5001


def test_cancel_stops_the_job_and_leaves_no_file(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    r = client.post(
        f"/data/{project}", json={"entity_name": "Order", "count": 5_000_000}, headers=auth
    )
    cancelled = client.delete(f"/data/{r.json()['id']}", headers=auth)
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["error"]) == ("failed", "cancelled")
    root = client.app.state.settings.storage
    assert [f"{d}/{f}" for d, _, fs in os.walk(root) for f in fs] == []
    again = client.get(f"/data/{r.json()['id']}/status", headers=auth).json()
    assert again["status"] == "failed"


def test_small_jobs_run_in_the_service_while_no_other_job_runs(
    tmp_path: Path, settings: Settings
) -> None:
    # A scheduler without workers: what reaches the cluster waits there.
    (tmp_path / "dask").mkdir()
    cluster = DaskCluster(tmp_path / "dask")
    try:
        cluster.start_scheduler()
        tiered = msgspec.structs.replace(
            settings, executor="dask", scheduler_address=cluster.address, inprocess_rows=1000
        )
        with TestClient(create_app(tiered)) as http:
            auth = bearer(create_key(http.app.state.db, "tiered").key)
            project = make_project(http, auth)
            alone = run_job(http, auth, project, entity_name="Customer", count=1000)
            assert alone["status"] == "completed", alone
            assert alone["progress"]["rows_done"] == 1000
            body = {"entity_name": "Customer", "count": 1001}
            larger = http.post(f"/data/{project}", json=body, headers=auth).json()["id"]
            body = {"entity_name": "Customer", "count": 10}
            beside = http.post(f"/data/{project}", json=body, headers=auth).json()["id"]
            time.sleep(1.0)
            for job in (larger, beside):  # both on the cluster, waiting for a worker
                status = http.get(f"/data/{job}/status", headers=auth).json()
                assert status["status"] == "processing", status
                assert http.delete(f"/data/{job}", headers=auth).status_code == 200
            again = run_job(http, auth, project, entity_name="Customer", count=10)
            assert again["status"] == "completed", again
    finally:
        cluster.stop()
