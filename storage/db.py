"""The SQLite metadata database: opening, pragmas and the one-writer rule.

One connection per process. Every multi-statement write runs in ``write()``, which takes a
process-wide lock and ``BEGIN IMMEDIATE``, so a request never meets "database is locked":
writers inside the process queue on the lock, other processes on SQLite's busy timeout.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

BUSY_TIMEOUT_MS = 30_000


class Database:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()

    @contextmanager
    def write(self) -> Iterator[sqlite_utils.Database]:
        """An immediate transaction: all of it lands or none of it does."""
        with self._lock:
            if self.db.conn.in_transaction:
                # Nested use joins the outer transaction through a savepoint.
                with self.db.atomic():
                    yield self.db
                return
            self.db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.conn.execute("ROLLBACK")
                raise
            self.db.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[object, ...] | dict[str, object] = ()) -> list[dict]:
        with self._lock:
            return list(self.db.query(sql, params))

    def one(self, sql: str, params: tuple[object, ...] | dict[str, object] = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def on_change(self, name: str, tables: Sequence[str], callback: Callable[[], None]) -> None:
        """Call ``callback`` whenever this connection inserts, updates or deletes rows of these
        tables, cascades included (temporary triggers: they belong to this connection alone and
        are gone with it). The call comes inside the writing statement, before its commit; a
        second registration under the same ``name`` replaces the first one's callback."""
        function = f"drafta_{name}_changed"
        with self._lock:
            self.db.conn.create_function(function, 0, callback)
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    self.db.conn.execute(
                        f"CREATE TEMP TRIGGER IF NOT EXISTS {name}_{table}_{event.lower()} "
                        f"AFTER {event} ON main.{table} BEGIN SELECT {function}(); END"
                    )

    def data_version(self) -> int:
        """SQLite's ``PRAGMA data_version``: it changes whenever another connection (another
        process, such as ``drafta keys revoke``) has committed a change since the last call;
        this connection's own changes leave it as it is."""
        with self._lock:
            row = self.db.conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def backup(self, target: str | Path) -> None:
        """A consistent copy of the live database (SQLite's online backup)."""
        with self._lock:
            dest = sqlite3.connect(target)
            try:
                self.db.conn.backup(dest)
            finally:
                dest.close()

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()


def new_id() -> str:
    """A random, URL-safe id (about 72 bits) that does not start with "-": command lines
    (`drafta remote status ID`) would read such an id as an option."""
    while True:
        token = secrets.token_urlsafe(9)
        if not token.startswith("-"):
            return token


def now() -> str:
    """The current time as ISO 8601 UTC with a ``Z``, to the second."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
