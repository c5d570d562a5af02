"""``drafta assemble FILE.layout --out FILE``: the one file a laid-out job's shards make, written
from the job's folder on this machine, without the service."""

from __future__ import annotations

import argparse
import os
import sys


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "assemble",
        help="write the file a job's layout describes, from its shards (offline)",
        description="On a local disk a job of several shards keeps its shards and a layout, "
        "{entity}.{format}.layout beside the shards folder, instead of one merged file. This "
        "writes that file, byte for byte what a download of the job gives, from the layout "
        "and its shards: under a temporary name renamed at the end, so FILE is whole or not "
        "there. The shards stay. With --check it only verifies that every shard is there "
        "and holds the bytes the layout reads from it.",
    )
    parser.add_argument("layout", metavar="LAYOUT", help="the layout file (ends with .layout)")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument(
        "--out",
        metavar="PATH_OR_URL",
        help="the file to write: a path or any fsspec URL (options from "
        "DRAFTA_STORAGE_OPTIONS); '-' for stdout",
    )
    action.add_argument(
        "--check", action="store_true", help="only check the shards (exit 0 if all are whole)"
    )
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.set_defaults(handler=_assemble)


def _assemble(args: argparse.Namespace) -> int:
    from service.settings import load_settings
    from storage import files
    from storage.errors import StorageError
    from storage.merge import laid_out

    try:
        if args.check:
            size, pieces = laid_out.check(args.layout)
            shards = len({p.path for p in pieces if not isinstance(p, bytes)})
            print(f"{args.layout}: {size} bytes from {shards} shards, all whole")
        elif args.out == "-":
            size, _ = laid_out.check(args.layout)
            for chunk in files.read_range(args.layout, 0, size - 1):
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
        else:
            try:
                fs, target = files.filesystem(args.out, load_settings().storage_options)
            except (ValueError, ImportError) as exc:  # an unknown protocol, a missing backend
                print(f"drafta: {args.out}: {exc}", file=sys.stderr)
                return 1
            size = laid_out.write_file(args.layout, fs, target, replace=args.force)
            print(f"wrote {size} bytes to {args.out}")
    except BrokenPipeError:  # stdout's reader stopped early (`| head`): no traceback at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (StorageError, OSError) as exc:
        print(f"drafta: {exc}", file=sys.stderr)
        return 1
    return 0
