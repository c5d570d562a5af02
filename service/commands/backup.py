"""``drafta backup PATH``: a consistent copy of the database, safe while the service runs."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "backup", help="copy the metadata database (online: the service may keep running)"
    )
    parser.add_argument("path", type=Path, help="file to write (must not exist)")
    parser.set_defaults(handler=_backup)


def _backup(args: argparse.Namespace) -> int:
    from service.database import open_database
    from service.settings import load_settings

    target: Path = args.path
    if target.exists():
        print(f"{target} exists; choose a new file")
        return 1
    db = open_database(load_settings())
    try:
        # SQLite's online backup reads a consistent snapshot even while another process writes.
        db.backup(target)
    finally:
        db.close()
    print(f"backed up {db.path} to {target}")
    return 0
