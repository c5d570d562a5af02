"""Crashes: the API killed with SIGKILL mid-job, a worker killed mid-job, storage failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.daskcluster import DaskCluster
from tests.jobhelpers import make_project, wait_for, wait_for_shards
from tests.live import LiveServer


@pytest.fixture
def server_env(dask_cluster: DaskCluster) -> dict[str, str]:
    return {
        "DRAFTA_SCHEDULER_ADDRESS": dask_cluster.address,
        "DRAFTA_SHARD_ROWS": "65536",
    }


@pytest.fixture
def live(tmp_path: Path, server_env: dict[str, str]) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path / "home", env=server_env).start()
    yield server
    server.stop()


def test_api_killed_mid_job_resumes_with_same_output(
    live: LiveServer, server_env: dict[str, str]
) -> None:
    assert live.key
    auth = {"Authorization": f"Bearer {live.key}"}
    with httpx.Client(base_url=live.url, headers=auth, timeout=30) as http:
        project = make_project(http, {})
        body = {"entity_name": "Order", "count": 3_000_000, "format": "csv", "seed": 5}
        job = http.post(f"/data/{project}", json=body).json()["id"]
        wait_for_shards(http, job, 3)
    live.kill()
    restarted = LiveServer(live.home, env=server_env).start()
    try:
        with httpx.Client(base_url=restarted.url, headers=auth, timeout=60) as http:
            status = wait_for(http, auth, job, timeout=180)
            assert status["status"] == "completed", status
            resumed = http.get(f"/data/{job}/download").content
            small = {**body, "count": 3_000_000}
            ref = http.post(f"/data/{project}", json=small).json()["id"]
            assert wait_for(http, auth, ref, timeout=180)["status"] == "completed"
            reference = http.get(f"/data/{ref}/download").content
        assert len(resumed) == len(reference)
        assert resumed == reference
    finally:
        restarted.stop()


def test_worker_killed_mid_job_does_not_fail_it(
    live: LiveServer, dask_cluster: DaskCluster
) -> None:
    auth = {"Authorization": f"Bearer {live.key}"}
    with httpx.Client(base_url=live.url, headers=auth, timeout=30) as http:
        project = make_project(http, {})
        body = {"entity_name": "Order", "count": 2_000_000, "format": "parquet", "seed": 9}
        job = http.post(f"/data/{project}", json=body).json()["id"]
        wait_for_shards(http, job, 2)
        dask_cluster.replace_worker()
        status = wait_for(http, auth, job, timeout=180)
        assert status["status"] == "completed", status
        assert status["progress"]["rows_done"] == 2_000_000
    dask_cluster.wait_for_workers(2)


def test_unwritable_storage_fails_the_job_with_a_reason(
    tmp_path: Path, server_env: dict[str, str]
) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    server = LiveServer(
        tmp_path / "home2", env={**server_env, "DRAFTA_STORAGE_URL": str(blocked / "data")}
    ).start()
    try:
        auth = {"Authorization": f"Bearer {server.key}"}
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
            project = make_project(http, {})
            job = http.post(f"/data/{project}", json={"entity_name": "Customer", "count": 100})
            status = wait_for(http, auth, job.json()["id"], timeout=120)
            assert status["status"] == "failed"
            assert status["error"]
            assert http.get("/health").status_code == 200
    finally:
        server.stop()


DATASET = """\
entities:
  Customer:
    count: 1000
    fields:
      id: {type: sequence}
      name: person.first_name
  Order:
    count: 3000
    fields:
      id: {type: uuid}
      customer_id: {type: reference, entity: Customer}
      amount: {type: float, min: 1, max: 500, decimals: 2}
"""


def test_api_killed_mid_job_of_several_entities_resumes_with_same_files(
    live: LiveServer, server_env: dict[str, str]
) -> None:
    assert live.key
    auth = {"Authorization": f"Bearer {live.key}"}
    with httpx.Client(base_url=live.url, headers=auth, timeout=30) as http:
        project = make_project(http, {}, DATASET)
        body = {"entities": ["Order", "Customer"], "scale": 150, "format": "csv", "seed": 8}
        job = http.post(f"/data/{project}", json=body).json()["id"]
        wait_for_shards(http, job, 3)
    live.kill()
    restarted = LiveServer(live.home, env=server_env).start()
    try:
        with httpx.Client(base_url=restarted.url, headers=auth, timeout=60) as http:
            status = wait_for(http, auth, job, timeout=180)
            assert status["status"] == "completed", status
            assert list(status["data"]) == ["Customer", "Order"]
            again = http.post(f"/data/{project}", json=body).json()["id"]
            reference = wait_for(http, auth, again, timeout=180)
            for entity in ("Customer", "Order"):
                resumed = http.get(f"/data/{job}/download/{entity}").content
                fresh = http.get(f"/data/{again}/download/{entity}").content
                assert resumed.count(b"\n") == {"Customer": 150_001, "Order": 450_001}[entity]
                assert resumed == fresh
            assert reference["status"] == "completed"
    finally:
        restarted.stop()
