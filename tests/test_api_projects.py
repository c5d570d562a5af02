from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]

SCHEMA = """\
# customers for the segmentation model
entities:
  Customer:
    count: 10
    fields:
      id: {type: sequence}
      name: person.first_name   # kept as written
"""


def _group(client: Client, auth: dict[str, str], name: str = "data-analysis") -> dict:
    return client.post("/project-group", json={"name": name}, headers=auth).json()


def test_create_get_by_id_and_by_names(client: Client, auth: dict[str, str]) -> None:
    group = _group(client, auth)
    created = client.post(
        "/project",
        json={"project_group_id": group["id"], "name": "modeling", "data": SCHEMA},
        headers=auth,
    )
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "name", "project_group_id", "created_at"}
    assert body["project_group_id"] == group["id"]
    by_id = client.get(f"/project/{body['id']}", headers=auth).json()
    by_name = client.get("/project/data-analysis/modeling", headers=auth).json()
    assert by_id == by_name
    assert by_id["data"] == SCHEMA  # stored exactly as sent, comments and order kept
    assert set(by_id) == {"id", "name", "project_group_id", "data", "created_at", "updated_at"}


def test_update_on_both_paths(client: Client, auth: dict[str, str]) -> None:
    group = _group(client, auth)
    pid = client.post(
        "/project", json={"project_group_id": group["id"], "name": "m"}, headers=auth
    ).json()["id"]
    r = client.put(f"/project/{pid}", json={"data": SCHEMA}, headers=auth)
    assert r.status_code == 200
    assert r.json()["data"] == SCHEMA
    changed = SCHEMA.replace("count: 10", "count: 20")
    r = client.put(
        "/project/data-analysis/m", json={"data": changed, "format": "yaml"}, headers=auth
    )
    assert r.status_code == 200
    assert client.get(f"/project/{pid}", headers=auth).json()["data"] == changed


def test_invalid_schema_is_422_and_changes_nothing(client: Client, auth: dict[str, str]) -> None:
    group = _group(client, auth)
    pid = client.post(
        "/project",
        json={"project_group_id": group["id"], "name": "m", "data": SCHEMA},
        headers=auth,
    ).json()["id"]
    bad = "entities:\n  A:\n    fields:\n      x: {type: integer, min: 5, max: 1}\n"
    r = client.put(f"/project/{pid}", json={"data": bad}, headers=auth)
    assert r.status_code == 422
    problem = r.json()
    assert problem["field"] == "data"
    assert problem["errors"][0]["path"].startswith("entities.A.fields.x")
    assert client.get(f"/project/{pid}", headers=auth).json()["data"] == SCHEMA
    created = client.post(
        "/project", json={"project_group_id": group["id"], "name": "n", "data": bad}, headers=auth
    )
    assert created.status_code == 422
    assert client.get("/project/data-analysis/n", headers=auth).status_code == 404


def test_bad_project_requests(client: Client, auth: dict[str, str]) -> None:
    group = _group(client, auth)
    missing_group = client.post(
        "/project", json={"project_group_id": "nope", "name": "m"}, headers=auth
    )
    assert missing_group.status_code == 404
    no_name = client.post("/project", json={"project_group_id": group["id"]}, headers=auth)
    assert no_name.status_code == 422
    client.post("/project", json={"project_group_id": group["id"], "name": "m"}, headers=auth)
    dup = client.post("/project", json={"project_group_id": group["id"], "name": "m"}, headers=auth)
    assert dup.status_code == 409
    fmt = client.put("/project/data-analysis/m", json={"data": "x", "format": "xml"}, headers=auth)
    assert fmt.status_code == 422
    assert fmt.json()["errors"][0]["path"] == "format" or "format" in fmt.json()["detail"]
    assert client.put("/project/data-analysis/m", json={}, headers=auth).status_code == 422


def test_same_project_name_in_two_groups(client: Client, auth: dict[str, str]) -> None:
    a = _group(client, auth, "a")
    b = _group(client, auth, "b")
    for g in (a, b):
        r = client.post("/project", json={"project_group_id": g["id"], "name": "m"}, headers=auth)
        assert r.status_code == 201
    assert client.get("/project/a/m", headers=auth).json()["project_group_id"] == a["id"]
    assert client.get("/project/b/m", headers=auth).json()["project_group_id"] == b["id"]
    assert client.delete("/project/b/m", headers=auth).status_code == 204
    assert client.get("/project/b/m", headers=auth).status_code == 404
    assert client.get("/project/a/m", headers=auth).status_code == 200
