from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]

PAIR = [
    {"name": "CustomUserData", "data": ["user1", "user2", "user3"]},
    {"name": "CustomOrderData", "data": ["order1", "order2", "order3"]},
]


def test_create_many_read_update_delete(client: Client, auth: dict[str, str]) -> None:
    created = client.post("/provider", json=PAIR, headers=auth)
    assert created.status_code == 201
    refs = created.json()
    assert [r["name"] for r in refs] == ["CustomUserData", "CustomOrderData"]
    assert all(set(r) == {"id", "name"} for r in refs)
    one = client.get(f"/provider/{refs[0]['id']}", headers=auth).json()
    assert one["data"] == ["user1", "user2", "user3"]
    updated = client.put(f"/provider/{refs[0]['id']}", json={"data": [1, 2.5, True]}, headers=auth)
    assert updated.status_code == 200
    assert updated.json()["data"] == [1, 2.5, True]
    listed = client.get("/provider", headers=auth).json()
    assert [p["name"] for p in listed] == ["CustomUserData", "CustomOrderData"]
    assert client.delete(f"/provider/{refs[0]['id']}", headers=auth).status_code == 204
    assert client.get(f"/provider/{refs[0]['id']}", headers=auth).status_code == 404


def test_single_object_is_accepted(client: Client, auth: dict[str, str]) -> None:
    r = client.post("/provider", json={"name": "Solo", "data": ["x"]}, headers=auth)
    assert r.status_code == 201
    assert [p["name"] for p in r.json()] == ["Solo"]


def test_all_or_none(client: Client, auth: dict[str, str]) -> None:
    client.post("/provider", json={"name": "Taken", "data": ["x"]}, headers=auth)
    r = client.post(
        "/provider",
        json=[{"name": "Fresh", "data": ["a"]}, {"name": "Taken", "data": ["b"]}],
        headers=auth,
    )
    assert r.status_code == 409
    assert "Taken" in r.json()["detail"]
    assert [p["name"] for p in client.get("/provider", headers=auth).json()] == ["Taken"]
    dup = client.post(
        "/provider", json=[{"name": "A", "data": [1]}, {"name": "A", "data": [2]}], headers=auth
    )
    assert dup.status_code == 422


def test_bad_provider_bodies_are_422(client: Client, auth: dict[str, str]) -> None:
    for body in [
        {"name": "Empty", "data": []},
        {"name": "Nested", "data": [["a"]]},
        {"name": "Nulls", "data": [None]},
        {"name": "bad name", "data": ["a"]},
        {"data": ["a"]},
        [],
    ]:
        r = client.post("/provider", json=body, headers=auth)
        assert r.status_code == 422, body
        assert r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/provider", headers=auth).json() == []


def test_provider_in_use_cannot_be_deleted(client: Client, auth: dict[str, str]) -> None:
    created = client.post("/provider", json={"name": "Tiers", "data": ["a", "b"]}, headers=auth)
    ref = created.json()[0]
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    schema = (
        "entities:\n  T:\n    count: 3\n    fields:\n      tier: {type: provider, name: Tiers}\n"
    )
    r = client.post(
        "/project",
        json={"project_group_id": group["id"], "name": "uses", "data": schema},
        headers=auth,
    )
    assert r.status_code == 201, r.json()
    refused = client.delete(f"/provider/{ref['id']}", headers=auth)
    assert refused.status_code == 409
    assert "g/uses" in refused.json()["detail"]
    rename = client.put(
        f"/provider/{ref['id']}", json={"data": ["c"], "name": "Other"}, headers=auth
    )
    assert rename.status_code == 409
    client.delete(f"/project/{r.json()['id']}", headers=auth)
    assert client.delete(f"/provider/{ref['id']}", headers=auth).status_code == 204
