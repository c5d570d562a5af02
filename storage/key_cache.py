"""API keys this process has checked lately, so that a client polling a status every 50 ms
does not have its key looked up and hashed on every request.

An entry is used only while nothing about keys or workspaces has changed since it was made:
temporary triggers count this process's own changes to ``api_keys`` and ``workspaces``, and
``PRAGMA data_version`` reports any other connection's commit (``drafta keys revoke`` in
another process, say). A revoked key, a deleted workspace or a new webhook secret is therefore
seen on the very next request. Entries also expire after ``ttl`` seconds, and only keys that
were valid are kept: an unknown key is looked up every time.
"""

from __future__ import annotations

import hashlib
import time

from storage.db import Database
from storage.keys import Workspace, authenticate

Stamp = tuple[int, int]  # (data_version, changes made through this connection)


class KeyCache:
    def __init__(self, db: Database, ttl: float = 5.0, size: int = 10_000) -> None:
        self.db = db
        self.ttl = ttl
        self.size = size
        self._changes = 0
        # By the key's SHA-256, so secrets do not stay in memory after their request.
        self._found: dict[bytes, tuple[Workspace, Stamp, float]] = {}
        db.on_change("keys", ("api_keys", "workspaces"), self._changed)

    def _changed(self) -> None:
        self._changes += 1

    def authenticate(self, key: str) -> Workspace | None:
        """The workspace of a valid, unrevoked key, or None: ``storage.keys.authenticate``."""
        # Read before the lookup: a change landing during it makes the entry stale at once.
        stamp = (self.db.data_version(), self._changes)
        now = time.monotonic()
        digest = hashlib.sha256(key.encode()).digest()
        found = self._found.get(digest)
        if found is not None and found[1] == stamp and found[2] > now:
            return found[0]
        workspace = authenticate(self.db, key)
        if workspace is None:
            self._found.pop(digest, None)
            return None
        if len(self._found) >= self.size:
            self._found.clear()
        self._found[digest] = (workspace, stamp, now + self.ttl)
        return workspace
