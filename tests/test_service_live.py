"""The whole service as a user starts it: ``drafta serve`` with its embedded LocalCluster."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT
from tests.live import LiveServer

EMBEDDED = {"DRAFTA_WORKERS": "2", "DRAFTA_DASHBOARD_ADDRESS": ":0"}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("live") / "home"


@pytest.fixture(scope="module")
def server(home: Path) -> Iterator[LiveServer]:
    live = LiveServer(home, env=EMBEDDED).start()
    yield live
    live.stop()


def _tour_script() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## A five-minute tour", 1)[1]
    blocks = re.findall(r"```sh\n(.*?)```", section, re.S)
    return str(blocks[1])


def test_first_start_prints_a_key_once(server: LiveServer) -> None:
    assert server.key is not None and server.key.startswith("dft_")
    assert "drafta keys create" in server.output
    assert server.output.count("dft_") == 1


def test_readme_tour_runs_against_the_service(server: LiveServer, tmp_path: Path) -> None:
    result = subprocess.run(
        ["bash", "-c", _tour_script()],
        env={"URL": server.url, "KEY": str(server.key), "PATH": os.environ["PATH"]},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status":"completed"' in result.stdout
    lines = (tmp_path / "orders.csv").read_text().splitlines()
    assert lines[0] == "id,customer_id,amount"
    assert len(lines) == 100_001
    assert "dashboard" not in result.stderr


def test_fifty_concurrent_writes_all_succeed(server: LiveServer) -> None:
    auth = {"Authorization": f"Bearer {server.key}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as http:

        def create(i: int) -> int:
            return http.post("/project-group", json={"name": f"c{i}"}).status_code

        with ThreadPoolExecutor(max_workers=50) as pool:
            codes = list(pool.map(create, range(50)))
        assert codes == [201] * 50
        names = {g["name"] for g in http.get("/project-group?limit=500").json()}
        assert {f"c{i}" for i in range(50)} <= names


def test_keys_cli_and_data_survive_a_restart(server: LiveServer, home: Path) -> None:
    env = {"DRAFTA_HOME": str(home), "PATH": os.environ["PATH"]}
    cli = [sys.executable, "-m", "service.cli"]
    created = subprocess.run(
        [*cli, "keys", "create", "--workspace", "analytics"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("dft_")
    assert "whsec_" in created.stdout
    listed = subprocess.run([*cli, "keys", "list"], env=env, capture_output=True, text=True)
    prefix = key[4:].split(".")[0]
    assert prefix in listed.stdout and "analytics" in listed.stdout
    assert key.split(".")[1] not in listed.stdout
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as http:
        assert http.post("/project-group", json={"name": "kept"}).status_code == 201
    server.stop()
    again = LiveServer(home, env=EMBEDDED).start()
    try:
        assert again.key is None  # a key exists: no new one is printed
        with httpx.Client(base_url=again.url, headers={"Authorization": f"Bearer {key}"}) as http:
            assert [g["name"] for g in http.get("/project-group").json()] == ["kept"]
        revoked = subprocess.run([*cli, "keys", "revoke", prefix], env=env, capture_output=True)
        assert revoked.returncode == 0
        gone = httpx.get(f"{again.url}/project-group", headers={"Authorization": f"Bearer {key}"})
        assert gone.status_code == 401
        missing = subprocess.run([*cli, "keys", "revoke", "nope"], env=env, capture_output=True)
        assert missing.returncode == 1
    finally:
        again.stop()


def _descendants(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found |= {int(child), *_descendants(int(child))}
    return found


def test_ctrl_c_stops_everything_quietly(tmp_path: Path) -> None:
    """Ctrl-C at the terminal ends the service, its embedded cluster and its workers, with
    nothing alarming said (no traceback, no leaked semaphores)."""
    live = LiveServer(tmp_path / "home", env={"DRAFTA_DASHBOARD_ADDRESS": ":0"}).start()
    assert live.proc is not None
    processes = _descendants(live.proc.pid)
    assert processes  # the embedded scheduler and its worker processes
    assert live.interrupt() == 0
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{p}").exists() for p in processes) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p for p in processes if Path(f"/proc/{p}").exists()] == []
    said = live.read_output()
    assert "Application shutdown complete" in said
    for alarming in ("Traceback", "leaked", "ERROR", "Error"):
        assert alarming not in said
