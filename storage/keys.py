"""Workspaces and their API keys.

A key is ``dft_<prefix>.<secret>``: looked up by prefix, the secret checked against its
SHA-256 (enough for 256 random bits) in constant time. Secrets are never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from storage.db import Database, new_id, now
from storage.errors import NotFound

KEY_PREFIX = "dft_"


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    webhook_secret: str


@dataclass(frozen=True)
class NewKey:
    key: str
    prefix: str
    workspace: Workspace
    workspace_created: bool


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def ensure_workspace(db: Database, name: str) -> tuple[Workspace, bool]:
    with db.write() as tx:
        row = next(iter(tx.query("SELECT * FROM workspaces WHERE name = ?", [name])), None)
        if row is not None:
            return Workspace(row["id"], row["name"], row["webhook_secret"]), False
        ws = Workspace(new_id(), name, new_webhook_secret())
        tx.table("workspaces").insert(
            {"id": ws.id, "name": name, "webhook_secret": ws.webhook_secret, "created_at": now()}
        )
        return ws, True


def create_key(db: Database, workspace_name: str = "default") -> NewKey:
    with db.write() as tx:
        ws, created = ensure_workspace(db, workspace_name)
        prefix = secrets.token_hex(4)
        secret = secrets.token_urlsafe(32)
        tx.table("api_keys").insert(
            {
                "prefix": prefix,
                "workspace_id": ws.id,
                "secret_hash": _hash(secret),
                "created_at": now(),
                "revoked_at": None,
            }
        )
    return NewKey(f"{KEY_PREFIX}{prefix}.{secret}", prefix, ws, created)


def list_keys(db: Database) -> list[dict]:
    return db.query(
        "SELECT k.prefix, w.name AS workspace, k.created_at, k.revoked_at FROM api_keys k "
        "JOIN workspaces w ON w.id = k.workspace_id ORDER BY k.created_at, k.prefix"
    )


def count_active_keys(db: Database) -> int:
    row = db.one("SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL")
    return int(row["n"]) if row else 0


def revoke_key(db: Database, prefix: str) -> None:
    with db.write() as tx:
        cur = tx.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE prefix = ? AND revoked_at IS NULL",
            [now(), prefix],
        )
        if cur.rowcount == 0:
            raise NotFound("api key", prefix)


def authenticate(db: Database, key: str) -> Workspace | None:
    """The workspace of a valid, unrevoked key, or None."""
    if not key.startswith(KEY_PREFIX) or "." not in key:
        return None
    prefix, _, secret = key[len(KEY_PREFIX) :].partition(".")
    row = db.one(
        "SELECT k.secret_hash, w.id, w.name, w.webhook_secret FROM api_keys k "
        "JOIN workspaces w ON w.id = k.workspace_id WHERE k.prefix = ? AND k.revoked_at IS NULL",
        (prefix,),
    )
    # Hash even when the prefix is unknown so timing does not reveal which prefixes exist.
    expected = row["secret_hash"] if row else _hash("")
    if not hmac.compare_digest(_hash(secret), expected) or row is None:
        return None
    return Workspace(row["id"], row["name"], row["webhook_secret"])
