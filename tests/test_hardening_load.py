"""The load script: a short run of it against its own service ends with no error."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_load_run_reports_every_endpoint_and_no_error() -> None:
    run = subprocess.run(
        [sys.executable, "bench/load.py", "--clients", "4", "--seconds", "3", "--workers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    for endpoint in ("GET /data/{id}/status", "POST /data/{project_id}", "POST /project "):
        row = re.search(rf"^{re.escape(endpoint)}\s+(\d+)", out, re.MULTILINE)
        assert row and int(row.group(1)) > 0, out
    assert "errors: 0 (database is locked: 0)" in out
    jobs = re.search(r"jobs: (\d+) submitted, (\d+) completed, 0 failed", out)
    assert jobs and int(jobs.group(1)) > 0 and jobs.group(1) == jobs.group(2), out
    assert "every job completed: yes" in out
    assert re.search(r"single client probe.*: [1-9]\d* requests", out), out
