"""Jobs end to end on a real Dask cluster (scheduler and workers in their own processes)."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from typing import Any

import pyarrow.parquet as pq
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.settings import Settings
from storage import files
from tests.jobhelpers import make_project, served_while_blocked, wait_for

Client = TestClient[Litestar]
CUSTOMER_COLUMNS = [
    "id",
    "first_name",
    "email",
    "age",
    "balance",
    "active",
    "joined",
    "birthday",
    "code",
]


@pytest.fixture
def settings(dask_settings: Settings) -> Settings:
    """These tests run jobs on the Dask cluster, as the service does by default."""
    return dask_settings


def _run(client: Client, auth: dict[str, str], project: str, **body: object) -> dict:
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 202, r.json()
    assert r.json()["status"] == "pending"
    return wait_for(client, auth, r.json()["id"])


def _download(client: Client, auth: dict[str, str], status: dict) -> bytes:
    url = status["data"][status["entity_name"]]
    assert url.startswith("http")
    path = url.split("://", 1)[1].partition("/")[2]
    r = client.get(f"/{path}", headers=auth)
    assert r.status_code == 200
    return r.content


def test_every_format_completes_and_reads_back(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    for fmt in ("json", "csv", "parquet"):
        status = _run(
            client, auth, project, entity_name="Customer", count=5000, format=fmt, seed=11
        )
        assert status["status"] == "completed", status
        assert status["seed"] == 11
        assert status["progress"] == {
            "rows_done": 5000,
            "rows_total": 5000,
            "shards_done": 3,
            "shards_total": 3,
        }
        assert status["finished_at"] and status["started_at"] and status["error"] is None
        body = _download(client, auth, status)
        if fmt == "json":
            rows = json.loads(body)
            assert len(rows) == 5000
            assert list(rows[0]) == CUSTOMER_COLUMNS
            assert [r["id"] for r in rows[:3]] == [1, 2, 3]
        elif fmt == "csv":
            table = list(csv.reader(io.StringIO(body.decode())))
            assert table[0] == CUSTOMER_COLUMNS
            assert len(table) == 5001
        else:
            parsed = pq.read_table(io.BytesIO(body))
            assert parsed.num_rows == 5000
            assert parsed.column_names == CUSTOMER_COLUMNS
            assert str(parsed.schema.field("joined").type) == "timestamp[us, tz=UTC]"
            assert len(set(parsed.column("code").to_pylist())) == 5000


def test_references_point_at_parent_rows(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    orders = json.loads(
        _download(
            client, auth, _run(client, auth, project, entity_name="Order", count=4000, seed=3)
        )
    )
    parents = json.loads(
        _download(
            client, auth, _run(client, auth, project, entity_name="Customer", count=1000, seed=3)
        )
    )
    ids = {p["id"] for p in parents}
    assert {o["customer_id"] for o in orders} <= ids


def test_seed_is_reported_and_repeatable(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    first = _run(client, auth, project, entity_name="Customer", count=300, format="csv")
    assert isinstance(first["seed"], int)
    again = _run(
        client, auth, project, entity_name="Customer", count=300, format="csv", seed=first["seed"]
    )
    assert _download(client, auth, first) == _download(client, auth, again)


def test_progress_moves_on_a_multi_shard_job(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    r = client.post(
        f"/data/{project}",
        json={"entity_name": "Order", "count": 400_000, "format": "csv"},
        headers=auth,
    )
    job = r.json()["id"]
    seen: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = client.get(f"/data/{job}/status", headers=auth).json()
        seen.add(status["progress"]["rows_done"])
        if status["status"] in ("completed", "failed"):
            break
        time.sleep(0.02)
    assert status["status"] == "completed", status
    assert status["progress"]["shards_total"] == 196
    assert any(0 < rows < 400_000 for rows in seen), sorted(seen)


def test_range_requests_and_etag(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    status = _run(client, auth, project, entity_name="Customer", count=200, format="csv", seed=1)
    whole = _download(client, auth, status)
    path = f"/data/{status['id']}/download"
    part = client.get(path, headers={**auth, "Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part.content == whole[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(whole)}"
    tail = client.get(path, headers={**auth, "Range": "bytes=-5"})
    assert tail.content == whole[-5:]
    beyond = client.get(path, headers={**auth, "Range": f"bytes={len(whole)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(whole)}"
    full = client.get(path, headers=auth)
    assert full.headers["content-type"].startswith("text/csv")
    assert 'filename="Customer.csv"' in full.headers["content-disposition"]
    etag = full.headers["etag"]
    assert client.get(path, headers={**auth, "If-None-Match": etag}).status_code == 304


def test_other_workspace_gets_404(
    client: Client, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    project = make_project(client, auth)
    status = _run(client, auth, project, entity_name="Customer", count=10)
    for path in (f"/data/{status['id']}/status", f"/data/{status['id']}/download"):
        assert client.get(path, headers=other_auth).status_code == 404
    assert client.delete(f"/data/{status['id']}", headers=other_auth).status_code == 404
    assert client.get("/data", headers=other_auth).json() == []
    assert [j["id"] for j in client.get("/data", headers=auth).json()] == [status["id"]]


def test_cancel_and_remove(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    r = client.post(
        f"/data/{project}", json={"entity_name": "Order", "count": 20_000_000}, headers=auth
    )
    job = r.json()["id"]
    cancelled = client.delete(f"/data/{job}", headers=auth)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "failed"
    assert cancelled.json()["error"] == "cancelled"
    assert client.get(f"/data/{job}/download", headers=auth).status_code == 404
    root = client.app.state.settings.storage
    done = _run(client, auth, project, entity_name="Customer", count=10)
    assert client.delete(f"/data/{done['id']}", headers=auth).status_code == 204
    assert client.get(f"/data/{done['id']}/status", headers=auth).status_code == 404
    import os

    leftovers = [f"{d}/{f}" for d, _, fs in os.walk(root) for f in fs]
    assert leftovers == []


def test_removing_files_on_slow_storage_holds_up_no_other_request(
    client: Client, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(client, auth)
    done = _run(client, auth, project, entity_name="Customer", count=10)
    real_remove = files.remove_tree
    removing = threading.Event()

    def slow_remove(*args: Any, **kwargs: Any) -> None:
        removing.set()
        time.sleep(1.5)  # an object store deleting file after file
        real_remove(*args, **kwargs)

    monkeypatch.setattr(files, "remove_tree", slow_remove)
    removed = served_while_blocked(
        client, auth, removing, lambda: client.delete(f"/data/{done['id']}", headers=auth)
    )
    assert removed.status_code == 204


def test_listing_filters_and_pages(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    ids = [_run(client, auth, project, entity_name="Customer", count=5)["id"] for _ in range(3)]
    listed = client.get(f"/data?project_id={project}&status=completed", headers=auth).json()
    assert [j["id"] for j in listed] == ids[::-1]
    assert [j["id"] for j in client.get("/data?limit=1&offset=1", headers=auth).json()] == [ids[1]]
    assert client.get("/data?status=failed", headers=auth).json() == []
    assert client.get("/data?status=weird", headers=auth).status_code in (400, 422)
