"""Every wrong job request is refused before anything runs, naming the field at fault."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.jobhelpers import make_project, served_while_blocked

Client = TestClient[Litestar]


def _post(client: Client, auth: dict[str, str], project: str, **body: object) -> dict:
    r = client.post(f"/data/{project}", json=body, headers=auth)
    return {"status": r.status_code, **r.json()}


def test_bad_requests_are_refused(client: Client, auth: dict[str, str]) -> None:
    project = make_project(client, auth)
    cases: list[tuple[dict[str, object], int, str | None]] = [
        ({"entity_name": "Nope", "count": 5}, 422, "entity_name"),
        ({"entity_name": "Customer", "count": 0}, 422, "count"),
        ({"entity_name": "Customer", "count": 10**12}, 422, "count"),
        ({"entity_name": "Customer", "count": 5, "format": "xml"}, 422, "format"),
        (
            {"entity_name": "Customer", "count": 5, "webhook_url": "ftp://x.org/h"},
            422,
            "webhook_url",
        ),
        (
            {"entity_name": "Customer", "count": 5, "webhook_url": "http://169.254.169.254/latest"},
            422,
            "webhook_url",
        ),
        (
            {"entity_name": "Customer", "count": 5, "webhook_url": "http://10.0.0.1/"},
            422,
            "webhook_url",
        ),
        ({"entity_name": "Customer", "count": 5, "seed": -1}, 422, "seed"),
        ({"count": 5}, 422, None),
    ]
    for body, status, field in cases:
        answer = _post(client, auth, project, **body)
        assert answer["status"] == status, (body, answer)
        if field:
            assert field in (answer.get("field") or "") + answer["detail"], (body, answer)
    unknown = _post(client, auth, project, entity_name="Nope", count=5)
    assert "Customer" in unknown["detail"] and "Order" in unknown["detail"]
    assert _post(client, auth, "no-such-project", entity_name="Customer", count=5)["status"] == 404
    assert client.get("/data", headers=auth).json() == []


def test_impossible_uniqueness_is_refused_naming_the_field(
    client: Client, auth: dict[str, str]
) -> None:
    project = make_project(client, auth)
    answer = _post(client, auth, project, entity_name="Customer", count=20_000)
    assert answer["status"] == 422
    assert any("code" in e["path"] for e in answer["errors"]), answer


def test_project_without_schema(client: Client, auth: dict[str, str]) -> None:
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    pid = client.post(
        "/project", json={"project_group_id": group["id"], "name": "empty"}, headers=auth
    ).json()["id"]
    answer = _post(client, auth, pid, entity_name="X", count=1)
    assert answer["status"] == 422
    assert "schema" in answer["detail"]


def test_other_workspace_cannot_submit(
    client: Client, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    project = make_project(client, auth)
    assert _post(client, other_auth, project, entity_name="Customer", count=5)["status"] == 404


def test_a_slow_webhook_host_lookup_holds_up_no_other_request(
    client: Client, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(client, auth)
    real_lookup = socket.getaddrinfo
    looking_up = threading.Event()

    def slow_lookup(host: str, *args: Any, **kwargs: Any) -> Any:
        if host != "slow.example":
            return real_lookup(host, *args, **kwargs)
        looking_up.set()
        time.sleep(1.5)  # a DNS server taking its time
        return real_lookup("192.0.2.1", *args, **kwargs)  # a documentation address

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    body = {"entity_name": "Customer", "count": 5, "webhook_url": "http://slow.example/hook"}
    answer = served_while_blocked(
        client, auth, looking_up, lambda: _post(client, auth, project, **body)
    )
    assert answer["status"] == 422, answer
    assert "192.0.2.1" in answer["detail"] and answer["field"] == "webhook_url"


def test_saving_and_submitting_break_the_same_uniqueness_rule_alike(
    client: Client, auth: dict[str, str]
) -> None:
    fields = "    fields:\n      code: {type: pattern, pattern: 'C-#', unique: true}\n"
    project = make_project(client, auth, "entities:\n  A:\n" + fields, name="codes")
    saved = client.put(
        f"/project/{project}",
        json={"data": "entities:\n  A:\n    count: 12\n" + fields},
        headers=auth,
    )
    submitted = _post(client, auth, project, entity_name="A", count=12)
    expected = [
        (
            "entities.A.fields.code.unique",
            "cannot be unique: code has 10 possible value(s) but the entity's count is 12",
        )
    ]
    assert saved.status_code == 422
    assert [(e["path"], e["message"]) for e in saved.json()["errors"]] == expected
    assert submitted["status"] == 422
    assert [(e["path"], e["message"]) for e in submitted["errors"]] == expected
