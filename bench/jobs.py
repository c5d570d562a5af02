"""End-to-end job benchmark: POST /data to `completed` (merge included) on the embedded cluster.

Starts `drafta serve` (embedded LocalCluster, one worker process per core) on a temporary
home, loads the reference schema, and times 10 M-row jobs in each format beside DuckDB writing
an equivalent table in the same run (all its threads), plus the latency of a 1,000-row job.

    .venv/bin/python bench/jobs.py [--rows 10000000] [--small-runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from engine import PERSON, duckdb_rows  # noqa: E402

from tests.live import LiveServer  # noqa: E402


def submit_and_wait(http: httpx.Client, project: str, body: dict) -> tuple[float, dict]:
    started = time.perf_counter()
    job = http.post(f"/data/{project}", json=body).json()["id"]
    while True:
        answer = http.get(f"/data/{job}/status")
        answer.raise_for_status()
        status = answer.json()
        if status["status"] in ("completed", "failed"):
            return time.perf_counter() - started, status
        time.sleep(0.005)


def duckdb_all_threads(rows: int, folder: str) -> float:
    import duckdb

    started = time.perf_counter()
    with duckdb.connect() as con:
        threads = con.execute("SELECT current_setting('threads')").fetchone()
    duckdb_rows(rows, folder, threads=int(threads[0]) if threads else 1)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--small-runs", type=int, default=10)
    parser.add_argument(
        "--formats",
        nargs="+",
        default=["parquet", "csv", "json"],
        choices=["parquet", "csv", "json"],
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        server = LiveServer(
            Path(home) / "home",
            env={"DRAFTA_DASHBOARD_ADDRESS": ":0", "DRAFTA_RATE_LIMIT": "1000000"},
        ).start()
        try:
            auth = {"Authorization": f"Bearer {server.key}"}
            with httpx.Client(base_url=server.url, headers=auth, timeout=60) as http:
                group = http.post("/project-group", json={"name": "bench"}).json()["id"]
                project = http.post(
                    "/project", json={"project_group_id": group, "name": "person", "data": PERSON}
                ).json()["id"]
                small = {"entity_name": "Person", "count": 1000, "format": "json"}
                submit_and_wait(http, project, small)  # warm: value pools built on workers
                latencies = [
                    submit_and_wait(http, project, small)[0] for _ in range(args.small_runs)
                ]
                results = []
                for fmt in args.formats:
                    # Each job starts with no write-back owed by the one before it.
                    os.sync()
                    body = {"entity_name": "Person", "count": args.rows, "format": fmt}
                    seconds, status = submit_and_wait(http, project, body)
                    assert status["status"] == "completed", status
                    results.append((f"drafta job -> {fmt}", seconds, status["size_bytes"]))
            os.sync()
            duck = duckdb_all_threads(args.rows, home)
        finally:
            server.stop()
    print(f"{'end to end, 2 cores':28} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'x DuckDB':>9}")
    duck_rate = args.rows / duck
    print(
        f"{'DuckDB range() -> parquet':28} {args.rows:>12,} {duck:>9.2f} "
        f"{duck_rate:>12,.0f} {1:>9.2f}"
    )
    for name, seconds, _size in results:
        rate = args.rows / seconds
        print(f"{name:28} {args.rows:>12,} {seconds:>9.2f} {rate:>12,.0f} {rate / duck_rate:>9.2f}")
    print()
    print(
        f"1,000-row job, POST to completed: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms over {len(latencies)} runs"
    )


if __name__ == "__main__":
    main()
