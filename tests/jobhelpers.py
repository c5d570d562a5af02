"""Small helpers for job tests: make a project, start a job, wait for it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

PEOPLE = """\
version: 1
entities:
  Customer:
    count: 1000
    fields:
      id: {type: sequence}
      first_name: person.first_name
      email: {type: template, template: "{first_name|lower}.{id}@example.com"}
      age: {type: integer, min: 18, max: 90}
      balance: {type: float, min: 0, max: 1000, decimals: 2, null_rate: 0.1}
      active: {type: boolean}
      joined: {type: datetime, start: 2020-01-01T00:00:00Z, end: 2024-12-31T00:00:00Z}
      birthday: {type: date, start: 1950-01-01, end: 2005-12-31}
      code: {type: pattern, pattern: "C-####", unique: true}
  Order:
    count: 3000
    fields:
      id: {type: uuid}
      customer_id: {type: reference, entity: Customer, field: id}
      amount: {type: float, min: 1, max: 500, decimals: 2}
"""


def make_project(
    client: TestClient[Litestar] | Any,
    auth: dict[str, str],
    schema: str = PEOPLE,
    name: str = "shop",
) -> str:
    group = client.post("/project-group", json={"name": f"g-{name}"}, headers=auth).json()
    r = client.post(
        "/project",
        json={"project_group_id": group["id"], "name": name, "data": schema},
        headers=auth,
    )
    assert r.status_code == 201, r.json()
    project_id: str = r.json()["id"]
    return project_id


def wait_for(
    client: TestClient[Litestar] | Any,
    auth: dict[str, str],
    job_id: str,
    timeout: float = 120,
    until: tuple[str, ...] = ("completed", "failed"),
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        body: dict[str, Any] = client.get(f"/data/{job_id}/status", headers=auth).json()
        if body["status"] in until:
            return body
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {body['status']}: {body}")
        time.sleep(0.05)


def run_job(
    client: TestClient[Litestar] | Any, auth: dict[str, str], project_id: str, **body: Any
) -> dict[str, Any]:
    """Start a job of the project with the request ``body`` and wait for its end; its status."""
    r = client.post(f"/data/{project_id}", json=body, headers=auth)
    assert r.status_code in (200, 201, 202), r.json()
    return wait_for(client, auth, r.json()["id"])


def wait_for_shards(
    http: Any,
    job_id: str,
    shards: int,
    timeout: float = 60,
    auth: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Until at least ``shards`` shards of a running job are done (to act mid-job)."""
    deadline = time.monotonic() + timeout
    while True:
        status: dict[str, Any] = http.get(f"/data/{job_id}/status", headers=auth).json()
        if status["progress"]["shards_done"] >= shards:
            return status
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id}: fewer than {shards} shards after {timeout}s")
        time.sleep(0.02)


def served_while_blocked(
    client: TestClient[Litestar] | Any,
    auth: dict[str, str],
    blocked: threading.Event,
    request: Callable[[], Any],
) -> Any:
    """Run ``request`` in a thread; once ``blocked`` says it waits on something slow, check
    that another request is answered meanwhile. Returns what ``request`` returned."""
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(request()))
    thread.start()
    assert blocked.wait(10)
    started = time.monotonic()
    assert client.get("/data", headers=auth).status_code == 200
    assert time.monotonic() - started < 0.75
    thread.join(10)
    return answers[0]
