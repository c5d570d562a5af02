"""Use cases of API keys seen from one workspace (the web app's Settings tokens, its sessions).

storage.keys manages keys for the operator (every workspace); these use cases only ever
see and touch the keys of the workspace asking.
"""

from __future__ import annotations

from storage import keys
from storage.db import Database
from storage.errors import NotFound
from storage.keys import NewKey, Workspace


def workspace_for_prefix(db: Database, prefix: str) -> Workspace | None:
    """The workspace of an unrevoked key, by its prefix (a session keeps no secret)."""
    row = db.one(
        "SELECT w.id, w.name, w.webhook_secret FROM api_keys k "
        "JOIN workspaces w ON w.id = k.workspace_id WHERE k.prefix = ? AND k.revoked_at IS NULL",
        (prefix,),
    )
    return None if row is None else Workspace(row["id"], row["name"], row["webhook_secret"])


def list_tokens(db: Database, ws: str) -> list[dict]:
    """The workspace's unrevoked keys, newest first: prefixes and times, never secrets."""
    return db.query(
        "SELECT prefix, created_at FROM api_keys WHERE workspace_id = ? AND revoked_at IS NULL "
        "ORDER BY created_at DESC, prefix",
        (ws,),
    )


def create_token(db: Database, ws: Workspace) -> NewKey:
    return keys.create_key(db, ws.name)


def revoke_token(db: Database, ws: str, prefix: str) -> None:
    """Revoke one of the workspace's own keys; another workspace's prefix is not found."""
    row = db.one(
        "SELECT prefix FROM api_keys WHERE prefix = ? AND workspace_id = ? AND revoked_at IS NULL",
        (prefix, ws),
    )
    if row is None:
        raise NotFound("api key", prefix)
    keys.revoke_key(db, prefix)
