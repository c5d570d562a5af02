from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def test_create_and_get_group_by_id_and_name(client: Client, auth: dict[str, str]) -> None:
    created = client.post("/project-group", json={"name": "data-analysis"}, headers=auth)
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "created_at"}
    assert body["name"] == "data-analysis"
    assert ISO_Z.match(body["created_at"])
    assert re.fullmatch(r"[A-Za-z0-9_-]+", body["id"])
    by_id = client.get(f"/project-group/{body['id']}", headers=auth).json()
    by_name = client.get("/project-group/data-analysis", headers=auth).json()
    assert by_id == by_name
    assert by_id["projects"] == []
    assert set(by_id) == {"id", "name", "created_at", "updated_at", "projects"}


def test_group_lists_its_projects(client: Client, auth: dict[str, str]) -> None:
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    for name in ("segmentation", "sales-analysis"):
        r = client.post(
            "/project", json={"project_group_id": group["id"], "name": name}, headers=auth
        )
        assert r.status_code == 201
    projects = client.get("/project-group/g", headers=auth).json()["projects"]
    assert [p["name"] for p in projects] == ["segmentation", "sales-analysis"]
    assert set(projects[0]) == {"id", "name", "created_at", "updated_at"}


def test_list_groups_is_paginated(client: Client, auth: dict[str, str]) -> None:
    for i in range(5):
        client.post("/project-group", json={"name": f"g{i}"}, headers=auth)
    assert [g["name"] for g in client.get("/project-group", headers=auth).json()] == [
        "g0",
        "g1",
        "g2",
        "g3",
        "g4",
    ]
    page = client.get("/project-group?limit=2&offset=1", headers=auth).json()
    assert [g["name"] for g in page] == ["g1", "g2"]
    too_big = client.get("/project-group?limit=100000", headers=auth)
    assert too_big.status_code == 422
    assert too_big.json()["field"] == "limit"


def test_duplicate_group_is_409(client: Client, auth: dict[str, str]) -> None:
    assert client.post("/project-group", json={"name": "g"}, headers=auth).status_code == 201
    dup = client.post("/project-group", json={"name": "g"}, headers=auth)
    assert dup.status_code == 409
    assert dup.headers["content-type"].startswith("application/problem+json")
    assert dup.json()["field"] == "name"


def test_bad_names_are_422(client: Client, auth: dict[str, str]) -> None:
    for name in ["", "../etc", "a/b", "-lead", "x" * 65, "caf\u00e9", "nul\x00"]:
        r = client.post("/project-group", json={"name": name}, headers=auth)
        assert r.status_code == 422, name
        assert r.json()["field"] == "name"
    assert client.get("/project-group", headers=auth).json() == []


def test_malformed_json_is_400_and_wrong_shape_422(client: Client, auth: dict[str, str]) -> None:
    bad = client.post("/project-group", content=b"{not json", headers=auth)
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("/bad-request")
    wrong = client.post("/project-group", json={"title": "x"}, headers=auth)
    assert wrong.status_code == 422
    assert "title" in wrong.json()["detail"]


def test_delete_group_refused_while_it_holds_projects(client: Client, auth: dict[str, str]) -> None:
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    project = client.post(
        "/project", json={"project_group_id": group["id"], "name": "p"}, headers=auth
    ).json()
    refused = client.delete("/project-group/g", headers=auth)
    assert refused.status_code == 409
    assert "p" in refused.json()["detail"]
    assert client.delete(f"/project/{project['id']}", headers=auth).status_code == 204
    assert client.delete("/project-group/g", headers=auth).status_code == 204
    assert client.get("/project-group/g", headers=auth).status_code == 404


def test_unknown_route_and_method(client: Client, auth: dict[str, str]) -> None:
    missing = client.get("/project-group/nope", headers=auth)
    assert missing.status_code == 404
    assert missing.json()["status"] == 404
    assert client.patch("/project-group/x", headers=auth).status_code == 405
