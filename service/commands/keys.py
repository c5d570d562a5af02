"""``drafta keys create|list|revoke``: API keys, managed on the service's database."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.db import Database
    from storage.keys import NewKey

# The database modules are imported by the handlers: `drafta --help` and the commands that
# need no database should not pay for sqlite-utils (and the pandas it loads) at start.


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("keys", help="create, list and revoke API keys")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create a key (printed once, as the last line)")
    create.add_argument("--workspace", default="default", help="workspace name (made if new)")
    create.set_defaults(handler=_create)
    listing = actions.add_parser("list", help="list keys by prefix (never the secrets)")
    listing.set_defaults(handler=_list)
    revoke = actions.add_parser("revoke", help="revoke a key by its prefix")
    revoke.add_argument("prefix")
    revoke.set_defaults(handler=_revoke)


def print_new_key(new: NewKey) -> None:
    if new.workspace_created:
        print(f"created workspace {new.workspace.name!r}")
        print(f"webhook signing secret: {new.workspace.webhook_secret}")
    print(f"API key for workspace {new.workspace.name!r} (shown once, keep it safe):")
    print(new.key)


def _database() -> Database:
    from service.database import open_database
    from service.settings import load_settings

    return open_database(load_settings())


def _create(args: argparse.Namespace) -> int:
    from storage.keys import create_key

    print_new_key(create_key(_database(), args.workspace))
    return 0


def _list(args: argparse.Namespace) -> int:
    from storage.keys import list_keys

    rows = list_keys(_database())
    print(f"{'PREFIX':<10} {'WORKSPACE':<20} {'CREATED':<21} REVOKED")
    for row in rows:
        print(
            f"{row['prefix']:<10} {row['workspace']:<20} {row['created_at']:<21} "
            f"{row['revoked_at'] or '-'}"
        )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    from storage.errors import NotFound
    from storage.keys import revoke_key

    try:
        revoke_key(_database(), args.prefix)
    except NotFound:
        print(f"no active key with prefix {args.prefix!r}")
        return 1
    print(f"revoked {args.prefix}")
    return 0
