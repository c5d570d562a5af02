"""An import through the API answers with its warnings; YAML answers stay as they were."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

Client = TestClient[Litestar]

SCRIPT = (
    "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
    "CREATE TABLE t (id SERIAL PRIMARY KEY, name VARCHAR(20) NOT NULL);\n"
    "CREATE VIEW v AS SELECT id FROM t;\n"
)
YAML = "version: 1\nentities:\n  A:\n    fields:\n      id: sequence\n"


def test_put_and_post_with_a_format_report_warnings(client: Client, auth: dict[str, str]) -> None:
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    created = client.post(
        "/project",
        json={"project_group_id": group["id"], "name": "p", "data": SCRIPT, "format": "sql"},
        headers=auth,
    )
    assert created.status_code == 201
    expected = [
        {
            "line": 1,
            "message": "skipped CREATE FUNCTION f(): not about tables, types, keys or constraints",
        },
        {
            "line": 3,
            "message": "skipped CREATE VIEW v: not about tables, types, keys or constraints",
        },
    ]
    assert created.json()["warnings"] == expected
    pid = created.json()["id"]
    updated = client.put(f"/project/{pid}", json={"data": SCRIPT, "format": "sql"}, headers=auth)
    assert updated.status_code == 200
    assert updated.json()["warnings"] == expected
    as_yaml = client.put(f"/project/{pid}", json={"data": YAML}, headers=auth)
    assert "warnings" not in as_yaml.json()
    assert "warnings" not in client.get(f"/project/{pid}", headers=auth).json()
