"""A real ``drafta serve`` process on 127.0.0.1, for tests that need the whole service."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

KEY_RE = re.compile(r"^(dft_\S+)$", re.M)
CLUSTER_ONLY = {"DRAFTA_INPROCESS_ROWS": "0"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    home: Path
    env: Mapping[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[str] | None = None
    output: str = ""
    key: str | None = None
    args: tuple[str, ...] = ()
    cluster_only: bool = True  # False: small jobs run in the service as configured (benchmarks)
    _lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> LiveServer:
        # Tests of the service on a cluster mean every job to run there, however small.
        only = CLUSTER_ONLY if self.cluster_only else {}
        env = {**os.environ, "DRAFTA_HOME": str(self.home), **only, **self.env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port), *self.args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # A process group of its own, as a terminal gives a command: ``interrupt`` sends
            # Ctrl-C to the whole group, as a person pressing it would.
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        lines = self._lines
        threading.Thread(target=self._pump, daemon=True).start()
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                time.sleep(0.2)
                raise RuntimeError(f"server exited early:\n{''.join(lines)}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"server did not start:\n{''.join(lines)}")
        self.output = "".join(lines)
        found = KEY_RE.findall(self.output)
        if found:
            self.key = found[-1]
        return self

    def _pump(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.append(line)

    def read_output(self) -> str:
        self.output = "".join(self._lines)
        return self.output

    def kill(self) -> None:
        """SIGKILL: the crash case, nothing gets to clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def interrupt(self, timeout: float = 30) -> int:
        """Ctrl-C at the terminal: SIGINT to the server's whole process group; its exit code."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGINT)
        code = self.proc.wait(timeout)
        self.read_output()
        return code

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.read_output()
