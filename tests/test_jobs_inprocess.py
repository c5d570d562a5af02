"""Jobs on the in-process executor (DRAFTA_EXECUTOR=inprocess): the same lifecycle, no cluster."""

from __future__ import annotations

import os

from litestar import Litestar
from litestar.testing import TestClient

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
