"""Load test of the API: concurrent clients create projects, submit small jobs and poll them.

    python bench/load.py                     # starts its own service on 127.0.0.1, with
                                             # one key (and workspace) per client
    python bench/load.py --url URL --key KEY # an existing service; the clients share the key,
                                             # so raise its DRAFTA_RATE_LIMIT and
                                             # DRAFTA_MAX_JOBS_IN_FLIGHT first

Prints requests/s and p50/p99 latency per endpoint, the errors, and whether every job
completed. Exits 1 on any error or unfinished job. Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pipeline import freeze_startup_objects
from storage.db import Database
from storage.keys import create_key
from tests.live import LiveServer

SCHEMA = """\
version: 1
entities:
  Customer:
    count: 1000
    fields:
      id: {type: sequence}
      first_name: person.first_name
      email: {type: template, template: "{first_name|lower}.{id}@example.com", unique: true}
      tier: {type: choice, values: [free, pro, enterprise], weights: [80, 15, 5]}
      balance: {type: float, min: 0, max: 1000, decimals: 2}
"""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    submitted: int = 0
    completed: int = 0
    failed: int = 0

    async def call(
        self, http: aiohttp.ClientSession, label: str, method: str, url: str, **kw: Any
    ) -> Any:
        """The response's JSON body, or None after recording why there is none."""
        start = time.perf_counter()
        try:
            async with http.request(method, url, **kw) as r:
                body = await r.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.errors.append(f"{label}: {type(exc).__name__}: {exc}")
            return None
        self.latencies[label].append(time.perf_counter() - start)
        if r.status >= 400:
            self.errors.append(f"{label}: {r.status} {body[:200]!r}")
            return None
        return json.loads(body)


def session(url: str, key: str) -> aiohttp.ClientSession:
    """One user's connection. aiohttp rather than httpx: httpx's pool scans every connection on
    each request, and the clients' own CPU time would then dominate the latencies they report."""
    return aiohttp.ClientSession(
        base_url=url,
        headers={"Authorization": f"Bearer {key}"},
        timeout=aiohttp.ClientTimeout(total=30),
    )


async def client_loop(
    url: str, key: str, n: int, stats: Stats, args: argparse.Namespace, deadline: float
) -> None:
    async with session(url, key) as http:
        await one_client(http, n, stats, args, deadline)


async def one_client(
    http: aiohttp.ClientSession, n: int, stats: Stats, args: argparse.Namespace, deadline: float
) -> None:
    r = await stats.call(
        http, "POST /project-group", "POST", "/project-group", json={"name": f"load-{n}"}
    )
    if r is None:
        return
    body = {"project_group_id": r["id"], "name": "shop", "data": SCHEMA}
    r = await stats.call(http, "POST /project", "POST", "/project", json=body)
    if r is None:
        return
    project = r["id"]
    job_body = {"entity_name": "Customer", "count": args.rows, "format": "csv"}
    while time.monotonic() < deadline:
        r = await stats.call(
            http, "POST /data/{project_id}", "POST", f"/data/{project}", json=job_body
        )
        if r is None:
            return
        stats.submitted += 1
        job = r["id"]
        while True:
            await asyncio.sleep(args.poll)
            r = await stats.call(http, "GET /data/{id}/status", "GET", f"/data/{job}/status")
            if r is None:
                return
            status = r["status"]
            if status == "completed":
                stats.completed += 1
                break
            if status == "failed":
                stats.failed += 1
                stats.errors.append(f"job {job} failed: {r['error']}")
                break
            if time.monotonic() > deadline + args.grace:
                return


