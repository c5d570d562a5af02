"""``drafta serve``: the API on uvicorn, with the embedded defaults unless configured."""

from __future__ import annotations

import argparse
import asyncio
import sys

# The exit code when the configured Dask scheduler cannot be used (uvicorn itself uses 3
# for an application that fails to start).
CLUSTER_UNAVAILABLE = 2


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("serve", help="start the API service")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["critical", "error", "warning", "info", "debug"],
        help="the server's log level; info logs every request (default info)",
    )
    parser.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service import cluster
    from service.app import create_app
    from service.commands.keys import print_new_key
    from service.database import open_database
    from service.settings import load_settings
    from storage import keys

    settings = load_settings()
    try:
        asyncio.run(cluster.probe(settings))
    except cluster.ClusterUnavailable as exc:
        print(f"drafta: cannot start: {exc}", file=sys.stderr, flush=True)
        return CLUSTER_UNAVAILABLE
    db = open_database(settings)
    if keys.count_active_keys(db) == 0:
        print("No API key exists yet; here is the first one.")
        print("Make more with `drafta keys create [--workspace NAME]`.")
        print_new_key(keys.create_key(db, "default"))
    db.close()
    print(
        f"Drafta listening on http://{args.host}:{args.port} (web app at /, API docs at /schema)",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0
