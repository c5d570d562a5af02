"""Shared fixtures: small, composable, and real (a real SQLite file, the real app)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.app import create_app
from service.settings import Settings, load_settings
from storage.keys import create_key

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({}, home=str(tmp_path / "home"))


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
