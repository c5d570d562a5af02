"""End-to-end job benchmark: POST /data to `completed` (merge included) on the embedded cluster.

Each large job's file is then downloaded whole through the API and timed apart.

Starts `drafta serve` (embedded LocalCluster, one worker process per core) on a temporary
home, loads the reference schema, and times 10 M-row jobs in each format beside DuckDB writing
an equivalent table in the same run (all its threads), plus the latency of a 1,000-row job.
With --dataset it times one job of the three entities of bench/dataset.yaml (1 M customers,
poisson(5) orders each, 1 to 5 lines per order: about 20 M rows) beside DuckDB writing three
tables of the same shape.

    .venv/bin/python bench/jobs.py [--rows 10000000] [--small-runs 10]
    .venv/bin/python bench/jobs.py --dataset [--scale 1.0] [--formats parquet csv]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.engine import PERSON, duckdb_rows  # noqa: E402
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


def downloaded(http: httpx.Client, job: str) -> tuple[int, float]:
    """A job's file fetched whole through the API: its bytes and the seconds it took."""
    started = time.perf_counter()
    size = 0
    with http.stream("GET", f"/data/{job}/download") as answer:
        answer.raise_for_status()
        for chunk in answer.iter_bytes():
            size += len(chunk)
    return size, time.perf_counter() - started


def duckdb_all_threads(rows: int, folder: str) -> float:
    import duckdb

    started = time.perf_counter()
    with duckdb.connect() as con:
        threads = con.execute("SELECT current_setting('threads')").fetchone()
    duckdb_rows(rows, folder, threads=int(threads[0]) if threads else 1)
    return time.perf_counter() - started


DATASET = (ROOT / "bench" / "dataset.yaml").read_text()
Run = tuple[str, int, float]  # (name, rows, seconds)


def duckdb_dataset(customers: int, folder: str) -> tuple[float, int]:
    """The dataset's three tables by DuckDB with all its threads: seconds and rows written."""
    import duckdb

    started = time.perf_counter()
    with duckdb.connect() as con:
        con.execute(f"""
            CREATE TEMP TABLE customer AS
              SELECT range + 1 AS id, 'Customer ' || range AS name,
                     (['US','DE','FR','GB','JP','BR','IN'])[1 + floor(random() * 7)::INTEGER]
                       AS country
              FROM range({customers})""")
        # Uniform 0..10 orders per customer: poisson(5)'s mean, which DuckDB cannot draw. The
        # sizes are drawn per parent row (a random() that reads the row; one that does not is
        # drawn once for the whole query).
        con.execute("""
            CREATE TEMP TABLE "order" AS
              SELECT row_number() OVER () AS id, c.id AS customer_id,
                     TIMESTAMPTZ '2024-01-01' + to_seconds((random() * 31622399)::BIGINT)
                       AS ordered_at,
                     (['placed','shipped','delivered'])[1 + floor(random() * 3)::INTEGER]
                       AS status
              FROM customer c,
                   LATERAL (SELECT * FROM range(floor(random() * 11 + c.id * 0)::BIGINT))""")
        con.execute("""
            CREATE TEMP TABLE line AS
              SELECT o.id AS order_id, k.range + 1 AS line_no,
                     'SKU-' || lpad((floor(random() * 100000))::VARCHAR, 5, '0') AS sku,
                     (1 + floor(random() * 9))::BIGINT AS quantity,
                     round(1 + random() * 199, 2) AS unit_price, o.ordered_at
              FROM "order" o,
                   LATERAL (SELECT * FROM range(1 + floor(random() * 5 + o.id * 0)::BIGINT)) k""")
        rows = 0
        for table in ("customer", '"order"', "line"):
            count = con.execute(f"SELECT count(*) FROM {table}").fetchone()
            rows += int(count[0]) if count else 0
            name = table.strip('"')
            con.execute(f"COPY {table} TO '{folder}/{name}.parquet' (FORMAT parquet)")
    return time.perf_counter() - started, rows


