"""POST /project/.../preview: the first rows of a json job, at once, with the API's errors."""

from __future__ import annotations

import json

from litestar import Litestar
from litestar.testing import TestClient

from tests.jobhelpers import make_project, wait_for

Client = TestClient[Litestar]

RICH = """\
version: 1
seed: 99
entities:
  Customer:
    count: 500
    fields:
      id: {type: sequence}
      name: person.first_name
      segment: {type: provider, name: Segments}
      joined: {type: datetime, start: 2020-01-01T00:00:00Z, end: 2024-12-31T00:00:00Z}
      birthday: {type: date, start: 1950-01-01, end: 2005-12-31}
      balance: {type: float, min: 0, max: 1000, decimals: 2, null_rate: 0.3}
      note: {type: constant, value: "say \\"hi\\"\\n"}
      address:
        type: object
        fields:
          city: address.city
          since: {type: date, start: 2000-01-01, end: 2001-01-01}
      tags: {type: array, of: {type: choice, values: [a, b, c]}, max_items: 3}
  Order:
    fields:
      id: {type: uuid}
      customer_id: {type: reference, entity: Customer}
"""


def _project(client: Client, auth: dict[str, str], name: str = "preview") -> str:
    r = client.post(
        "/provider", json={"name": "Segments", "data": ["retail", "b2b", "public"]}, headers=auth
    )
    assert r.status_code == 201, r.json()
    return make_project(client, auth, RICH, name=name)


def _job_rows(client: Client, auth: dict[str, str], project: str, **body: object) -> list:
    r = client.post(f"/data/{project}", json={**body, "format": "json"}, headers=auth)
    assert r.status_code == 202, r.json()
    status = wait_for(client, auth, r.json()["id"])
    assert status["status"] == "completed", status
    download = client.get(f"/data/{status['id']}/download", headers=auth)
    rows: list = json.loads(download.content)
    return rows


def test_preview_is_the_first_rows_of_a_json_job(client: Client, auth: dict[str, str]) -> None:
    project = _project(client, auth)
    job = _job_rows(client, auth, project, entity_name="Customer", count=5000, seed=7)
    r = client.post(
        f"/project/{project}/preview",
        json={"entity_name": "Customer", "count": 100, "seed": 7},
        headers=auth,
    )
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["entity_name"] == "Customer" and body["seed"] == 7
    assert body["rows"] == job[:100]
    first = body["rows"][0]
    assert list(first) == [
        "id",
        "name",
        "segment",
        "joined",
        "birthday",
        "balance",
        "note",
        "address",
        "tags",
    ]
    assert first["id"] == 1 and first["note"] == 'say "hi"\n'
    assert first["joined"].endswith("Z") and len(first["birthday"]) == 10
    assert isinstance(first["address"]["since"], str) and isinstance(first["tags"], list)
    assert {row["segment"] for row in body["rows"]} <= {"retail", "b2b", "public"}
    assert any(row["balance"] is None for row in body["rows"])


def test_preview_by_names_defaults_and_schema_seed(client: Client, auth: dict[str, str]) -> None:
    _project(client, auth, name="shop")
    r = client.post("/project/g-shop/shop/preview", json={"entity_name": "Order"}, headers=auth)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["seed"] == 99 and len(body["rows"]) == 10
    assert all(1 <= row["customer_id"] <= 500 for row in body["rows"])
    again = client.post("/project/g-shop/shop/preview", json={"entity_name": "Order"}, headers=auth)
    assert again.json() == body
    # A project named "preview" is still reachable by name (the preview route does not shadow it).
    make_project(client, auth, RICH.replace("seed: 99\n", ""), name="preview")
    assert client.get("/project/g-preview/preview", headers=auth).status_code == 200
    r = client.post(
        "/project/g-preview/preview/preview", json={"entity_name": "Customer"}, headers=auth
    )
    assert r.status_code == 200 and isinstance(r.json()["seed"], int)


def test_preview_errors(client: Client, auth: dict[str, str]) -> None:
    project = _project(client, auth)
    r = client.post(f"/project/{project}/preview", json={"entity_name": "Nope"}, headers=auth)
    assert r.status_code == 422
    assert r.json()["field"] == "entity_name"
    assert r.json()["detail"] == (
        "entity 'Nope' is not in the schema; its entities are: Customer, Order"
    )
    for count in (0, 101):
        r = client.post(
            f"/project/{project}/preview",
            json={"entity_name": "Customer", "count": count},
            headers=auth,
        )
        assert r.status_code == 422 and r.json()["field"] == "count"
    r = client.post(f"/project/{project}/prevue", json={"entity_name": "Customer"}, headers=auth)
    assert r.status_code == 404
    r = client.post("/project/nope/preview", json={"entity_name": "Customer"}, headers=auth)
    assert r.status_code == 404
    r = client.post(
        f"/project/{project}/preview", json={"entity_name": "Customer", "x": 1}, headers=auth
    )
    assert r.status_code == 422
    assert (
        client.post(f"/project/{project}/preview", json={"entity_name": "Customer"}).status_code
        == 401
    )


def test_invalid_stored_schema_gives_the_saving_problem_list(
    client: Client, auth: dict[str, str]
) -> None:
    from storage import projects

    project = _project(client, auth)
    bad = RICH.replace("type: sequence", "type: sequense")
    saving = client.put(f"/project/{project}", json={"data": bad}, headers=auth)
    assert saving.status_code == 422
    # As if stored by an older version whose rules were looser: written past the validator.
    ws = client.app.state.db.one("SELECT workspace_id FROM projects WHERE id = ?", (project,))
    projects.update_project(client.app.state.db, ws["workspace_id"], project, bad, set())
    r = client.post(f"/project/{project}/preview", json={"entity_name": "Customer"}, headers=auth)
    assert r.status_code == 422
    assert r.json() == saving.json()
    assert r.json()["errors"][0]["path"] == "entities.Customer.fields.id.type"
    assert r.json()["errors"][0]["line"] == 7  # the line of `id:` in RICH


def test_uniqueness_beyond_the_value_space_is_refused(client: Client, auth: dict[str, str]) -> None:
    schema = (
        "entities:\n  A:\n    fields:\n      code: {type: pattern, pattern: '#', unique: true}\n"
    )
    project = make_project(client, auth, schema, name="tiny")
    ok = client.post(
        f"/project/{project}/preview", json={"entity_name": "A", "count": 10}, headers=auth
    )
    assert ok.status_code == 200
    assert sorted(row["code"] for row in ok.json()["rows"]) == [str(d) for d in range(10)]
    r = client.post(
        f"/project/{project}/preview", json={"entity_name": "A", "count": 11}, headers=auth
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["path"].startswith("entities.A.fields.code")


def test_project_without_schema(client: Client, auth: dict[str, str]) -> None:
    group = client.post("/project-group", json={"name": "empty"}, headers=auth).json()
    empty = client.post(
        "/project", json={"project_group_id": group["id"], "name": "blank"}, headers=auth
    ).json()
    r = client.post(f"/project/{empty['id']}/preview", json={"entity_name": "A"}, headers=auth)
    assert r.status_code == 422 and r.json()["field"] == "project_id"
