"""A throwaway PostgreSQL server for tests: initdb into a temporary folder, listen on a free
port of 127.0.0.1 (and a socket folder of its own), stop and remove everything at the end.

PostgreSQL refuses to run as root: as root, the server runs as the ``postgres`` system user
(made when missing). Clients are the server's own ``psql``, run as any user over TCP."""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

SERVER_USER = "postgres"
ROLE = "drafta"


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    return Path(found[-1]).parent if found else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresServer:
    def __init__(self, bin_path: Path) -> None:
        self.bin = bin_path
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="drafta-pg-"))
        self.data = self.folder / "data"
        self.sockets = self.folder / "sockets"
        self._as_root = os.geteuid() == 0

    def _server_command(self, *args: str) -> list[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", SERVER_USER, "--", *command] if self._as_root else command

    def _run_server_tool(self, *args: str) -> None:
        subprocess.run(self._server_command(*args), check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresServer:
        self.sockets.mkdir()
        if self._as_root:
            _ensure_user(SERVER_USER)
            entry = pwd.getpwnam(SERVER_USER)
            for path in (self.folder, self.sockets):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run_server_tool(
            "initdb", "-D", str(self.data), "-U", ROLE, "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        log = str(self.folder / "server.log")
        self._run_server_tool(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )
        return self

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run_server_tool("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def psql(self, *args: str, database: str = "postgres") -> str:
        """psql's output; stops at the first error, which it raises with psql's message."""
        command = [str(self.bin / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", "127.0.0.1", "-p", str(self.port), "-U", ROLE, "-d", database, *args]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=300, env={**os.environ, "PGTZ": "UTC"}
        )
        if done.returncode != 0:
            raise AssertionError(f"psql failed: {done.stderr}")
        return done.stdout

    def create_database(self, name: str) -> str:
        self.psql("-c", f'CREATE DATABASE "{name}"')
        return name

    def run_file(self, path: Path | str, database: str) -> None:
        self.psql("-f", str(path), database=database)

    def query_json(self, sql: str, database: str) -> Any:
        """The one value of a query returning one JSON value, decoded."""
        return json.loads(self.psql("-A", "-t", "-c", sql, database=database))


def _ensure_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
            check=True,
            capture_output=True,
        )
