from __future__ import annotations

import hashlib
from pathlib import Path

from litestar import Litestar
from litestar.testing import TestClient

from storage import migrations
from storage.db import Database
from storage.key_cache import KeyCache
from storage.keys import create_key, revoke_key

Client = TestClient[Litestar]


def test_health_and_docs_need_no_key(client: Client) -> None:
    assert client.get("/health").json()["status"] == "ok"
    spec = client.get("/schema/openapi.json")
    assert spec.status_code == 200
    assert "/project-group" in spec.json()["paths"]
    assert client.get("/schema/swagger").status_code == 200


def test_missing_malformed_unknown_keys_are_401(client: Client) -> None:
    for headers in [
        {},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer dft_nope.nope"},
        {"Authorization": "Bearer garbage"},
    ]:
        r = client.get("/project-group", headers=headers)
        assert r.status_code == 401, headers
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert r.headers["content-type"].startswith("application/problem+json")


def test_keys_are_stored_hashed_and_revocable(client: Client) -> None:
    db = client.app.state.db
    new = create_key(db, "ws")
    secret = new.key.partition(".")[2]
    row = db.one("SELECT * FROM api_keys WHERE prefix = ?", (new.prefix,))
    assert row is not None
    assert secret not in str(row)
    assert row["secret_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    headers = {"Authorization": f"Bearer {new.key}"}
    assert client.get("/project-group", headers=headers).status_code == 200
    wrong = new.key[:-2] + ("AA" if not new.key.endswith("AA") else "BB")
    assert (
        client.get("/project-group", headers={"Authorization": f"Bearer {wrong}"}).status_code
        == 401
    )
    revoke_key(db, new.prefix)
    assert client.get("/project-group", headers=headers).status_code == 401


def test_workspaces_cannot_see_each_other(
    client: Client, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    group = client.post("/project-group", json={"name": "secret"}, headers=auth).json()
    project = client.post(
        "/project", json={"project_group_id": group["id"], "name": "p"}, headers=auth
    ).json()
    provider = client.post("/provider", json={"name": "P", "data": ["a"]}, headers=auth).json()[0]
    for path in [
        f"/project-group/{group['id']}",
        "/project-group/secret",
        f"/project/{project['id']}",
        "/project/secret/p",
        f"/provider/{provider['id']}",
    ]:
        assert client.get(path, headers=other_auth).status_code == 404, path
        assert client.delete(path, headers=other_auth).status_code == 404, path
    assert client.get("/project-group", headers=other_auth).json() == []
    assert client.get("/provider", headers=other_auth).json() == []
    put = client.put(f"/provider/{provider['id']}", json={"data": ["x"]}, headers=other_auth)
    assert put.status_code == 404
    cross = client.post(
        "/project", json={"project_group_id": group["id"], "name": "q"}, headers=other_auth
    )
    assert cross.status_code == 404
    # The same names are free in the other workspace.
    assert (
        client.post("/project-group", json={"name": "secret"}, headers=other_auth).status_code
        == 201
    )
    assert client.get(f"/project/{project['id']}", headers=auth).status_code == 200


def test_a_key_revoked_by_another_process_fails_on_the_next_request(client: Client) -> None:
    db = client.app.state.db
    new = create_key(db, "ws")
    headers = {"Authorization": f"Bearer {new.key}"}
    for _ in range(3):  # the key is now among those checked lately
        assert client.get("/project-group", headers=headers).status_code == 200
    # `drafta keys revoke` opens the database file on a connection of its own.
    other = Database(db.path)
    revoke_key(other, new.prefix)
    other.close()
    assert client.get("/project-group", headers=headers).status_code == 401


def test_a_deleted_key_fails_on_the_next_request(client: Client) -> None:
    db = client.app.state.db
    new = create_key(db, "short-lived")
    headers = {"Authorization": f"Bearer {new.key}"}
    assert client.get("/project-group", headers=headers).status_code == 200
    with db.write() as tx:
        tx.execute("DELETE FROM api_keys WHERE prefix = ?", [new.prefix])
    assert client.get("/project-group", headers=headers).status_code == 401


def test_checked_keys_are_kept_until_keys_or_workspaces_change(tmp_path: Path) -> None:
    db = Database(tmp_path / "keys.db")
    migrations.apply(db.db)
    cache = KeyCache(db)
    one = create_key(db, "one")
    first = cache.authenticate(one.key)
    assert first == one.workspace
    assert cache.authenticate(one.key) is first  # kept, not looked up again
    assert cache.authenticate(one.key + "x") is None
    assert cache.authenticate(one.key) is first
    two = create_key(db, "two")  # any change to the keys starts again from the database
    assert cache.authenticate(one.key) is not first
    assert cache.authenticate(one.key) == first
    # A new webhook secret, written by another process, is seen at once.
    other = Database(db.path)
    with other.write() as tx:
        tx.execute("UPDATE workspaces SET webhook_secret = 'whsec_new' WHERE name = 'two'")
    other.close()
    ws = cache.authenticate(two.key)
    assert ws is not None and ws.webhook_secret == "whsec_new"
    revoke_key(db, two.prefix)
    assert cache.authenticate(two.key) is None
    assert cache.authenticate(one.key) == first
    db.close()


def test_checked_keys_expire(tmp_path: Path) -> None:
    db = Database(tmp_path / "keys.db")
    migrations.apply(db.db)
    cache = KeyCache(db, ttl=0.0)
    key = create_key(db, "one").key
    first = cache.authenticate(key)
    assert first is not None
    assert cache.authenticate(key) is not first
    db.close()
