"""Hidden fields: generated and readable by templates and references, written nowhere, and
changing no other column's bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipeline.exporters import export
from pipeline.local import generate
from pipeline.schema import catalogue, load_schema
from tests.jobhelpers import make_project

Client = TestClient[Litestar]

USERS = """\
version: 1
seed: 11
entities:
  User:
    count: 50
    fields:
      id: {type: sequence, hidden: true}
      first: {type: choice, values: [Ann, Bob], hidden: true}
      login: {type: template, template: "{first|lower}{id}"}
      age: {type: integer, min: 18, max: 90}
  Post:
    count: 20
    fields:
      n: {type: sequence}
      author: {type: reference, entity: User}
"""

PLAIN = """\
version: 1
seed: 5
entities:
  A:
    fields:
      id: {type: sequence}
      score: {type: integer, min: 0, max: 100, null_rate: 0.2}
      tag: {type: choice, values: [x, y, z]}
      note: {type: template, template: "{tag}-{id}"}
"""

WITH_SECRET = PLAIN.replace(
    "      tag:", "      secret: {type: float, min: 0, max: 1, hidden: true}\n      tag:"
)


def _out(tmp_path: Path, text: str, entity: str, fmt: str, count: int = 50, **kw: object) -> Path:
    path = tmp_path / f"{entity}-{fmt}-{len(text)}-{kw.get('shard_rows', 0)}.{fmt}"
    generate(text, entity, count, format=fmt, out=str(path), **kw)  # type: ignore[arg-type]
    return path


def test_hidden_fields_are_in_no_format_yet_templates_read_them(tmp_path: Path) -> None:
    rows = json.loads(_out(tmp_path, USERS, "User", "json").read_text())
    assert list(rows[0]) == ["login", "age"]
    assert [r["login"] for r in rows[:3]] == ["ann1", "ann2", "bob3"]
    shown = json.loads(
        _out(tmp_path, USERS.replace(", hidden: true", ""), "User", "json").read_text()
    )
    assert [r["login"] for r in rows] == [f"{r['first'].lower()}{r['id']}" for r in shown]
    header = _out(tmp_path, USERS, "User", "csv").read_text().splitlines()[0]
    assert header == "login,age"
    table = pq.read_table(_out(tmp_path, USERS, "User", "parquet"))
    assert table.column_names == ["login", "age"]


def test_a_reference_may_point_at_a_hidden_key(tmp_path: Path) -> None:
    posts = json.loads(_out(tmp_path, USERS, "Post", "json", count=20).read_text())
    assert list(posts[0]) == ["n", "author"]
    assert all(1 <= p["author"] <= 50 for p in posts)


def test_adding_a_hidden_field_changes_no_other_byte(tmp_path: Path) -> None:
    before = _out(tmp_path, PLAIN, "A", "csv", count=3000).read_bytes()
    after = _out(tmp_path, WITH_SECRET, "A", "csv", count=3000).read_bytes()
    assert before == after
    assert before.splitlines()[0] == b"id,score,tag,note"


def test_hiding_a_field_drops_only_its_column(tmp_path: Path) -> None:
    shown = WITH_SECRET.replace(", hidden: true", "")
    full = json.loads(_out(tmp_path, shown, "A", "json", count=500).read_text())
    hidden = json.loads(_out(tmp_path, WITH_SECRET, "A", "json", count=500).read_text())
    assert [{k: v for k, v in r.items() if k != "secret"} for r in full] == hidden


def test_hidden_output_is_the_same_on_one_and_five_shards(tmp_path: Path) -> None:
    one = _out(tmp_path, USERS, "User", "csv", count=5000).read_bytes()
    five = _out(tmp_path, USERS, "User", "csv", count=5000, shard_rows=1000).read_bytes()
    assert one == five


def test_exports_leave_hidden_fields_out() -> None:
    schema = load_schema(USERS)
    doc = json.loads(export(schema, "json_schema"))
    assert list(doc["$defs"]["User"]["properties"]) == ["login", "age"]
    assert doc["$defs"]["Post"]["properties"]["author"]["description"] == "references User.id"
    sql = export(schema, "sql")
    assert '"first"' not in sql and '"id"' not in sql.split('CREATE TABLE "Post"')[0]
    assert "REFERENCES" not in sql  # User has no id column to refer to
    assert '"author" BIGINT NOT NULL' in sql


def test_preview_leaves_hidden_fields_out(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth, USERS, name="hidden")
    r = client.post(
        f"/project/{project}/preview", json={"entity_name": "User", "count": 2}, headers=auth
    )
    assert r.status_code == 200, r.json()
    assert [list(row) for row in r.json()["rows"]] == [["login", "age"], ["login", "age"]]
    assert r.json()["rows"][0]["login"] == "ann1"


NESTED = """\
entities:
  A:
    fields:
      id: {type: sequence}
      address:
        type: object
        fields:
          city: {type: choice, values: [x], hidden: true}
      tags: {type: array, of: {type: integer, hidden: true}}
  B:
    fields:
      x: {type: integer, hidden: true}
"""


@pytest.mark.parametrize("how", ["post", "put"])
def test_hidden_inside_objects_and_arrays_is_refused(
    client: Client, auth: dict[str, str], how: str
) -> None:
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    body = {"project_group_id": group["id"], "name": "p", "data": NESTED}
    if how == "post":
        r = client.post("/project", json=body, headers=auth)
    else:
        made = client.post("/project", json={**body, "data": None}, headers=auth).json()
        r = client.put(f"/project/{made['id']}", json={"data": NESTED}, headers=auth)
    assert r.status_code == 422, r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"] == [
        {
            "path": "entities.A.fields.address.fields.city.hidden",
            "line": 8,
            "message": "hidden applies to top-level fields only; address.city is inside an object",
        },
        {
            "path": "entities.A.fields.tags.of.hidden",
            "line": 9,
            "message": "hidden applies to top-level fields only; tags[] is inside an array",
        },
        {
            "path": "entities.B.fields",
            "line": 11,
            "message": "every field is hidden: at least one must be written",
        },
    ]


def test_the_catalogue_lists_hidden() -> None:
    assert catalogue()["common_options"]["hidden"] == {
        "type": "boolean",
        "required": False,
        "default": False,
    }
