"""A webhook goes to the address its host had when it was checked: the host is resolved once
per delivery, and a second DNS answer (a rebinding to somewhere else) is never asked for."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.webhooks.guard import PinnedUrl, UnsafeUrl, pin_url
from service.webhooks.sender import pinned_request
from tests.jobhelpers import make_project, wait_for
from tests.receiver import Receiver

Client = TestClient[Litestar]
HOST = "hooks.example"


class Resolver:
    """Answers 127.0.0.1 for ``HOST`` the first ``good`` times it is asked, then fails: any
    lookup past the checked ones would send the delivery nowhere."""

    def __init__(self, good: int) -> None:
        self.good = good
        self.asked: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != HOST:
            return self.real(host, port, *args, **kwargs)
        self.asked.append(host)
        if len(self.asked) > self.good:
            raise socket.gaierror(socket.EAI_NONAME, "rebound")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port or 0))]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver().start()
    yield hook
    hook.stop()


def test_a_delivery_connects_to_the_address_it_checked(
    client: Client, auth: dict[str, str], receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Resolver(good=2)  # once when the job is submitted, once for the delivery
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    receiver.secret = client.get("/settings/webhook", headers=auth).json()["secret"]
    port = receiver.url.split(":")[2].split("/")[0]
    url = f"http://{HOST}:{port}/hook"
    project = make_project(client, auth)
    r = client.post(
        f"/data/{project}",
        json={"entity_name": "Customer", "count": 5, "webhook_url": url},
        headers=auth,
    )
    assert r.status_code == 202, r.json()
    assert wait_for(client, auth, r.json()["id"])["status"] == "completed"
    deadline = time.monotonic() + 30
    while not receiver.received:
        assert time.monotonic() < deadline, "no delivery"
        time.sleep(0.05)
    (delivery,) = receiver.received
    assert delivery.answered == 200 and delivery.signature_ok
    assert delivery.host == f"{HOST}:{port}"
    assert resolver.asked == [HOST, HOST]


def test_pin_url_resolves_once_and_keeps_the_first_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolver = Resolver(good=1)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    pinned = pin_url(f"https://{HOST}/hook", allow=["127.0.0.0/8"])
    assert (pinned.host, pinned.address) == (HOST, "127.0.0.1")
    assert resolver.asked == [HOST]
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        pin_url(f"https://{HOST}/hook", allow=["127.0.0.0/8"])


def test_an_https_delivery_keeps_the_host_for_tls() -> None:
    pinned = PinnedUrl("https://hooks.example:8443/in?x=1", "hooks.example", "203.0.113.7")
    request = pinned_request(httpx.AsyncClient(), pinned, b"{}", {"webhook-id": "msg_1"})
    assert str(request.url) == "https://203.0.113.7:8443/in?x=1"
    assert request.headers["host"] == "hooks.example:8443"
    assert request.headers["webhook-id"] == "msg_1"
    assert request.extensions["sni_hostname"] == "hooks.example"
