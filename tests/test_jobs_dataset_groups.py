"""A whole dataset through the API: customers, their orders, each order's lines."""

from __future__ import annotations

import csv
import io

from litestar import Litestar
from litestar.testing import TestClient

from tests.jobhelpers import make_project, wait_for

Client = TestClient[Litestar]

SHOP = """\
version: 1
entities:
  Line:
    count: {per: Order, min: 1, max: 5}
    fields:
      order_id: {type: reference, entity: Order}
      line_no: {type: sequence, scope: parent}
      ordered_on: {type: lookup, via: order_id, field: ordered_on}
      qty: {type: integer, min: 1, max: 9}
  Order:
    count: {per: Customer, distribution: {kind: poisson, mean: 2}, max: 10}
    fields:
      id: sequence
      customer_id: {type: reference, entity: Customer}
      ordered_on: {type: date, start: 2024-01-01, end: 2024-12-31}
  Customer:
    count: 200
    fields:
      id: sequence
      name: person.first_name
"""


def _table(client: Client, auth: dict[str, str], url: str) -> list[dict[str, str]]:
    r = client.get("/" + url.split("://", 1)[1].partition("/")[2], headers=auth)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text)))


def _submit(client: Client, auth: dict[str, str], project: str, **body: object) -> dict:
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 202, r.json()
    return wait_for(client, auth, r.json()["id"])


def test_three_levels_in_one_job_with_every_key_resolving(
    client: Client, auth: dict[str, str]
) -> None:
    project = make_project(client, auth, SHOP)
    status = _submit(client, auth, project, entities="*", format="csv", seed=3)
    assert status["status"] == "completed", status
    assert status["entities"] == ["Customer", "Order", "Line"]
    customers = _table(client, auth, status["data"]["Customer"])
    orders = _table(client, auth, status["data"]["Order"])
    lines = _table(client, auth, status["data"]["Line"])
    assert (len(customers), len(orders), len(lines)) == (200, 416, 1295)
    assert status["count"] == 200 + 416 + 1295
    assert {o["customer_id"] for o in orders} <= {c["id"] for c in customers}
    by_id = {o["id"]: o for o in orders}
    assert all(line["ordered_on"] == by_id[line["order_id"]]["ordered_on"] for line in lines)
    numbers: dict[str, list[str]] = {}
    for line in lines:
        numbers.setdefault(line["order_id"], []).append(line["line_no"])
    assert list(numbers) == [o["id"] for o in orders]  # every order has 1..5 lines, in order
    assert {len(n) for n in numbers.values()} == {1, 2, 3, 4, 5}
    assert all(n == [str(i) for i in range(1, len(n) + 1)] for n in numbers.values())
    # A single-entity job of the children gives the same bytes, its count left out.
    one = _submit(client, auth, project, entity_name="Line", format="csv", seed=3)
    assert one["count"] == 1295
    assert _table(client, auth, one["data"]["Line"]) == lines


def test_scaled_parents_scale_their_children(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth, SHOP)
    status = _submit(client, auth, project, entities="*", format="csv", seed=3, scale=0.5)
    assert status["status"] == "completed", status
    orders = _table(client, auth, status["data"]["Order"])
    lines = _table(client, auth, status["data"]["Line"])
    assert {o["customer_id"] for o in orders} <= {str(i) for i in range(1, 101)}
    assert {line["order_id"] for line in lines} == {o["id"] for o in orders}


def test_a_count_other_than_the_groups_sum_is_refused(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth, SHOP)
    body = {"entity_name": "Order", "count": 5, "seed": 3}
    r = client.post(f"/data/{project}", json=body, headers=auth)
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == "count"
    assert r.json()["detail"] == (
        "Order is made in groups per parent row: with seed 3 it has 416 rows, not 5; "
        "leave count out"
    )


def test_a_bad_dataset_schema_is_refused_with_path_and_line(
    client: Client, auth: dict[str, str]
) -> None:
    bad = SHOP.replace("field: ordered_on}", "field: ordered}").replace(
        "per: Order, min: 1", "per: Ordr, min: 1"
    )
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    r = client.post(
        "/project", json={"project_group_id": group["id"], "name": "p", "data": bad}, headers=auth
    )
    assert r.status_code == 422, r.json()
    assert [(e["path"], e["line"]) for e in r.json()["errors"]] == [
        ("entities.Line.count.per", 4),
        ("entities.Line.fields.ordered_on.field", 8),
    ]
    assert r.json()["errors"][1]["message"] == (
        "entity Order has no field 'ordered'; did you mean ordered_on?"
    )
