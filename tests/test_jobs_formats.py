"""Jobs in the ndjson and sql formats through the API, the command line's --dialect, and the
dialect refused with any other format."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.cli import main
from service.database import open_database
from service.settings import load_settings
from storage import jobs, migrations
from storage.db import Database
from tests.jobhelpers import PEOPLE, make_project, wait_for

Client = TestClient[Litestar]


def test_an_ndjson_job_completes_and_downloads(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    body = {"entity_name": "Customer", "count": 5000, "format": "ndjson", "seed": 3}
    status = wait_for(
        client, auth, client.post(f"/data/{project}", json=body, headers=auth).json()["id"]
    )
    assert (status["status"], status["format"], status["dialect"]) == ("completed", "ndjson", None)
    assert status["progress"]["shards_total"] == 3
    download = client.get(f"/data/{status['id']}/download", headers=auth)
    assert download.headers["content-type"] == "application/x-ndjson"
    assert 'filename="Customer.ndjson"' in download.headers["content-disposition"]
    rows = [json.loads(line) for line in download.text.splitlines()]
    assert [r["id"] for r in rows] == list(range(1, 5001))


@pytest.mark.parametrize(("dialect", "stored"), [(None, "postgres"), ("sqlite", "sqlite")])
def test_an_sql_job_completes_and_downloads(
    client: Client, auth: dict[str, str], dialect: str | None, stored: str
) -> None:
    project = make_project(client, auth)
    body = {"entity_name": "Customer", "count": 5000, "format": "sql", "seed": 3}
    if dialect:
        body["dialect"] = dialect
    status = wait_for(
        client, auth, client.post(f"/data/{project}", json=body, headers=auth).json()["id"]
    )
    assert (status["status"], status["format"], status["dialect"]) == ("completed", "sql", stored)
    download = client.get(f"/data/{status['id']}/download", headers=auth)
    assert download.headers["content-type"] == "application/sql; charset=utf-8"
    assert 'filename="Customer.sql"' in download.headers["content-disposition"]
    assert download.text.startswith('CREATE TABLE "Customer" (\n  "id" BIGINT NOT NULL PRIMARY KEY')
    assert download.text.count("INSERT INTO ") == 5
    if stored == "sqlite":
        db = sqlite3.connect(":memory:")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(download.text)
        assert db.execute('SELECT count(*), max("id") FROM "Customer"').fetchone() == (5000, 5000)


def test_a_dialect_is_refused_with_another_format_or_unknown(
    client: Client, auth: dict[str, str]
) -> None:
    project = make_project(client, auth)
    for extra in (
        {"format": "csv", "dialect": "mysql"},
        {"dialect": "sqlite"},
        {"format": "sql", "dialect": "oracle"},
    ):
        body = {"entity_name": "Customer", "count": 5, **extra}
        r = client.post(f"/data/{project}", json=body, headers=auth)
        assert r.status_code == 422, (extra, r.json())
        assert "dialect" in (r.json().get("field") or "") + r.json()["detail"], (extra, r.json())
    assert client.get("/data", headers=auth).json() == []


def test_generate_writes_sql_in_a_dialect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s.yaml").write_text(PEOPLE)
    out = tmp_path / "o.sql"
    args = ["generate", str(tmp_path / "s.yaml"), "--entity", "Customer", "--count", "10"]
    assert main([*args, "--format", "sql", "--dialect", "mysql", "--out", str(out), "--quiet"]) == 0
    assert out.read_text().startswith("CREATE TABLE `Customer` (\n")
    assert main([*args, "--format", "csv", "--dialect", "mysql", "--out", str(out)]) == 2
    assert "--dialect applies to --format sql only" in capsys.readouterr().err


def test_a_job_stored_before_dialects_reads_back_without_one(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Database(path)
    migrations.apply(old.db, stop_before="m005_jobs_dialect")
    with old.write() as tx:
        tx.execute("INSERT INTO workspaces VALUES ('w', 'w', 's', '')")
        tx.execute(
            "INSERT INTO jobs (id, workspace_id, project_id, entity_name, format, count, seed, "
            "schema_text, providers, base_url, status, shard_rows, created_at) "
            "VALUES ('j', 'w', 'p', 'E', 'csv', 10, 1, '', '{}', '', 'completed', 4, '')"
        )
    old.close()
    db = open_database(load_settings({}, db=str(path)))
    row = jobs.get_job(db, None, "j")
    assert (row.format, row.dialect) == ("csv", None)
