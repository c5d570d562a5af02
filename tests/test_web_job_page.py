"""The job page through the app: what a finished job made, as its status lists it."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.jobhelpers import make_project, wait_for
from tests.postgres import Postgres
from tests.test_destination_postgres import SHOP, _load, _url, database, settings
from tests.test_web_isolation import sign_in

__all__ = ["database", "settings"]  # fixtures, shared with the loads into PostgreSQL


def test_a_job_that_loaded_a_database_shows_its_tables_and_no_download(
    client: TestClient[Litestar], auth: dict[str, str], postgres: Postgres, database: str
) -> None:
    project = make_project(client, auth, SHOP)
    status = _load(client, auth, project, _url(postgres, database))
    assert status["status"] == "completed", status["error"]
    sign_in(client, auth["Authorization"].removeprefix("Bearer "))
    page = client.get(f"/app/jobs/{status['id']}").text
    where = f"postgresql://127.0.0.1:{postgres.port}/{database}"
    assert f"<li>customer: <code>{where}#public.customer</code></li>" in page
    assert f"<li>order: <code>{where}#public.order</code></li>" in page
    assert "/download" not in page
    assert "s3cr3t-Pw" not in page
    followed = client.get(f"/app/jobs/{status['id']}/status").json()
    assert followed["downloads"] == {}
    assert followed["tables"] == {
        "customer": f"{where}#public.customer",
        "order": f"{where}#public.order",
    }


def test_a_job_of_files_shows_a_download_per_entity_and_no_table(
    client: TestClient[Litestar], auth: dict[str, str]
) -> None:
    project = make_project(client, auth, SHOP)
    answer = client.post(
        f"/data/{project}", json={"entities": ["order", "customer"], "seed": 5}, headers=auth
    )
    assert answer.status_code == 202, answer.json()
    job_id = answer.json()["id"]
    sign_in(client, auth["Authorization"].removeprefix("Bearer "))
    assert wait_for(client, auth, job_id)["status"] == "completed"
    followed = client.get(f"/app/jobs/{job_id}/status").json()
    assert followed["downloads"] == {
        "customer": f"/app/jobs/{job_id}/download/customer",
        "order": f"/app/jobs/{job_id}/download/order",
    }
    assert followed["tables"] == {}
    page = client.get(f"/app/jobs/{job_id}").text
    assert f'href="/app/jobs/{job_id}/download/order">Download order</a>' in page
    assert 'id="job-tables" class="plain" hidden' in page
