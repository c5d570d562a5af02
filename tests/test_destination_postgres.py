"""Jobs that load their rows straight into a real PostgreSQL: tables with every key, parents
first, foreign keys checked at the end, if_exists, the allow-list, no password anywhere, and a
retried shard that loads its rows once."""

from __future__ import annotations

import logging
import socket
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipeline.destinations import Destination, scrub, table_url
from pipeline.destinations import postgres as loader
from pipeline.plan import JobSpec, plan_shards
from service.settings import Settings
from tests.jobhelpers import make_project, wait_for
from tests.postgres import Postgres
from tests.receiver import Receiver

Client = TestClient[Litestar]
PASSWORD = "s3cr3t-Pw"

SHOP = """\
version: 1
entities:
  order:
    count: 700
    fields:
      id: {type: sequence}
      customer_id: {type: reference, entity: customer}
      amount: {type: float, min: 1, max: 500, decimals: 2}
      placed: {type: datetime, start: 2024-01-01T00:00:00Z, end: 2024-12-31T00:00:00Z}
      extra: {type: object, fields: {gift: {type: boolean}}}
  customer:
    count: 300
    fields:
      id: {type: sequence}
      uid: uuid
      name: person.first_name
      tier: {type: choice, values: [gold, silver, bronze]}
      born: {type: date, start: 1950-01-01, end: 2005-12-31, null_rate: 0.2}
      lucky: {type: mimesis, method: numeric.integer_number}  # int values
  visit:
    count: 200
    fields:
      id: uuid
      customer_id: {type: reference, entity: customer}
"""


@pytest.fixture
def database(postgres: Postgres, request: pytest.FixtureRequest) -> str:
    name = f"d_{request.node.name[-40:]}".lower()
    postgres.create_database(name)
    return name


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Small shards: every entity loads in several, as large jobs do.
    return msgspec.structs.replace(settings, destination_allow=("127.0.0.1",), shard_rows=256)


def _url(postgres: Postgres, database: str, port: int | None = None) -> str:
    return f"postgresql://postgres:{PASSWORD}@127.0.0.1:{port or postgres.port}/{database}"


def _sql(postgres: Postgres, database: str, query: str) -> str:
    done = postgres.psql(database, "-At", "-c", query)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def _load(client: Client, auth: dict[str, str], project: str, url: str, **extra: object) -> dict:
    destination = {"kind": "postgres", "url": url, **extra}
    body = {"entities": ["order", "customer"], "seed": 5, "destination": destination}
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 202, r.json()
    return wait_for(client, auth, r.json()["id"])


def load_shop(client: Client, auth: dict[str, str], postgres: Postgres, database: str) -> dict:
    """Load customers and their orders; check the counts, the keys and every reference."""
    project = make_project(client, auth, SHOP)
    status = _load(client, auth, project, _url(postgres, database))
    assert status["status"] == "completed", status["error"]
    assert status["progress"]["shards_done"] == 2 + 3
    assert _sql(postgres, database, "SELECT count(*) FROM customer") == "300"
    assert _sql(postgres, database, 'SELECT count(*) FROM "order"') == "700"
    orphans = (
        'SELECT count(*) FROM "order" o LEFT JOIN customer c ON c.id = o.customer_id '
        "WHERE c.id IS NULL"
    )
    assert _sql(postgres, database, orphans) == "0"
    keys = (
        "SELECT contype, count(*) FROM pg_constraint WHERE contype IN ('p', 'f') "
        "AND connamespace = 'public'::regnamespace GROUP BY 1"
    )
    assert _sql(postgres, database, keys + " ORDER BY 1") == "f|1\np|2"
    assert _sql(postgres, database, "SELECT to_regclass('_drafta_loaded') IS NULL") == "t"
    return status


def test_dataset_loads_with_every_key_and_every_reference_resolves(
    client: Client, auth: dict[str, str], postgres: Postgres, database: str
) -> None:
    status = load_shop(client, auth, postgres, database)
    where = f"postgresql://127.0.0.1:{postgres.port}/{database}"
    assert status["data"] == {
        "customer": f"{where}#public.customer",
        "order": f"{where}#public.order",
    }
    # Values arrive as the typed columns hold them.
    row = _sql(
        postgres,
        database,
        "SELECT length(uid::text), tier IN ('gold', 'silver', 'bronze') FROM customer WHERE id = 1",
    )
    assert row == "36|t"
    # Typed from the values the engine makes: the DDL knows no type for a mimesis method.
    assert _sql(postgres, database, "SELECT pg_typeof(lucky) FROM customer LIMIT 1") == "bigint"
    assert _sql(postgres, database, "SELECT extra::jsonb ? 'gift' FROM \"order\" LIMIT 1") == "t"
    r = client.get(f"/data/{status['id']}/download/order", headers=auth)
    assert r.status_code == 404
    assert "loaded its rows into a database" in r.json()["detail"]


