"""A throwaway PostgreSQL server for tests: initdb in a temporary folder, started on 127.0.0.1.

The binaries come from PATH or the Debian layout (``/usr/lib/postgresql/N/bin``); ``make test``
installs them when missing. PostgreSQL refuses to run as root: as root, the server runs as the
``postgres`` system user when there is one, else as a dedicated system user created here.
Clients (``psql``) connect over TCP as the superuser ``postgres`` with trust authentication.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SERVICE_USER = "drafta-pg"


def binaries() -> Path | None:
    """The folder holding initdb, pg_ctl and psql, or None when PostgreSQL is not installed."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        folder = Path(os.path.realpath(found)).parent
        if (folder / "psql").exists():
            return folder
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_user() -> pwd.struct_passwd | None:
    """Who runs the server: None for the current user, unless that is root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", SERVICE_USER):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam(SERVICE_USER)


class Postgres:
    def __init__(self, root: Path, bin_dir: Path) -> None:
        self.root = root
        self.bin = bin_dir
        self.data = root / "data"
        self.sockets = root / "sockets"
        self.port = _free_port()
        self.user = _server_user()

    def _as_server(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        extra: dict[str, Any] = {}
        if self.user is not None:
            extra = {"user": self.user.pw_uid, "group": self.user.pw_gid}
        return subprocess.run(
            args, capture_output=True, text=True, cwd=self.root, check=False, **extra
        )

    def start(self) -> Postgres:
        self.sockets.mkdir(parents=True)
        if self.user is not None:
            for path in (self.root, self.sockets):
                os.chown(path, self.user.pw_uid, self.user.pw_gid)
        done = self._as_server(
            [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "--no-sync", "-E", "UTF8", "--locale=C"]
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"initdb failed: {done.stderr}")
        options = (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        done = self._as_server(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-t", "60",
             "-l", str(self.root / "server.log"), "start"]
        )  # fmt: skip
        if done.returncode:
            log = (
                (self.root / "server.log").read_text()
                if (self.root / "server.log").exists()
                else ""
            )
            raise RuntimeError(f"pg_ctl start failed: {done.stderr}{log}")
        return self

    def stop(self) -> None:
        self._as_server([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])

    def psql(
        self, database: str, *args: str, stdin: str | None = None, stop_on_error: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """psql; with ``stop_on_error`` a failing statement stops it with a non-zero code."""
        stop = ["-v", "ON_ERROR_STOP=1"] if stop_on_error else []
        return subprocess.run(
            [str(self.bin / "psql"), "-X", "-q", *stop, "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", database, *args],
            input=stdin, capture_output=True, text=True, check=False,
        )  # fmt: skip

    def create_database(self, name: str) -> None:
        done = self.psql("postgres", "-c", f'CREATE DATABASE "{name}"')
        if done.returncode:
            raise RuntimeError(done.stderr)


@contextlib.contextmanager
def throwaway() -> Iterator[Postgres]:
    """A server started in a new temporary folder, stopped and removed at the end. Not pytest's
    tmp_path: its parents are private to root, and the server may run as another user."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL is not installed (make test installs it)")
    root = Path(tempfile.mkdtemp(prefix="drafta-pg-"))
    server = Postgres(root, bin_dir)
    try:
        yield server.start()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
