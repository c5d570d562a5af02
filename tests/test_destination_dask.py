"""The same load into PostgreSQL on the Dask cluster: one task makes the tables ready, each
entity's shards load in parallel on the workers, parents first, one task adds the foreign
keys."""

from __future__ import annotations

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.settings import Settings
from tests.postgres import Postgres
from tests.test_destination_postgres import database, load_shop

__all__ = ["database"]  # a fixture, shared with the in-process tests

Client = TestClient[Litestar]


@pytest.fixture
def settings(dask_settings: Settings) -> Settings:
    return msgspec.structs.replace(dask_settings, destination_allow=("127.0.0.1",), shard_rows=256)


def test_workers_load_every_shard_and_the_keys_hold(
    client: Client, auth: dict[str, str], postgres: Postgres, database: str
) -> None:
    load_shop(client, auth, postgres, database)
