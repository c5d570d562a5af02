"""Jobs of several entities: one status, a file per entity, parents before children."""

from __future__ import annotations

import csv
import io

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.jobhelpers import make_project, wait_for

Client = TestClient[Litestar]

# Children first in the document: the job must still list and make parents first.
SHOP = """\
version: 1
entities:
  Line:
    count: 900
    fields:
      id: {type: sequence}
      order_id: {type: reference, entity: Order}
      qty: {type: integer, min: 1, max: 9}
  Order:
    count: 300
    fields:
      id: {type: sequence}
      customer_id: {type: reference, entity: Customer}
      manager_of: {type: reference, entity: Order, null_rate: 0.5}
  Customer:
    count: 100
    fields:
      id: {type: sequence}
      name: person.first_name
  Scratch:
    fields:
      id: uuid
"""


def _submit(client: Client, auth: dict[str, str], project: str, **body: object) -> dict:
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 202, r.json()
    return wait_for(client, auth, r.json()["id"])


def _get(client: Client, auth: dict[str, str], url: str) -> bytes:
    r = client.get("/" + url.split("://", 1)[1].partition("/")[2], headers=auth)
    assert r.status_code == 200, r.text
    return r.content


def test_every_named_entity_in_one_job_in_dependency_order(
    client: Client, auth: dict[str, str]
) -> None:
    project = make_project(client, auth, SHOP)
    body = {"entities": ["Line", "Customer", "Order"], "format": "csv", "seed": 9}
    status = _submit(client, auth, project, **body)
    assert status["status"] == "completed", status
    assert status["entity_name"] is None
    assert status["entities"] == ["Customer", "Order", "Line"]
    assert list(status["data"]) == ["Customer", "Order", "Line"]
    assert status["count"] == 1300
    assert status["progress"]["rows_done"] == 1300
    for entity, rows in {"Customer": 100, "Order": 300, "Line": 900}.items():
        assert status["data"][entity].endswith(f"/data/{status['id']}/download/{entity}")
        body_bytes = _get(client, auth, status["data"][entity])
        one = _submit(client, auth, project, entity_name=entity, count=rows, format="csv", seed=9)
        assert body_bytes == _get(client, auth, one["data"][entity])  # same seed, same bytes
    whole = client.get(f"/data/{status['id']}/download", headers=auth)
    assert whole.status_code == 404
    assert "download each at" in whole.json()["detail"]


def test_all_entities_with_a_scale(client: Client, auth: dict[str, str]) -> None:
    schema = SHOP.replace("  Scratch:\n    fields:\n      id: uuid\n", "")
    project = make_project(client, auth, schema)
    status = _submit(client, auth, project, entities="*", scale=0.5, format="csv", seed=1)
    assert status["status"] == "completed", status
    assert status["entities"] == ["Customer", "Order", "Line"]
    lines = list(csv.reader(io.StringIO(_get(client, auth, status["data"]["Line"]).decode())))
    orders = list(csv.reader(io.StringIO(_get(client, auth, status["data"]["Order"]).decode())))
    assert (len(lines) - 1, len(orders) - 1) == (450, 150)
    order_ids = {row[0] for row in orders[1:]}
    # References follow the scaled parent count, so every line's order exists.
    assert {row[1] for row in lines[1:]} <= order_ids


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"entities": ["Customer"], "entity_name": "Customer"}, "entities", "not both"),
        ({"entities": ["Customer"], "count": 5}, "count", "count goes with entity_name"),
        ({"entities": ["Custmer"]}, "entities", "'Custmer' is not in the schema"),
        ({"entities": ["Scratch"]}, "entities", "without a count"),
        ({"entities": "*"}, "entities", "Scratch"),
        ({"entities": ["Order", "Order"]}, "entities", "repeat: Order"),
        ({"entities": []}, "entities", "at least one"),
        ({"entity_name": "Customer", "count": 5, "scale": 2}, "scale", "scale goes with"),
        ({"entity_name": "Customer"}, "count", "count is required"),
        ({"count": 5}, "entity_name", "give entity_name and count, or entities"),
    ],
)
def test_wrong_requests_name_the_field(
    client: Client, auth: dict[str, str], body: dict, field: str, words: str
) -> None:
    project = make_project(client, auth, SHOP)
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == field
    assert words in r.json()["detail"]


def test_cancelling_a_job_of_several_entities_leaves_nothing(
    client: Client, auth: dict[str, str]
) -> None:
    import os

    project = make_project(client, auth, SHOP)
    r = client.post(
        f"/data/{project}", json={"entities": "*", "scale": 2000, "format": "csv"}, headers=auth
    )
    assert r.status_code == 422  # Scratch has no count: "*" names it too
    r = client.post(
        f"/data/{project}",
        json={"entities": ["Customer", "Order", "Line"], "scale": 3000},
        headers=auth,
    )
    cancelled = client.delete(f"/data/{r.json()['id']}", headers=auth)
    assert (cancelled.json()["status"], cancelled.json()["error"]) == ("failed", "cancelled")
    root = client.app.state.settings.storage
    assert [f"{d}/{f}" for d, _, fs in os.walk(root) for f in fs] == []
