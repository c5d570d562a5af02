"""The web app's routes, every one of them: workspace isolation, CSRF, sign-in and headers.

Routes are discovered from the app, so a new page fails here until it is classified below.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient

from storage.keys import create_key
from tests.jobhelpers import make_project, wait_for

# Pages of the whole workspace: B gets them, with nothing of A's in them.
COLLECTIONS = {
    ("GET", "/app/projects"),
    ("GET", "/app/providers"),
    ("GET", "/app/jobs"),
    ("GET", "/app/settings"),
}
# Forms that make something new in the signed-in workspace.
CREATES = {("POST", "/app/groups"), ("POST", "/app/projects"), ("POST", "/app/providers")}
CREATES |= {("POST", "/app/settings/tokens")}
SIGNING = {("GET", "/app/sign-in"), ("POST", "/app/sign-in"), ("POST", "/app/sign-out")}
CSRF_RE = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def _web_operations(app: Litestar) -> list[tuple[str, str]]:
    ops: list[tuple[str, str]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/app/"):
            continue
        template = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path).rstrip("/")
        ops += [(m, template) for m in sorted(route.methods) if m not in ("OPTIONS", "HEAD")]
    return ops


def sign_in(client: TestClient[Litestar], key: str) -> str:
    """Sign the client in through the form; the CSRF token of its session."""
    page = client.get("/app/sign-in")
    token = CSRF_RE.search(page.text)
    assert token is not None
    answer = client.post(
        "/app/sign-in",
        data={"api_key": key, "_csrf": token.group(1)},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    signed = CSRF_RE.search(client.get("/app/projects").text)
    assert signed is not None
    return signed.group(1)


@pytest.fixture
def world(client: TestClient[Litestar], auth: dict[str, str]) -> dict[str, str]:
    """Workspace A: a project, a provider, a finished job and a key prefix."""
    project = make_project(client, auth, name="shop")
    provider = client.post("/provider", json={"name": "colours", "data": ["red"]}, headers=auth)
    job = client.post(
        f"/data/{project}", json={"entity_name": "Customer", "count": 30}, headers=auth
    )
    assert wait_for(client, auth, job.json()["id"])["status"] == "completed"
    group = client.get(f"/project/{project}", headers=auth).json()["project_group_id"]
    return {
        "group_id": group,
        "project_id": project,
        "provider_id": provider.json()[0]["id"],
        "job_id": job.json()["id"],
        "entity": "Customer",
        "prefix": auth["Authorization"].removeprefix("Bearer dft_").partition(".")[0],
    }


def test_every_page_refuses_another_workspaces_things(
    client: TestClient[Litestar], auth: dict[str, str], world: dict[str, str]
) -> None:
    secret = client.get("/settings/webhook", headers=auth).json()["secret"]
    b_key = create_key(client.app.state.db, "team-b").key
    csrf = sign_in(client, b_key)
    marks = [*world.values(), secret, "colours", "g-shop"]
    unclassified, checked = [], 0
    for method, template in _web_operations(client.app):
        params = re.findall(r"\{(\w+)\}", template)
        if (method, template) in SIGNING | CREATES:
            continue
        if any(p not in world for p in params) or (
            not params and (method, template) not in COLLECTIONS
        ):
            unclassified.append(f"{method} {template}")
            continue
        path = template.format(**{p: world[p] for p in params})
        form = {"_csrf": csrf, "schema": "version: 1", "name": "x", "values": "a"}
        kwargs: dict[str, Any] = {"data": form} if method == "POST" else {}
        if path.endswith("/check"):
            kwargs = {"json": {"data": "version: 1"}, "headers": {"X-CSRF-Token": csrf}}
        answer = client.request(method, path, follow_redirects=False, **kwargs)
        checked += 1
        if (method, template) in COLLECTIONS:
            assert answer.status_code == 200, (method, path)
            assert not any(m in answer.text for m in marks), (method, path)
        else:
            assert answer.status_code == 404, (method, path, answer.status_code)
    assert not unclassified, f"classify these routes in this test: {unclassified}"
    assert checked >= 19
    # A's things are all still there, unchanged.
    assert client.get(f"/provider/{world['provider_id']}", headers=auth).json()["data"] == ["red"]
    assert client.get("/project-group", headers=auth).status_code == 200
    status = client.get(f"/data/{world['job_id']}/status", headers=auth).json()
    assert status["status"] == "completed"


def test_every_form_needs_its_csrf_token(
    client: TestClient[Litestar], auth: dict[str, str], world: dict[str, str]
) -> None:
    key = auth["Authorization"].removeprefix("Bearer ")
    sign_in(client, key)
    posts = [(m, t) for m, t in _web_operations(client.app) if m == "POST"]
    assert len(posts) >= 12
    for _, template in posts:
        path = template.format(**world)
        answer = client.post(path, data={"name": "forged"}, follow_redirects=False)
        assert answer.status_code == 403, (path, answer.status_code)
    # Nothing was made, changed or revoked.
    assert client.get("/project-group", headers=auth).json()[0]["name"] == "g-shop"
    assert client.get(f"/provider/{world['provider_id']}", headers=auth).json()["name"] == "colours"


def test_pages_need_a_session_and_a_key_in_the_header_is_not_one(
    client: TestClient[Litestar], auth: dict[str, str], world: dict[str, str]
) -> None:
    answer = client.get("/app/projects", headers=auth, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/app/sign-in"
    status = client.get(
        f"/app/jobs/{world['job_id']}/status", headers={"Accept": "application/json"}
    )
    assert status.status_code == 401
    # A form sent after the session ended leads back to the sign-in, not to an error.
    form = client.post("/app/groups", data={"name": "late"}, follow_redirects=False)
    assert form.status_code == 303 and form.headers["location"] == "/app/sign-in"


def test_a_wrong_key_is_refused_and_a_right_one_opens_a_fresh_session(
    client: TestClient[Litestar], auth: dict[str, str]
) -> None:
    page = client.get("/app/sign-in")
    before = client.cookies["drafta_session"]
    token = CSRF_RE.search(page.text)
    assert token is not None
    wrong = client.post("/app/sign-in", data={"api_key": "dft_x.y", "_csrf": token.group(1)})
    assert "That API key is unknown or revoked." in wrong.text
    assert "Traceback" not in wrong.text
    sign_in(client, auth["Authorization"].removeprefix("Bearer "))
    # A session id planted before signing in is not the signed-in one.
    assert client.cookies["drafta_session"] != before


def test_pages_send_a_strict_content_security_policy(
    client: TestClient[Litestar], auth: dict[str, str]
) -> None:
    sign_in(client, auth["Authorization"].removeprefix("Bearer "))
    answer = client.get("/app/projects")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert "<script>" not in answer.text and "style=" not in answer.text
    cookie = answer.headers.get("set-cookie", "")
    assert cookie == ""  # the session cookie is set once, at sign-in


def test_the_session_cookie_is_secure_behind_https(client: TestClient[Litestar]) -> None:
    answer = client.get("https://testserver.local/app/sign-in")
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" in cookie
    plain = client.get("/app/sign-in").headers.get("set-cookie", "").lower()
    assert "secure" not in plain
