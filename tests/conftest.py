"""Shared fixtures: small, composable, and real (a real SQLite file, the real app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings, load_settings
from storage.keys import create_key
from tests.daskcluster import DaskCluster
from tests.postgres import Postgres, binaries, throwaway

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """A scheduler and two workers, each its own process, shared by the session."""
    cluster = DaskCluster(tmp_path_factory.mktemp("dask")).start(2)
    yield cluster
    cluster.stop()


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL server shared by a test module; its tests are skipped when
    PostgreSQL is not installed (``make test`` installs it)."""
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (make test installs it)")
    with throwaway() as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The service running jobs in its own process: API tests need no cluster."""
    return load_settings(
        {},
        home=str(tmp_path / "home"),
        executor="inprocess",
        webhook_allow=("127.0.0.1", "localhost"),
        webhook_retry=(0.0, 0.3, 0.3),
        shard_rows=2048,
    )


@pytest.fixture
def dask_settings(settings: Settings, dask_cluster: DaskCluster) -> Settings:
    """The same, with every job on the session's Dask cluster, however small."""
    return msgspec.structs.replace(
        settings, executor="dask", scheduler_address=dask_cluster.address, inprocess_rows=0
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app) as test_client:
        yield test_client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def auth(client: TestClient[Litestar]) -> dict[str, str]:
    """Headers with a key of workspace A."""
    return bearer(create_key(client.app.state.db, "team-a").key)


@pytest.fixture
def other_auth(client: TestClient[Litestar]) -> dict[str, str]:
    """Headers with a key of workspace B."""
    return bearer(create_key(client.app.state.db, "team-b").key)
