"""A real webhook receiver on 127.0.0.1 that verifies Standard Webhooks signatures."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from service.webhooks.signing import verify


@dataclass
class Received:
    msg_id: str
    timestamp: str
    body: bytes
    signature_ok: bool
    answered: int
    host: str = ""  # the Host header

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


@dataclass
class Receiver:
    secret: str = ""
    fail_first: int = 0
    hang_seconds: float = 0.0
    port: int = 0
    received: list[Received] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if receiver.hang_seconds:
                    threading.Event().wait(receiver.hang_seconds)
                with receiver._lock:
                    failing = len(receiver.received) < receiver.fail_first
                    status = 500 if failing else 200
                    receiver.received.append(
                        Received(
                            msg_id=self.headers.get("webhook-id", ""),
                            timestamp=self.headers.get("webhook-timestamp", ""),
                            body=body,
                            signature_ok=verify(
                                receiver.secret,
                                self.headers.get("webhook-id", ""),
                                self.headers.get("webhook-timestamp", "0"),
                                body,
                                self.headers.get("webhook-signature", ""),
                            ),
                            answered=status,
                            host=self.headers.get("host", ""),
                        )
                    )
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
