"""Expressions through the API: every refusal of an expression, a `when:` or a `cases` is one
422 problem listing each fault with its path and line; preview computes them; GET /types lists
them."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from tests.jobhelpers import make_project, run_job

Client = TestClient[Litestar]

BAD = """\
entities:
  Order:
    count: 10
    fields:
      quantity: {type: integer, min: 1, max: 9}
      total: {type: expression, expr: "quantty * 2"}
      b: {type: expression, expr: "c + 1"}
      c: {type: expression, expr: "b * 2"}
      lucky: {type: expression, expr: "random() * quantity"}
      stamp: {type: expression, expr: "now()"}
      other: {type: expression, expr: "(SELECT max(quantity) FROM Order)"}
      label: {type: expression, expr: "'x' + 1"}
      gated: {type: integer, when: "quantity + 1"}
      mixed:
        type: cases
        cases:
          - {when: "quantity > 5", then: {type: integer}}
          - {when: "quantity > 2", then: person.first_name}
          - {when: "qantity > 1", then: {type: integer, unique: true}}
"""


def test_refusals_are_one_422_with_paths_and_lines(client: Client, auth: dict[str, str]) -> None:
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    body = {"project_group_id": group["id"], "name": "p", "data": BAD}
    r = client.post("/project", json=body, headers=auth)
    assert r.status_code == 422, r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    fields = "entities.Order.fields"
    assert r.json()["errors"] == [
        {
            "path": f"{fields}.total.expr",
            "line": 6,
            "message": "unknown field 'quantty' (did you mean 'quantity'?)",
        },
        {
            "path": f"{fields}.b",
            "line": 7,
            "message": "these expressions read each other, so none can be computed first: "
            "b -> c -> b",
        },
        {
            "path": f"{fields}.lucky.expr",
            "line": 9,
            "message": "random() is not allowed: expressions must give the same value for the "
            "same row, so randomness is refused (use a generated field instead)",
        },
        {
            "path": f"{fields}.stamp.expr",
            "line": 10,
            "message": "now() is not allowed: expressions must give the same value on every "
            "run, so the clock is refused (write the date out, e.g. DATE '2025-01-01')",
        },
        {
            "path": f"{fields}.other.expr",
            "line": 11,
            "message": "subqueries are not allowed: an expression reads only the fields of its "
            """own row (\'(SELECT MAX(quantity) FROM "Order")\')""",
        },
        {
            "path": f"{fields}.label.expr",
            "line": 12,
            "message": "cannot compute a string plus an integer in ''x' + 1' (join text with ||)",
        },
        {
            "path": f"{fields}.gated.when",
            "line": 13,
            "message": "a condition must be true or false, but 'quantity + 1' is an integer",
        },
        {
            "path": f"{fields}.mixed.cases",
            "line": 16,
            "message": "the branches of cases must agree on a type: cases[0] is an integer, "
            "cases[1] is a string, cases[2] is an integer",
        },
        {
            "path": f"{fields}.mixed.cases[2].when",
            "line": 19,
            "message": "unknown field 'qantity' (did you mean 'quantity'?)",
        },
        {
            "path": f"{fields}.mixed.cases[2].then.unique",
            "line": 19,
            "message": "unique is not allowed in a branch of cases",
        },
    ]


GOOD = """\
version: 1
seed: 4
entities:
  Order:
    fields:
      total: {type: expression, expr: "quantity * 2 + 0.5"}
      quantity: {type: integer, min: 1, max: 9}
      big: {type: boolean, when: "quantity > 4"}
      size: {type: cases, cases: [{when: "quantity > 4", then: {type: constant, value: L}}]}
"""


def test_preview_computes_expressions(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth, GOOD, name="computed")
    r = client.post(
        f"/project/{project}/preview", json={"entity_name": "Order", "count": 20}, headers=auth
    )
    assert r.status_code == 200, r.json()
    rows = r.json()["rows"]
    assert [row["total"] for row in rows] == [row["quantity"] * 2 + 0.5 for row in rows]
    assert [row["big"] is None for row in rows] == [row["quantity"] <= 4 for row in rows]
    assert [row["size"] for row in rows] == ["L" if row["quantity"] > 4 else None for row in rows]


def test_a_put_with_a_bad_condition_is_refused(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth, GOOD, name="computed")
    bad = GOOD.replace('"quantity > 4"', '"quantity > 4 AND sise = 1"')
    r = client.put(f"/project/{project}", json={"data": bad}, headers=auth)
    assert r.status_code == 422, r.json()
    assert r.json()["errors"] == [
        {
            "path": "entities.Order.fields.big.when",
            "line": 8,
            "message": "unknown field 'sise' (did you mean 'size'?)",
        },
        {
            "path": "entities.Order.fields.size.cases[0].when",
            "line": 9,
            "message": "unknown field 'sise' (did you mean 'size'?)",
        },
    ]


def test_the_catalogue_lists_expression_cases_and_when(
    client: Client, auth: dict[str, str]
) -> None:
    types = client.get("/types", headers=auth).json()
    assert types["types"]["expression"]["options"] == {"expr": {"type": "string", "required": True}}
    assert types["types"]["cases"]["options"] == {
        "cases": {"type": "list[case ({when: condition, then: field})]", "required": True},
        "else": {"type": "field | null", "required": False, "default": None},
    }
    assert types["common_options"]["when"] == {
        "type": "string | null",
        "required": False,
        "default": None,
    }


def test_a_job_writes_computed_columns(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth, GOOD, name="computed-job")
    status = run_job(client, auth, project, entity_name="Order", count=3000, format="json", seed=4)
    assert status["status"] == "completed", status
    rows = client.get(f"/data/{status['id']}/download", headers=auth).json()
    assert len(rows) == 3000
    assert [row["total"] for row in rows] == [row["quantity"] * 2 + 0.5 for row in rows]
    assert [row["big"] is None for row in rows] == [row["quantity"] <= 4 for row in rows]