def _loaded_once(
    client: Client, auth: dict[str, str], postgres: Postgres, database: str
) -> tuple[str, str]:
    """A project of SHOP loaded once into ``database``: the project and the URL."""
    project = make_project(client, auth, SHOP)
    url = _url(postgres, database)
    assert _load(client, auth, project, url)["status"] == "completed"
    return project, url


def test_if_exists_fail_append_and_replace(
    client: Client, auth: dict[str, str], postgres: Postgres, database: str
) -> None:
    project, url = _loaded_once(client, auth, postgres, database)

    refused = _load(client, auth, project, url)
    assert refused["status"] == "failed"
    assert refused["error"] == (
        'table public.customer already exists (if_exists is "fail": use "append" or "replace")'
    )

    # Sequence keys start at 1 again: appending them collides, and says so.
    collided = _load(client, auth, project, url, if_exists="append")
    assert collided["status"] == "failed"
    assert collided["error"].startswith("loading table public.")
    assert "failed after 0 rows" in collided["error"]
    assert "duplicate key" in collided["error"]
    assert _sql(postgres, database, "SELECT count(*) FROM customer") == "300"

    # uuid keys do not collide: a second load with another seed doubles the rows.
    body = {
        "entities": ["visit"],
        "destination": {"kind": "postgres", "url": url, "if_exists": "append"},
    }
    for seed in (6, 7):
        r = client.post(f"/data/{project}", json=body | {"seed": seed}, headers=auth)
        assert wait_for(client, auth, r.json()["id"])["status"] == "completed"
    assert _sql(postgres, database, "SELECT count(*) FROM visit") == "400"

    replaced = _load(client, auth, project, url, if_exists="replace")
    assert replaced["status"] == "completed", replaced["error"]
    assert _sql(postgres, database, "SELECT count(*) FROM customer") == "300"
    assert _sql(postgres, database, 'SELECT count(*) FROM "order"') == "700"


def test_a_host_off_the_allow_list_is_refused(
    client: Client, auth: dict[str, str], postgres: Postgres
) -> None:
    project = make_project(client, auth, SHOP)
    body = {
        "entity_name": "customer",
        "count": 5,
        "destination": {"kind": "postgres", "url": f"postgresql://u:{PASSWORD}@10.9.8.7/db"},
    }
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 422
    problem = r.json()
    assert problem["field"] == "destination.url"
    assert "10.9.8.7" in problem["detail"] and "DRAFTA_DESTINATION_ALLOW" in problem["detail"]
    assert PASSWORD not in r.text


