"""Webhooks: signed, retried on failure, one event id per job, never sent inside."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.webhooks.guard import UnsafeUrl, check_url
from service.webhooks.sender import retry_delay
from service.webhooks.signing import sign, verify
from tests.jobhelpers import make_project, wait_for
from tests.live import LiveServer, free_port
from tests.receiver import Receiver

Client = TestClient[Litestar]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver().start()
    yield hook
    hook.stop()


def _wait_received(receiver: Receiver, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.received) < n:
        assert time.monotonic() < deadline, f"only {len(receiver.received)} deliveries"
        time.sleep(0.05)


def test_signature_matches_the_standard_example() -> None:
    # The Standard Webhooks specification's published test vector.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert verify(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body, f"v1,bad {signature}")
    assert not verify(secret, "msg_other", "1614265330", body, signature)


def test_guard_refuses_inside_addresses() -> None:
    for url in [
        "http://127.0.0.1/x",
        "http://localhost/x",
        "http://10.1.2.3/",
        "http://192.168.0.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "file:///etc/passwd",
        "http://user:pw@8.8.8.8/",
        "http:///nohost",
    ]:
        with pytest.raises(UnsafeUrl):
            check_url(url)
    assert check_url("https://8.8.8.8/hook") == "https://8.8.8.8/hook"
    assert check_url("http://127.0.0.1:9/x", allow=["127.0.0.0/8"]) == "http://127.0.0.1:9/x"
    assert check_url("http://localhost:9/x", allow=["localhost"]) == "http://localhost:9/x"


def test_retry_schedule_with_retry_after() -> None:
    schedule = (0.0, 5.0, 300.0)
    first = retry_delay(schedule, 1, None)
    assert first is not None and 4.5 <= first <= 5.5
    assert retry_delay(schedule, 1, 60.0) == 60.0
    assert retry_delay(schedule, 3, None) is None


def test_completed_job_is_delivered_after_two_failures(
    client: Client, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.secret = client.get("/settings/webhook", headers=auth).json()["secret"]
    assert receiver.secret.startswith("whsec_")
    receiver.fail_first = 2
    project = make_project(client, auth)
    r = client.post(
        f"/data/{project}",
        json={"entity_name": "Customer", "count": 50, "webhook_url": receiver.url},
        headers=auth,
    )
    job = r.json()["id"]
    status = wait_for(client, auth, job)
    _wait_received(receiver, 3)
    time.sleep(0.5)  # no further deliveries after a success
    assert [d.answered for d in receiver.received] == [500, 500, 200]
    assert all(d.signature_ok for d in receiver.received)
    assert len({d.msg_id for d in receiver.received}) == 1
    event = receiver.received[-1].event
    assert event["type"] == "data.completed"
    assert event["data"]["id"] == job
    assert event["data"]["status"] == "completed"
    assert event["data"]["data"] == status["data"]
    from storage.jobs import attempts_of, deliveries_of

    db = client.app.state.db
    (delivery,) = deliveries_of(db, job)
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in attempts_of(db, delivery["id"])] == [500, 500, 200]


def test_failed_job_sends_failed_event(
    client: Client, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.secret = client.get("/settings/webhook", headers=auth).json()["secret"]
    project = make_project(client, auth)
    r = client.post(
        f"/data/{project}",
        json={"entity_name": "Order", "count": 5_000_000, "webhook_url": receiver.url},
        headers=auth,
    )
    client.delete(f"/data/{r.json()['id']}", headers=auth)
    _wait_received(receiver, 1)
    event = receiver.received[0].event
    assert event["type"] == "data.failed"
    assert event["data"]["error"] == "cancelled"
    assert receiver.received[0].signature_ok


def test_hanging_receiver_does_not_hold_up_jobs(
    client: Client, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.hang_seconds = 6
    project = make_project(client, auth)
    started = time.monotonic()
    first = client.post(
        f"/data/{project}",
        json={"entity_name": "Customer", "count": 10, "webhook_url": receiver.url},
        headers=auth,
    ).json()["id"]
    wait_for(client, auth, first)
    second = client.post(
        f"/data/{project}", json={"entity_name": "Customer", "count": 10}, headers=auth
    ).json()["id"]
    assert wait_for(client, auth, second)["status"] == "completed"
    # Well inside the hang, with room for a slow machine: the jobs never waited for it.
    assert time.monotonic() - started < 5


def test_pending_delivery_survives_a_restart(tmp_path: Path) -> None:
    """A delivery still owed when the service stops is sent by the next start."""
    port = free_port()
    env = {
        "DRAFTA_EXECUTOR": "inprocess",
        "DRAFTA_WEBHOOK_ALLOW": "127.0.0.1",
        "DRAFTA_WEBHOOK_RETRY": "0,2,2,2,2,2",
    }
    server = LiveServer(tmp_path / "home", env=env).start()
    auth = {"Authorization": f"Bearer {server.key}"}
    try:
        with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:
            project = make_project(http, {})
            hook = f"http://127.0.0.1:{port}/hook"  # nothing listens there yet
            job = http.post(
                f"/data/{project}",
                json={"entity_name": "Customer", "count": 20, "webhook_url": hook},
            ).json()["id"]
            wait_for(http, auth, job)
            secret = http.get("/settings/webhook").json()["secret"]
    finally:
        server.kill()
    receiver = Receiver(secret=secret, port=port).start()
    restarted = LiveServer(tmp_path / "home", env=env).start()
    try:
        _wait_received(receiver, 1)
        assert receiver.received[0].event["data"]["id"] == job
        assert receiver.received[0].signature_ok
    finally:
        restarted.stop()
        receiver.stop()


def test_a_job_of_several_entities_sends_one_webhook_naming_every_file(
    client: Client, auth: dict[str, str], receiver: Receiver
) -> None:
    receiver.secret = client.get("/settings/webhook", headers=auth).json()["secret"]
    project = make_project(client, auth)
    r = client.post(
        f"/data/{project}",
        json={"entities": "*", "scale": 0.2, "format": "csv", "webhook_url": receiver.url},
        headers=auth,
    )
    status = wait_for(client, auth, r.json()["id"])
    assert status["status"] == "completed", status
    _wait_received(receiver, 1)
    time.sleep(0.5)  # and no second delivery
    assert len(receiver.received) == 1
    event = receiver.received[0].event
    assert receiver.received[0].signature_ok
    assert event["data"] == status  # the body is what the status shows
    assert list(event["data"]["data"]) == ["Customer", "Order"]