@contextmanager
def served_project(home: str, name: str, schema: str) -> Iterator[tuple[httpx.Client, str]]:
    """A `drafta serve` on ``home`` with one project holding ``schema``: a client and its id."""
    server = LiveServer(
        Path(home) / "home",
        env={"DRAFTA_DASHBOARD_ADDRESS": ":0", "DRAFTA_RATE_LIMIT": "1000000"},
        cluster_only=False,
    ).start()
    try:
        auth = {"Authorization": f"Bearer {server.key}"}
        with httpx.Client(base_url=server.url, headers=auth, timeout=60) as http:
            group = http.post("/project-group", json={"name": "bench"}).json()["id"]
            project = http.post(
                "/project", json={"project_group_id": group, "name": name, "data": schema}
            ).json()["id"]
            yield http, project
    finally:
        server.stop()


def print_table(title: str, baseline: tuple[str, int, float], runs: list[Run]) -> None:
    """Rows per second of each run, and against the baseline's (DuckDB's in the same run)."""
    print(f"{title:28} {'rows':>12} {'seconds':>9} {'rows/s':>12} {'x DuckDB':>9}")
    base_rate = baseline[1] / baseline[2]
    for name, rows, seconds in [baseline, *runs]:
        rate = rows / seconds
        print(f"{name:28} {rows:>12,} {seconds:>9.2f} {rate:>12,.0f} {rate / base_rate:>9.2f}")


def dataset(args: argparse.Namespace) -> None:
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as home:
        with served_project(home, "shop", DATASET) as (http, project):
            for fmt in args.formats:
                os.sync()
                body = {"entities": "*", "scale": args.scale, "format": fmt}
                seconds, status = submit_and_wait(http, project, body)
                assert status["status"] == "completed", status
                runs.append((f"drafta dataset -> {fmt}", status["count"], seconds))
        os.sync()
        duck, duck_rows = duckdb_dataset(round(1_000_000 * args.scale), home)
    print_table("dataset, 2 cores", ("DuckDB, 3 tables -> parquet", duck_rows, duck), runs)


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
    parser.add_argument("--dataset", action="store_true", help="the three-entity dataset run")
    parser.add_argument("--scale", type=float, default=1.0, help="--dataset: times 1 M customers")
    args = parser.parse_args()
    if args.dataset:
        dataset(args)
        return
    runs: list[Run] = []
    downloads: list[tuple[str, int, float]] = []
    with tempfile.TemporaryDirectory() as home:
        with served_project(home, "person", PERSON) as (http, project):
            small = {"entity_name": "Person", "count": 1000, "format": "json"}
            submit_and_wait(http, project, small)  # warm: value pools built in the service
            # A service runs for long: its workers have built the schema's value pools before
            # the job timed. Two shards' worth, one per worker.
            warm = {"entity_name": "Person", "count": 2 * 1_048_576, "format": "parquet"}
            submit_and_wait(http, project, warm)
            latencies = [submit_and_wait(http, project, small)[0] for _ in range(args.small_runs)]
            for fmt in args.formats:
                # Each job starts with no write-back owed by the one before it.
                os.sync()
                body = {"entity_name": "Person", "count": args.rows, "format": fmt}
                seconds, status = submit_and_wait(http, project, body)
                assert status["status"] == "completed", status
                runs.append((f"drafta job -> {fmt}", args.rows, seconds))
                downloads.append((fmt, *downloaded(http, status["id"])))
        os.sync()
        duck = duckdb_all_threads(args.rows, home)
    print_table("end to end, 2 cores", ("DuckDB range() -> parquet", args.rows, duck), runs)
    print()
    print(f"{'download (GET, streamed)':28} {'MB':>12} {'seconds':>9} {'MB/s':>12}")
    for fmt, size, seconds in downloads:
        print(f"{fmt:28} {size / 1e6:>12,.0f} {seconds:>9.2f} {size / 1e6 / seconds:>12,.0f}")
    print()
    print(
        f"1,000-row job, POST to completed: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms over {len(latencies)} runs"
    )


if __name__ == "__main__":
    main()
