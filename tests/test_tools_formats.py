"""The Python client's ``submit(dialect=)`` and ``drafta remote run --format sql --dialect``
against a real ``drafta serve`` running its jobs in its own process."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.client import DraftaClient, DraftaError
from tests.jobhelpers import PEOPLE
from tests.live import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    env = {"DRAFTA_EXECUTOR": "inprocess", "DRAFTA_SHARD_ROWS": "4096"}
    live = LiveServer(tmp_path_factory.mktemp("formats") / "home", env=env).start()
    yield live
    live.stop()


def test_client_submits_a_dialect(server: LiveServer) -> None:
    assert server.key is not None
    with DraftaClient(server.url, server.key) as drafta:
        group = drafta.create_group("formats")
        project = drafta.create_project(group.id, "people", PEOPLE)
        job = drafta.submit(project.id, "Order", 10_000, format="sql", dialect="mysql", seed=2)
        done = drafta.wait(job.id, timeout=60)
        assert (done.status, done.format, done.dialect) == ("completed", "sql", "mysql")
        with pytest.raises(DraftaError) as refused:
            drafta.submit(project.id, "Order", 5, format="ndjson", dialect="mysql")
        assert refused.value.field == "dialect"


def test_remote_run_writes_sql_in_a_dialect(server: LiveServer, tmp_path: Path) -> None:
    env = {**os.environ, "DRAFTA_URL": server.url, "DRAFTA_API_KEY": str(server.key)}
    schema = tmp_path / "people.yaml"
    schema.write_text(PEOPLE)

    def remote(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "service.cli", "remote", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    pushed = remote("push", str(schema), "--group", "cli", "--project", "people")
    assert pushed.returncode == 0, pushed.stderr
    out = tmp_path / "orders.sql"
    ran = remote(
        "run", "--project-id", pushed.stdout.split()[-1], "--entity", "Order", "--count", "5000",
        "--format", "sql", "--dialect", "sqlite", "--out", str(out),
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(out.read_text())
    assert db.execute('SELECT count(*), count(DISTINCT "id") FROM "Order"').fetchone() == (
        5000,
        5000,
    )
