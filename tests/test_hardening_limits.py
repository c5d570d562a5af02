"""Every limit is a setting with a default, and crossing it is a clear 4xx problem document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.testing import TestClient

from service.app import create_app
from service.ratelimit import CountingRateLimitMiddleware
from service.settings import Settings, load_settings
from storage.keys import create_key
from tests.conftest import bearer
from tests.jobhelpers import PEOPLE, make_project

PROBLEM = "application/problem+json"


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    return load_settings(
        {},
        home=str(tmp_path / "home"),
        executor="inprocess",
        max_body=20_000,
        max_schema_bytes=5_000,
        max_entities=2,
        max_fields=12,
        max_provider_items=3,
        max_rows=1_000_000,
        max_jobs_in_flight=1,
        rate_limit=1000,
        page_size=2,
        max_page_size=3,
        shard_rows=1024,
    )


@pytest.fixture
def http(small: Settings) -> Iterator[TestClient[Litestar]]:
    with TestClient(create_app(small)) as client:
        yield client


@pytest.fixture
def auth(http: TestClient[Litestar]) -> dict[str, str]:
    return bearer(create_key(http.app.state.db, "limits").key)


def _problem(response: object, status: int) -> dict:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body: dict = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    return body


def test_defaults_are_sane() -> None:
    defaults = load_settings({})
    assert (defaults.max_body, defaults.max_schema_bytes) == (4_194_304, 1_000_000)
    assert (defaults.max_entities, defaults.max_fields, defaults.max_provider_items) == (
        100,
        2_000,
        100_000,
    )
    env = load_settings({"DRAFTA_MAX_ENTITIES": "7", "DRAFTA_MAX_FIELDS": "9"})
    assert (env.max_entities, env.max_fields) == (7, 9)


def test_body_over_the_limit_is_413_problem(http: TestClient, auth: dict[str, str]) -> None:
    body = _problem(http.post("/project-group", content=b"x" * 30_000, headers=auth), 413)
    assert body["title"] == "Request Entity Too Large"


def test_schema_over_its_byte_limit_is_422(http: TestClient, auth: dict[str, str]) -> None:
    group = http.post("/project-group", json={"name": "g"}, headers=auth).json()["id"]
    padded = PEOPLE + "# " + "x" * 6_000 + "\n"
    r = http.post(
        "/project", json={"project_group_id": group, "name": "p", "data": padded}, headers=auth
    )
    body = _problem(r, 422)
    assert body["field"] == "data"
    assert "5000 bytes" in body["detail"]


def test_yaml_aliases_and_deep_nesting_are_refused(http: TestClient, auth: dict[str, str]) -> None:
    group = http.post("/project-group", json={"name": "g"}, headers=auth).json()["id"]
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\nversion: 1\n"
    deep = "version: 1\nentities: " + "[" * 100 + "]" * 100 + "\n"
    for name, text, words in (("bomb", bomb, "aliases"), ("deep", deep, "nesting deeper")):
        r = http.post(
            "/project", json={"project_group_id": group, "name": name, "data": text}, headers=auth
        )
        assert words in _problem(r, 422)["detail"]


def test_too_many_entities_or_fields_names_the_path(http: TestClient, auth: dict[str, str]) -> None:
    group = http.post("/project-group", json={"name": "g"}, headers=auth).json()["id"]
    three = "version: 1\nentities:\n" + "".join(
        f"  E{i}:\n    fields:\n      id: {{type: sequence}}\n" for i in range(3)
    )
    r = http.post(
        "/project", json={"project_group_id": group, "name": "e", "data": three}, headers=auth
    )
    body = _problem(r, 422)
    assert body["errors"][0]["path"] == "entities"
    assert "at most 2 entities" in body["detail"]
    nested = (
        "version: 1\nentities:\n  A:\n    fields:\n"
        + "".join(f"      f{i}: {{type: sequence}}\n" for i in range(10))
        + "      box: {type: object, fields: {x: {type: sequence}, y: {type: sequence}}}\n"
    )
    r = http.post(
        "/project", json={"project_group_id": group, "name": "f", "data": nested}, headers=auth
    )
    body = _problem(r, 422)
    assert body["errors"][0]["path"] == "entities.A.fields.box.fields.y"
    assert "at most 12 fields" in body["detail"]


def test_provider_items_over_the_limit(http: TestClient, auth: dict[str, str]) -> None:
    r = http.post(
        "/provider",
        json=[{"name": "ok", "data": [1]}, {"name": "big", "data": [1, 2, 3, 4]}],
        headers=auth,
    )
    assert _problem(r, 422)["field"] == "[1].data"
    assert http.get("/provider", headers=auth).json() == []
    made = http.post("/provider", json={"name": "ok", "data": [1, 2, 3]}, headers=auth).json()
    r = http.put(f"/provider/{made[0]['id']}", json={"data": list(range(4))}, headers=auth)
    assert _problem(r, 422)["field"] == "data"


def test_rows_per_job_and_jobs_in_flight(http: TestClient, auth: dict[str, str]) -> None:
    project = make_project(http, auth)
    r = http.post(
        f"/data/{project}", json={"entity_name": "Order", "count": 1_000_001}, headers=auth
    )
    assert _problem(r, 422)["field"] == "count"
    first = http.post(
        f"/data/{project}", json={"entity_name": "Order", "count": 1_000_000}, headers=auth
    )
    assert first.status_code == 202
    second = http.post(f"/data/{project}", json={"entity_name": "Order", "count": 10}, headers=auth)
    body = _problem(second, 429)
    assert second.headers["retry-after"] == "5"
    assert "at most 1 jobs" in body["detail"]
    http.delete(f"/data/{first.json()['id']}", headers=auth)


def test_page_size_default_and_maximum(http: TestClient, auth: dict[str, str]) -> None:
    for i in range(4):
        http.post("/project-group", json={"name": f"g{i}"}, headers=auth)
    assert len(http.get("/project-group", headers=auth).json()) == 2
    assert len(http.get("/project-group?limit=3", headers=auth).json()) == 3
    names = [g["name"] for g in http.get("/project-group?limit=3&offset=2", headers=auth).json()]
    assert names == ["g2", "g3"]
    assert _problem(http.get("/project-group?limit=4", headers=auth), 422)["field"] == "limit"
    assert _problem(http.get("/data?limit=0", headers=auth), 422)["field"] == "limit"


def test_requests_per_minute_per_key(tmp_path: Path) -> None:
    limited = load_settings({}, home=str(tmp_path / "rl"), executor="inprocess", rate_limit=3)
    with TestClient(create_app(limited)) as client:
        one = bearer(create_key(client.app.state.db, "one").key)
        two = bearer(create_key(client.app.state.db, "two").key)
        answers = [client.get("/project-group", headers=one) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        assert answers[0].headers["ratelimit-limit"] == "3"
        assert answers[0].headers["ratelimit-remaining"] == "2"
        over = answers[3]
        assert over.headers["content-type"].startswith(PROBLEM)
        assert int(over.headers["retry-after"]) > 0
        assert client.get("/project-group", headers=two).status_code == 200
        assert client.get("/health").status_code == 200


def test_the_rate_window_keeps_a_count_and_starts_again_when_it_resets() -> None:
    limiter = CountingRateLimitMiddleware(app=None, config=RateLimitConfig(("minute", 3)))  # type: ignore[arg-type]
    assert [limiter.count("k", 1000) for _ in range(4)] == [(1, 1060), (2, 1060), (3, 1060), None]
    assert limiter.count("other", 1059) == (1, 1119)
    assert limiter.window_headers((3, 1060), 1010) == {
        "RateLimit-Policy": "3; w=60",
        "RateLimit-Limit": "3",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "50",
    }
    # The window resets at its second; the expired windows of other keys are dropped then.
    assert limiter.count("k", 1060) == (1, 1120)
    assert limiter.count("k", 1061) == (2, 1120)
    assert limiter.count("new", 1200) == (1, 1260)
    assert sorted(limiter.windows) == ["new"]


def test_project_export_formats(http: TestClient, auth: dict[str, str]) -> None:
    project = make_project(http, auth)
    sql = http.get(f"/project/{project}?format=sql", headers=auth)
    assert sql.status_code == 200
    assert sql.headers["content-type"].startswith("application/sql")
    assert "CREATE TABLE" in sql.text
    js = http.get(f"/project/{project}?format=json_schema", headers=auth)
    assert js.status_code == 200
    assert "Customer" in js.json()["$defs"] or "Customer" in js.text


def test_offset_beyond_sqlite_integers_is_422_not_500(
    http: TestClient, auth: dict[str, str]
) -> None:
    for path in ("/project-group", "/provider", "/data"):
        r = http.get(f"{path}?offset={2**63}", headers=auth)
        assert _problem(r, 422)["field"] == "offset"
        assert http.get(f"{path}?offset={2**63 - 1}", headers=auth).json() == []
