"""A real Dask cluster for tests: ``dask scheduler`` and ``dask worker`` as separate processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from distributed import Client

from pipeline import WORKER_PRELOAD
from tests.live import free_port


def _dask_cli(*args: str) -> list[str]:
    # The `dask` console script of this interpreter's environment.
    return [str(Path(sys.executable).with_name("dask")), *args]


@dataclass
class DaskCluster:
    workdir: Path
    port: int = field(default_factory=free_port)
    scheduler: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self, n_workers: int = 2) -> DaskCluster:
        self.start_scheduler()
        for _ in range(n_workers):
            self.add_worker()
        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(n_workers, timeout=60)
        return self

    def start_scheduler(self) -> None:
        """Start the scheduler (again, after it was killed: same address)."""
        log = open(self.workdir / "scheduler.log", "ab")  # noqa: SIM115
        self.scheduler = subprocess.Popen(
            _dask_cli(
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dashboard-address",
                ":0",
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def add_worker(self) -> subprocess.Popen[bytes]:
        index = len(self.workers)
        log = open(self.workdir / f"worker{index}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            _dask_cli(
                "worker",
                self.address,
                "--nworkers",
                "1",
                "--nthreads",
                "1",
                "--no-dashboard",
                "--preload",
                WORKER_PRELOAD,
                "--host",
                "127.0.0.1",
                "--death-timeout",
                "60",
                "--local-directory",
                str(self.workdir / f"w{index}"),
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.workers.append(proc)
        return proc

    def replace_worker(self) -> None:
        """Kill the oldest worker (SIGKILL, mid-task) and start a new one."""
        victim = self.workers.pop(0)
        victim.kill()
        self.add_worker()

    def live_workers(self) -> int:
        with Client(self.address, timeout=30) as client:
            return len(client.scheduler_info()["workers"])

    def wait_for_workers(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while self.live_workers() < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"fewer than {n} workers after {timeout}s")
            time.sleep(0.2)

    def stop(self) -> None:
        for proc in [*self.workers, self.scheduler]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
        for proc in [*self.workers, self.scheduler]:
            if proc is not None:
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
