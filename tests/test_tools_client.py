"""The Python client and `drafta remote` against a real `drafta serve` on the session cluster."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pyarrow.parquet as pq
import pytest

from service.client import DraftaClient, DraftaError, JobFailed
from tests.daskcluster import DaskCluster
from tests.jobhelpers import PEOPLE as SMALL
from tests.live import LiveServer, free_port

# Room for millions of unique codes, so large jobs are accepted.
SCHEMA = SMALL.replace('pattern: "C-####"', 'pattern: "C-#########"')


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, dask_cluster: DaskCluster
) -> Iterator[LiveServer]:
    env = {"DRAFTA_SCHEDULER_ADDRESS": dask_cluster.address, "DRAFTA_SHARD_ROWS": "65536"}
    live = LiveServer(tmp_path_factory.mktemp("tools") / "home", env=env).start()
    yield live
    live.stop()


@pytest.fixture
def drafta(server: LiveServer) -> Iterator[DraftaClient]:
    assert server.key is not None
    with DraftaClient(server.url, server.key) as client:
        yield client


def remote(server: LiveServer, *args: str, key: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DRAFTA_URL": server.url, "DRAFTA_API_KEY": key or str(server.key)}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", "remote", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_groups_projects_and_providers(drafta: DraftaClient) -> None:
    assert drafta.health()["status"] == "ok"
    assert "sequence" in drafta.types()["types"]
    group = drafta.create_group("client-g")
    assert [g.name for g in drafta.list_groups()].count("client-g") == 1
    created = drafta.create_project(group.id, "people", SCHEMA)
    assert created.project_group_id == group.id
    by_id = drafta.get_project(created.id)
    by_name = drafta.get_project(group="client-g", name="people")
    assert by_id == by_name and by_id.data == SCHEMA
    assert [p.name for p in drafta.get_group("client-g").projects] == ["people"]
    smaller = SCHEMA.replace("count: 1000", "count: 10")
    assert drafta.update_project(group="client-g", name="people", data=smaller).data == smaller
    assert '"Customer"' in drafta.export_project(created.id, format="json_schema")
    preview = drafta.preview(group="client-g", name="people", entity="Customer", count=3, seed=1)
    assert preview.seed == 1 and [r["id"] for r in preview.rows] == [1, 2, 3]

    ref = drafta.create_provider("Colours", ["red", "green"])
    assert drafta.get_provider(ref.id).data == ["red", "green"]
    assert drafta.update_provider(ref.id, ["blue"], name="Hues").name == "Hues"
    assert [p.name for p in drafta.list_providers()] == ["Hues"]
    drafta.delete_provider(ref.id)
    assert drafta.list_providers() == []

    with pytest.raises(DraftaError) as refused:
        drafta.delete_group("client-g")
    assert refused.value.status == 409
    drafta.delete_project(created.id)
    drafta.delete_group("client-g")
    with pytest.raises(DraftaError) as missing:
        drafta.get_group("client-g")
    assert missing.value.status == 404 and missing.value.type.endswith("not-found")


def test_jobs_wait_download_and_remove(drafta: DraftaClient, tmp_path: Path) -> None:
    group = drafta.create_group("client-jobs")
    project = drafta.create_project(group.id, "people", SCHEMA)
    job = drafta.submit(project.id, "Customer", 200_000, format="parquet", seed=5)
    assert job.status == "pending"
    seen: list[int] = []
    done = drafta.wait(job.id, 60, on_progress=lambda s: seen.append(s.progress.rows_done))
    assert done.status == "completed" and done.seed == 5 and seen[-1] == 200_000
    assert done.progress.shards_total == 4
    size = drafta.download(job.id, str(tmp_path / "people.parquet"))
    assert size == done.size_bytes
    table = pq.read_table(tmp_path / "people.parquet")
    assert table.num_rows == 200_000 and table.column("id")[199_999].as_py() == 200_000

    small = drafta.submit(project.id, "Order", 50, seed=5)
    drafta.wait(small.id, 60)
    assert drafta.download(small.id, "memory://tools/orders.json") > 0
    with fsspec.open("memory://tools/orders.json", "rb") as stored:
        rows = json.loads(stored.read())
    assert len(rows) == 50
    assert rows[:3] == drafta.preview(project.id, entity="Order", count=3, seed=5).rows

    listed = drafta.list_jobs(project_id=project.id, status="completed")
    assert [j.id for j in listed] == [small.id, job.id]
    assert drafta.cancel(small.id) is None
    with pytest.raises(DraftaError) as gone:
        drafta.status(small.id)
    assert gone.value.status == 404


def test_wait_times_out_and_cancel_fails_the_job(drafta: DraftaClient) -> None:
    group = drafta.create_group("client-cancel")
    project = drafta.create_project(group.id, "people", SCHEMA)
    job = drafta.submit(project.id, "Customer", 20_000_000, format="csv")
    with pytest.raises(TimeoutError):
        drafta.wait(job.id, 0.2)
    after = drafta.cancel(job.id)
    assert after is not None and after.status == "failed" and after.error == "cancelled"
    with pytest.raises(JobFailed) as failed:
        drafta.wait(job.id, 10)
    assert failed.value.job.error == "cancelled"
    assert drafta.wait(job.id, 10, raise_on_failure=False).status == "failed"


def test_problem_fields_are_carried(drafta: DraftaClient, server: LiveServer) -> None:
    group = drafta.create_group("client-errors")
    project = drafta.create_project(group.id, "people", SCHEMA)
    with pytest.raises(DraftaError) as unknown:
        drafta.submit(project.id, "Nope", 10)
    error = unknown.value
    assert (error.status, error.title, error.field) == (422, "Unprocessable Entity", "entity_name")
    assert error.type.endswith("/invalid") and "Customer, Order" in error.detail
    with pytest.raises(DraftaError) as invalid:
        drafta.update_project(project.id, data="entities: {A: {fields: {x: {type: nope}}}}")
    assert invalid.value.field == "data" and invalid.value.errors[0]["line"] == 1
    with DraftaClient(server.url, "dft_wrong.key") as stranger, pytest.raises(DraftaError) as no:
        stranger.list_groups()
    assert no.value.status == 401


def test_remote_cli(server: LiveServer, tmp_path: Path) -> None:
    schema = tmp_path / "people.yaml"
    schema.write_text(SCHEMA)
    pushed = remote(server, "push", str(schema), "--group", "cli", "--project", "people")
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.startswith("created cli/people ")
    project_id = pushed.stdout.split()[-1]
    schema.write_text(SCHEMA.replace("count: 3000", "count: 30"))
    again = remote(server, "push", str(schema), "--group", "cli", "--project", "people")
    assert again.stdout == f"updated cli/people {project_id}\n"

    got = remote(
        server, "projects", "get", "--group", "cli", "--project", "people", "--schema-only"
    )
    assert got.stdout == SCHEMA.replace("count: 3000", "count: 30")
    shown = json.loads(remote(server, "projects", "get", project_id).stdout)
    assert shown["id"] == project_id and shown["name"] == "people"
    assert f"{project_id}  cli/people" in remote(server, "projects", "list").stdout
    assert remote(server, "projects", "list", "--group", "cli").stdout == (
        f"{project_id}  cli/people\n"
    )
    made = remote(server, "groups", "create", "cli-two")
    assert made.returncode == 0 and json.loads(made.stdout)["name"] == "cli-two"
    assert "  cli-two\n" in remote(server, "groups", "list").stdout
    created = remote(server, "projects", "create", "blank", "--group", "cli-two")
    assert json.loads(created.stdout)["name"] == "blank"

    out = tmp_path / "orders.csv"
    ran = remote(
        server, "run", "--project-id", project_id, "--entity", "Order", "--count", "1000",
        "--format", "csv", "--seed", "3", "--out", str(out),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    job_id = lines[0].split()[1]
    assert lines[0] == f"job {job_id} pending"
    assert lines[1] == f"job {job_id} completed seed 3"
    assert lines[2] == f"downloaded {out.stat().st_size} bytes to {out}"
    assert out.read_text().splitlines()[0] == "id,customer_id,amount"
    assert len(out.read_text().splitlines()) == 1001

    status = remote(server, "status", job_id)
    assert status.returncode == 0 and json.loads(status.stdout)["status"] == "completed"
    copy = tmp_path / "copy.csv"
    fetched = remote(server, "download", job_id, "--out", str(copy))
    assert fetched.returncode == 0 and copy.read_bytes() == out.read_bytes()
    started = remote(server, "run", "--project-id", project_id, "--entity", "Order", "--count", "5")
    assert started.returncode == 0 and started.stdout.split()[2] == "pending"


def test_remote_cli_failures(server: LiveServer, tmp_path: Path) -> None:
    wrong = remote(server, "run", "--project-id", "nope", "--entity", "A", "--count", "1")
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("drafta: 404 Not Found")
    bad = tmp_path / "bad.yaml"
    bad.write_text("entities:\n  A:\n    fields:\n      x: {type: nope}\n")
    pushed = remote(server, "push", str(bad), "--group", "cli-bad", "--project", "p")
    assert pushed.returncode == 1
    assert "422 Unprocessable Entity" in pushed.stderr and "(line 4)" in pushed.stderr
    denied = remote(server, "groups", "list", key="dft_wrong.key")
    assert denied.returncode == 1 and "401" in denied.stderr
    env = {k: v for k, v in os.environ.items() if k != "DRAFTA_API_KEY"}
    nokey = subprocess.run(
        [sys.executable, "-m", "service.cli", "remote", "groups", "list"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert nokey.returncode == 2 and "DRAFTA_API_KEY" in nokey.stderr
    usage = remote(server, "run", "--entity", "A")
    assert usage.returncode == 2 and "--project-id" in usage.stderr
    closed = free_port()
    away = remote(server, "--url", f"http://127.0.0.1:{closed}", "groups", "list")
    assert away.returncode == 1
    assert away.stderr.startswith(f"drafta: cannot reach http://127.0.0.1:{closed}: ")
    assert "Traceback" not in away.stderr
