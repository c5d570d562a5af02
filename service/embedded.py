"""The embedded Dask cluster, run as a child process of the service.

A ``LocalCluster`` keeps its scheduler in the process that creates it. Inside the API process
the scheduler's bookkeeping would share one event loop (and one core) with every HTTP
request, so status polls would queue behind task traffic under load. Here it gets a process
of its own; the service talks to it as to any external scheduler. The child exits when its
standard input closes, which also happens when the service dies without cleaning up.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from distributed import LocalCluster

from pipeline import WORKER_PRELOAD, freeze_startup_objects

WORKER_NICENESS = 10


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.embedded")
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--dashboard-address", default=":8787")
    args = parser.parse_args(argv)
    # Workers do batch work; the API answers people. When both want the same cores, the
    # API goes first, so status polls stay quick while a large job runs.
    os.nice(WORKER_NICENESS)
    with LocalCluster(
        n_workers=args.workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=args.dashboard_address,
        preload=[WORKER_PRELOAD],
    ) as cluster:
        # The scheduler runs in this process, and its full collections paused it
        # while jobs streamed through.
        freeze_startup_objects()
        ready = {"address": cluster.scheduler_address, "dashboard": cluster.dashboard_link}
        print(json.dumps(ready), flush=True)
        sys.stdin.read()  # until the service closes the pipe or dies
    return 0


if __name__ == "__main__":
    sys.exit(main())
