"""Tenant isolation: workspace B's key gets nothing of workspace A, on every route there is.

Routes are discovered from the app, so a new one fails here until it is classified below.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from tests.jobhelpers import make_project, wait_for

# The web app's pages (/, /app, /static) sign in with a session cookie, not a key:
# tests/test_web_isolation.py checks them.
PUBLIC = re.compile(r"^/(health$|schema|$|app/|static/)")
# Lists and workspace-wide routes: B gets an answer, but none of A's data in it.
COLLECTIONS = {
    ("GET", "/project-group"),
    ("GET", "/provider"),
    ("GET", "/data"),
    ("GET", "/settings/webhook"),
    ("GET", "/types"),
    ("POST", "/project-group"),
    ("POST", "/provider"),
    ("POST", "/provider/csv"),
}
# Request bodies that pass validation, so only the ownership check can refuse them.
PROJECT_BODY = {"data": "version: 1\nentities:\n  E:\n    fields:\n      id: {type: sequence}\n"}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/project-group"): {"name": "b-group"},
    ("POST", "/provider"): {"name": "b-blue", "data": ["blue"]},
    ("POST", "/project"): {"name": "b-project"},  # project_group_id: A's group, filled in
    ("PUT", "/project/{project_id}"): PROJECT_BODY,
    ("PUT", "/project/{group}/{name}"): PROJECT_BODY,
    ("PUT", "/provider/{provider_id}"): {"data": ["blue"]},
    ("POST", "/data/{project_id}"): {"entity_name": "Customer", "count": 10},
    ("POST", "/project/{project_id}/preview"): {"entity_name": "Customer", "count": 2},
    ("POST", "/project/{project_id}/{action}"): {"entity_name": "Customer", "count": 2},
    ("POST", "/project/{group}/{name}/preview"): {"entity_name": "Customer", "count": 2},
}
# Routes that take CSV: their body, and the query they need.
CSV_BODIES: dict[tuple[str, str], tuple[bytes, dict[str, str]]] = {
    ("POST", "/provider/csv"): (b"colour\nblue\n", {"name": "b-csv"}),
    ("PUT", "/provider/{provider_id}/csv"): (b"colour\nblue\n", {}),
}
# Fullwidth "s" and Cyrillic "o" make look-alikes of "shop".
LOOK_ALIKES = ["\uff53hop", "sh\u043ep"]
TRICKY_NAMES = ["..", ".", "a/b", "../etc", "a\x00b", "x" * 65, *LOOK_ALIKES, "a b", "-lead"]


def _operations(app: Litestar) -> list[tuple[str, str]]:
    ops: list[tuple[str, str]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or PUBLIC.match(route.path):
            continue
        template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        ops += [(m, template) for m in sorted(route.methods) if m not in ("OPTIONS", "HEAD")]
    return ops


@pytest.fixture
def world(client: TestClient[Litestar], auth: dict[str, str]) -> dict[str, str]:
    """Workspace A: a group, a project, a provider and a finished job."""
    project = make_project(client, auth, name="shop")
    group = client.get(f"/project/{project}", headers=auth).json()["project_group_id"]
    provider = client.post("/provider", json={"name": "colours", "data": ["red"]}, headers=auth)
    job = client.post(
        f"/data/{project}", json={"entity_name": "Customer", "count": 30}, headers=auth
    )
    assert wait_for(client, auth, job.json()["id"])["status"] == "completed"
    return {
        "ref": group,
        "group": "g-shop",
        "name": "shop",
        "project_id": project,
        "provider_id": provider.json()[0]["id"],
        "job_id": job.json()["id"],
        "entity": "Customer",
        "action": "preview",
    }


def test_every_route_refuses_another_workspaces_things(
    client: TestClient[Litestar],
    auth: dict[str, str],
    other_auth: dict[str, str],
    world: dict[str, str],
) -> None:
    a_secret = client.get("/settings/webhook", headers=auth).json()["secret"]
    ids = [world[k] for k in ("ref", "project_id", "provider_id", "job_id")]
    a_marks = [*ids, a_secret, '"colours"', '"g-shop"']
    unclassified = []
    checked = 0
    for method, template in _operations(client.app):
        params = re.findall(r"\{(\w+)\}", template)
        missing = [p for p in params if p not in world]
        if missing or (
            not params and (method, template) not in COLLECTIONS | {("POST", "/project")}
        ):
            unclassified.append(f"{method} {template}")
            continue
        body = BODIES.get((method, template))
        if (method, template) == ("POST", "/project"):
            body = {**body, "project_group_id": world["ref"]} if body else None
        # A group is named by name or by id: try both.
        variants = (
            [{"group": world["group"]}, {"group": world["ref"]}] if "group" in params else [{}]
        )
        for variant in variants:
            values = {**world, **variant}
            path = template.format(**{p: values[p] for p in params})
            if (method, template) in CSV_BODIES:
                content, query = CSV_BODIES[(method, template)]
                headers = {**other_auth, "Content-Type": "text/csv"}
                r = client.request(method, path, content=content, params=query, headers=headers)
            else:
                r = client.request(method, path, json=body, headers=other_auth)
            checked += 1
            if (method, template) in COLLECTIONS:
                assert r.status_code < 300, (method, path, r.text)
                assert not any(mark in r.text for mark in a_marks), (method, path, r.text)
            else:
                assert r.status_code == 404, (method, path, r.status_code, r.text)
                assert r.headers["content-type"].startswith("application/problem+json")
    assert not unclassified, f"classify these routes in this test: {unclassified}"
    assert checked >= 24
    # A's things are all still there, unchanged.
    assert client.get(f"/project/{world['project_id']}", headers=auth).status_code == 200
    assert client.get(f"/provider/{world['provider_id']}", headers=auth).json()["data"] == ["red"]
    status = client.get(f"/data/{world['job_id']}/status", headers=auth).json()
    assert status["status"] == "completed"
    assert client.get(f"/data/{world['job_id']}/download", headers=auth).status_code == 200


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_names_with_path_tricks_are_refused(
    client: TestClient[Litestar], auth: dict[str, str], name: str
) -> None:
    group = client.post("/project-group", json={"name": "ok"}, headers=auth).json()["id"]
    answers = [
        client.post("/project-group", json={"name": name}, headers=auth),
        client.post("/project", json={"project_group_id": group, "name": name}, headers=auth),
        client.post("/provider", json={"name": name, "data": [1]}, headers=auth),
    ]
    assert [a.status_code for a in answers] == [422, 422, 422], [a.text for a in answers]
    assert all(a.json()["field"] == "name" for a in answers)


def test_job_files_live_under_workspace_and_job_ids(
    client: TestClient[Litestar], auth: dict[str, str], world: dict[str, str]
) -> None:
    settings = client.app.state.settings
    row = client.app.state.db.one(
        "SELECT workspace_id, output_path FROM jobs WHERE id = ?", (world["job_id"],)
    )
    root = f"{settings.storage}/{row['workspace_id']}/{world['job_id']}/"
    assert row["output_path"].startswith(root)
    assert Path(row["output_path"]).is_file()
    names = {p.name for p in Path(settings.storage).iterdir()}
    assert names == {row["workspace_id"]}