@contextmanager
def own_service(workers: int | None, clients: int) -> Iterator[tuple[str, list[str]]]:
    """``drafta serve`` on a free loopback port with a fresh home; yields its URL and one key
    per client, each of its own workspace, as separate users would have."""
    env = {
        # A client polling every 50 ms makes 1,200 requests a minute, the default limit.
        "DRAFTA_RATE_LIMIT": "10000",
        "DRAFTA_DASHBOARD_ADDRESS": ":0",
    }
    if workers:
        env["DRAFTA_WORKERS"] = str(workers)
    with tempfile.TemporaryDirectory(prefix="drafta-load-") as home:
        server = LiveServer(
            Path(home) / "home", env=env, args=("--log-level", "warning"), cluster_only=False
        ).start(timeout=90)
        try:
            assert server.key, "the service printed no key"
            db = Database(Path(home) / "home" / "drafta.db")
            more = [create_key(db, f"load-{n}").key for n in range(1, clients)]
            db.close()
            yield server.url, [server.key, *more]
        finally:
            server.stop()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def report(stats: Stats, elapsed: float) -> bool:
    print(f"{'endpoint':<26} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for label, values in sorted(stats.latencies.items()):
        print(
            f"{label:<26} {len(values):>9} {len(values) / elapsed:>8.1f} "
            f"{statistics.median(values) * 1000:>8.1f} {percentile(values, 0.99) * 1000:>8.1f}"
        )
    total = sum(len(v) for v in stats.latencies.values())
    print(f"total: {total} requests in {elapsed:.1f} s ({total / elapsed:.1f} req/s)")
    locked = sum("database is locked" in e for e in stats.errors)
    print(f"errors: {len(stats.errors)} (database is locked: {locked})")
    for line in stats.errors[:10]:
        print(f"  {line}")
    all_done = stats.completed == stats.submitted and stats.failed == 0
    print(f"jobs: {stats.submitted} submitted, {stats.completed} completed, {stats.failed} failed")
    print(f"every job completed: {'yes' if all_done else 'no'}")
    return not stats.errors and all_done


async def probe_job(http: aiohttp.ClientSession) -> str:
    """A finished job whose status the probe polls."""
    stats = Stats()
    group = await stats.call(http, "", "POST", "/project-group", json={"name": "load-probe"})
    body = {"project_group_id": group["id"], "name": "probe", "data": SCHEMA}
    project = await stats.call(http, "", "POST", "/project", json=body)
    body = {"entity_name": "Customer", "count": 1}
    job = await stats.call(http, "", "POST", f"/data/{project['id']}", json=body)
    return str(job["id"])


def probe(url: str, key: str, job: str, seconds: float) -> None:
    """One user polling a status every 20 ms over one plain connection, in its own process.

    The 50 load clients share one Python event loop, so the latency they report includes
    their own queueing; this probe shows what a single client sees while they run.
    """
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        start = time.perf_counter()
        conn.request("GET", f"/data/{job}/status", headers={"Authorization": f"Bearer {key}"})
        conn.getresponse().read()
        latencies.append(time.perf_counter() - start)
        time.sleep(0.02)
    print(json.dumps(latencies))


async def run(url: str, keys: list[str], args: argparse.Namespace) -> bool:
    """Every client uses its own key when there are enough, else they share them."""
    stats = Stats()
    key = keys[0]
    async with session(url, key) as http:
        job = await probe_job(http)
        prober = await asyncio.create_subprocess_exec(
            sys.executable,
            __file__,
            f"--probe={job}",  # an id may start with "-", which argparse reads as an option
            "--url",
            url,
            "--key",
            key,
            "--seconds",
            str(args.seconds),
            stdout=asyncio.subprocess.PIPE,
        )
        start = time.monotonic()
        deadline = start + args.seconds
        await asyncio.gather(
            *(
                client_loop(url, keys[n % len(keys)], n, stats, args, deadline)
                for n in range(args.clients)
            ),
            asyncio.sleep(args.seconds if args.clients == 0 else 0),  # the probe alone
        )
        elapsed = time.monotonic() - start
        out, _ = await prober.communicate()
    ok = report(stats, elapsed)
    probed = sorted(json.loads(out))
    print(
        f"single client probe, GET /data/{{id}}/status every 20 ms: {len(probed)} requests, "
        f"p50 {percentile(probed, 0.5) * 1000:.1f} ms, p99 {percentile(probed, 0.99) * 1000:.1f} ms"
    )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running service (default: start one on 127.0.0.1)")
    parser.add_argument("--key", help="an API key of that service")
    parser.add_argument(
        "--clients", type=int, default=50, help="0: only the probe, for the unloaded latency"
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--rows", type=int, default=1000, help="rows per job")
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between status polls")
    parser.add_argument(
        "--grace", type=float, default=60.0, help="seconds jobs may take after the end"
    )
    parser.add_argument("--workers", type=int, help="workers of the embedded cluster")
    parser.add_argument("--probe", metavar="JOB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    # The clients' own full collections (100-160 ms each, seen with gc.callbacks) would be
    # counted as the service's latency.
    freeze_startup_objects()
    if args.probe:
        probe(args.url, args.key, args.probe, args.seconds)
        return 0
    if args.url:
        if not args.key:
            parser.error("--key is needed with --url")
        ok = asyncio.run(run(args.url, [args.key], args))
    else:
        with own_service(args.workers, args.clients) as (url, keys):
            ok = asyncio.run(run(url, keys, args))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