def test_the_password_is_nowhere_when_a_load_fails(
    client: Client,
    auth: dict[str, str],
    postgres: Postgres,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook = Receiver(secret=client.get("/settings/webhook", headers=auth).json()["secret"]).start()
    try:
        closed = _free_port()
        project = make_project(client, auth, SHOP)
        body = {
            "entity_name": "customer",
            "count": 10,
            "webhook_url": hook.url,
            "destination": {"kind": "postgres", "url": _url(postgres, "shop", closed)},
        }
        with caplog.at_level(logging.DEBUG):
            r = client.post(f"/data/{project}", json=body, headers=auth)
            assert r.status_code == 202
            status = wait_for(client, auth, r.json()["id"])
            _wait(lambda: bool(hook.received))
        assert status["status"] == "failed"
        assert status["error"].startswith("loading table public.customer failed after 0 rows: ")
        assert "Connection refused" in status["error"] or "connect" in status["error"]
        listed = client.get("/data", headers=auth).text
        for text in (str(status), listed, hook.received[0].body.decode(), caplog.text):
            assert PASSWORD not in text
    finally:
        hook.stop()


def test_a_shard_retried_after_its_copy_committed_loads_its_rows_once(
    postgres: Postgres, database: str
) -> None:
    url = _url(postgres, database)
    job = JobSpec(
        job_id="j" * 26,
        schema_text=SHOP,
        entity="customer",
        count=300,
        seed=3,
        format="csv",
        root_url="memory://unused",
        shard_rows=200,
        destination=Destination(url=url, hostaddr="127.0.0.1"),
    )
    loader.prepare([job])
    first, second = plan_shards(job)
    assert loader.load_shard(first).rows == 200
    assert loader.load_shard(first).rows == 200  # its COPY had committed: skipped
    assert _sql(postgres, database, "SELECT count(*) FROM customer") == "200"
    loader.load_shard(second)
    loader.prepare([job])  # a retried setup neither refuses nor drops the job's own tables
    (result,) = loader.complete([job])
    assert _sql(postgres, database, "SELECT count(*) FROM customer") == "300"
    assert result.path == f"postgresql://127.0.0.1:{postgres.port}/{database}#public.customer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(done: object, timeout: float = 30) -> None:
    import time

    assert callable(done)
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_job_connects_to_the_address_checked_at_submission(
    client: Client,
    auth: dict[str, str],
    postgres: Postgres,
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Only this process's resolver knows the name, and only once: libpq, which resolves on
    # its own, could not find it, so the load can only have used the checked address.
    real = socket.getaddrinfo
    asked: list[str] = []

    def resolve(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "db.example":
            return real(host, port, *args, **kwargs)
        asked.append(host)
        if len(asked) > 1:
            raise socket.gaierror(socket.EAI_NONAME, "rebound")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    project = make_project(client, auth, SHOP)
    url = f"postgresql://postgres:{PASSWORD}@db.example:{postgres.port}/{database}"
    status = _load(client, auth, project, url)
    assert status["status"] == "completed", status["error"]
    assert (
        status["data"]["customer"]
        == f"postgresql://db.example:{postgres.port}/{database}#public.customer"
    )
    assert asked == ["db.example"]
    assert _sql(postgres, database, "SELECT count(*) FROM customer") == "300"


def test_a_driver_message_quoting_the_url_is_scrubbed() -> None:
    url = "postgresql://loader:p%40ss%2Fw0rd@db.example:5433/shop?sslmode=require"
    destination = Destination(url=url, schema="sales")
    said = f"cannot use {url}: password p@ss/w0rd refused"
    assert scrub(said, destination) == (
        "cannot use postgresql://loader:***@db.example:5433/shop?sslmode=require: "
        "password *** refused"
    )
    assert table_url(destination, "order") == "postgresql://db.example:5433/shop#sales.order"


def test_a_load_failing_halfway_names_the_table_and_the_rows_in(
    client: Client, auth: dict[str, str], postgres: Postgres, database: str
) -> None:
    project, url = _loaded_once(client, auth, postgres, database)
    # One order left, in the third shard's range (rows 513 to 700); customers made again.
    _sql(postgres, database, 'DELETE FROM "order" WHERE id <> 600; DROP TABLE customer CASCADE')
    failed = _load(client, auth, project, url, if_exists="append")
    assert failed["status"] == "failed"
    assert failed["error"].startswith("loading table public.order failed after 512 rows: ")
    assert "Key (id)=(600) already exists" in failed["error"]
    assert _sql(postgres, database, 'SELECT count(*) FROM "order"') == str(1 + 512)


THREE_LEVELS = """\
version: 1
entities:
  customer:
    count: 150
    fields:
      id: {type: sequence}
      country: {type: choice, values: [US, DE, FR]}
  orders:
    count: {per: customer, distribution: {kind: poisson, mean: 3}, min: 0, max: 8}
    fields:
      id: {type: sequence}
      customer_id: {type: reference, entity: customer}
      ordered_at: {type: datetime, start: 2024-01-01T00:00:00Z, end: 2024-12-31T00:00:00Z}
      country: {type: lookup, via: customer_id, field: country}
  line:
    count: {per: orders, min: 1, max: 5}
    fields:
      id: {type: sequence}
      order_id: {type: reference, entity: orders}
      line_no: {type: sequence, scope: parent}
      ordered_at: {type: lookup, via: order_id, field: ordered_at}
"""


def test_three_levels_with_children_per_parent_and_lookups_load_with_every_key(
    client: Client, auth: dict[str, str], postgres: Postgres, database: str
) -> None:
    project = make_project(client, auth, THREE_LEVELS)
    destination = {"kind": "postgres", "url": _url(postgres, database)}
    body = {"entities": "*", "seed": 3, "destination": destination}
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 202, r.json()
    status = wait_for(client, auth, r.json()["id"])
    assert status["status"] == "completed", status["error"]
    assert status["entities"] == ["customer", "orders", "line"]
    counts = [
        int(_sql(postgres, database, f"SELECT count(*) FROM {table}"))
        for table in ("customer", "orders", "line")
    ]
    assert counts[0] == 150 and counts[1] > 150 and counts[2] >= counts[1]
    assert sum(counts) == status["count"]
    keys = "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
    assert _sql(postgres, database, keys) == "2"  # PostgreSQL checked both when they were added
    # Groups as specified: 0 to 8 orders per customer, 1 to 5 lines per order numbered 1..k.
    per_customer = "SELECT min(n), max(n) FROM (SELECT count(o.id) AS n FROM customer c "
    per_customer += "LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id) g"
    low, high = map(int, _sql(postgres, database, per_customer).split("|"))
    assert low >= 0 and high <= 8
    groups = "SELECT min(n), max(n), bool_and(top = n) FROM (SELECT count(*) AS n, "
    groups += "max(line_no) AS top FROM line GROUP BY order_id) g"
    assert _sql(postgres, database, groups) in {f"{a}|{b}|t" for a in (1, 2) for b in (4, 5)}
    # Lookups hold the parent row's own values.
    mismatched = (
        "SELECT count(*) FROM line l JOIN orders o ON o.id = l.order_id "
        "WHERE l.ordered_at <> o.ordered_at"
    )
    assert _sql(postgres, database, mismatched) == "0"
    wrong_country = (
        "SELECT count(*) FROM orders o JOIN customer c ON c.id = o.customer_id "
        "WHERE o.country <> c.country"
    )
    assert _sql(postgres, database, wrong_country) == "0"
