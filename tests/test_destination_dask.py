"""The same load into PostgreSQL on the Dask cluster: one task makes the tables ready, each
entity's shards load in parallel on the workers, parents first, one task adds the foreign
keys."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.settings import Settings
from tests.jobhelpers import make_project
from tests.postgres import Postgres
from tests.test_destination_postgres import SHOP, _load, _sql, _url, database, server

__all__ = ["database", "server"]  # fixtures, shared with the in-process tests

Client = TestClient[Litestar]


@pytest.fixture
def settings(dask_settings: Settings) -> Settings:
    return msgspec.structs.replace(dask_settings, destination_allow=("127.0.0.1",), shard_rows=256)


def test_workers_load_every_shard_and_the_keys_hold(
    client: Client, auth: dict[str, str], server: Postgres, database: str
) -> None:
    project = make_project(client, auth, SHOP)
    status = _load(client, auth, project, _url(server, database))
    assert status["status"] == "completed", status["error"]
    assert status["progress"]["shards_done"] == 5
    assert _sql(server, database, "SELECT count(*) FROM customer") == "300"
    assert _sql(server, database, 'SELECT count(DISTINCT id) FROM "order"') == "700"
    fkeys = "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
    assert _sql(server, database, fkeys) == "1"
