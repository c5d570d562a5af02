"""Starting against a scheduler that is not there: one clear line, a non-zero exit, quickly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.live import free_port


def test_serve_against_an_unreachable_scheduler_fails_fast(tmp_path: Path) -> None:
    closed = free_port()
    address = f"tcp://127.0.0.1:{closed}"
    env = {
        **os.environ,
        "DRAFTA_HOME": str(tmp_path / "home"),
        "DRAFTA_SCHEDULER_ADDRESS": address,
        "DRAFTA_SCHEDULER_TIMEOUT": "3",
    }
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - started
    assert elapsed < 3 + 7  # the timeout, then the interpreter's start and end
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(
        f"drafta: cannot start: cannot reach the Dask scheduler at {address}"
    )
    assert "DRAFTA_SCHEDULER_ADDRESS" in lines[0]
    assert "Traceback" not in proc.stderr
    # Nothing was set up for a service that never started: no database, no first key.
    assert not (tmp_path / "home").exists()
