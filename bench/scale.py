"""Scale benchmark: N rows of one entity to one parquet file on a cluster of worker processes.

Runs the service's own tasks (``pipeline.tasks.write_shard`` per shard, then
``pipeline.tasks.merge``) on a ``distributed.LocalCluster`` of single-threaded worker
processes, or on an existing scheduler, and prints wall time, rows/s, the split between
generation and merge, and each worker's peak resident memory.

    python bench/scale.py bench/person.yaml [--rows N] [--workers W] [--entity NAME]
        [--format parquet] [--out URL [--storage-options JSON]] [--scheduler tcp://host:8786]
        [--keep]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import fsspec
from distributed import Client, LocalCluster, as_completed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import WORKER_PRELOAD
from pipeline.plan import DEFAULT_SHARD_ROWS, JobSpec, output_path, plan_shards
from pipeline.schema.parse import parse_schema
from pipeline.tasks import ShardResult, merge, write_shard


def peak_rss_bytes() -> int:
    """This process's resident-memory high-water mark (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(
    client: Client, job: JobSpec, *, show_progress: bool = True
) -> tuple[float, float, int, int]:
    """(seconds generating shards, seconds merging, rows, bytes of the merged file)."""
    shards = plan_shards(job)
    started = time.perf_counter()
    futures = [
        client.submit(write_shard, s, key=f"bench-shard-{job.job_id}-{s.index}", pure=False)
        for s in shards
    ]
    results: list[ShardResult] = []
    for future in as_completed(futures):
        results.append(future.result())
        if show_progress:
            done = sum(r.rows for r in results)
            rate = done / (time.perf_counter() - started)
            print(f"\r  {len(results)}/{len(shards)} shards, {rate:,.0f} rows/s", end="")
    if show_progress:
        print()
    generated = time.perf_counter()
    results.sort(key=lambda r: r.index)
    merged = client.submit(merge, job, results, key=f"bench-merge-{job.job_id}", pure=False)
    result = merged.result()
    finished = time.perf_counter()
    return generated - started, finished - generated, result.rows, result.bytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema", type=Path, help="schema file, e.g. bench/person.yaml")
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--entity", default=None, help="default: the schema's first entity")
    parser.add_argument("--format", default="parquet", choices=("parquet", "csv", "json"))
    parser.add_argument("--shard-rows", type=int, default=DEFAULT_SHARD_ROWS)
    parser.add_argument("--out", default=None, help="fsspec URL of the job folder")
    parser.add_argument(
        "--storage-options", type=json.loads, default={}, help="JSON fsspec options for --out"
    )
    parser.add_argument("--scheduler", default=None, help="use this scheduler, not a local one")
    parser.add_argument("--keep", action="store_true", help="keep the output file")
    args = parser.parse_args(argv)

    text = args.schema.read_text()
    entity = args.entity or next(iter(parse_schema(text).entities))
    scratch = None if args.out else tempfile.mkdtemp(prefix="drafta-bench-")
    root = args.out or scratch
    job = JobSpec(
        job_id=uuid.uuid4().hex[:12],
        schema_text=text,
        entity=entity,
        count=args.rows,
        seed=7,
        format=args.format,
        root_url=str(root),
        storage_options=args.storage_options,
        shard_rows=args.shard_rows,
    )
    cluster: LocalCluster | None = None
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        cluster = LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            preload=[WORKER_PRELOAD],  # as the service's workers start
        )
        client = Client(cluster)
    try:
        workers = len(client.scheduler_info()["workers"])
        print(f"{args.rows:,} rows of {entity} as {args.format} on {workers} worker(s)")
        start = time.perf_counter()
        gen_s, merge_s, rows, size = run(client, job)
        wall = time.perf_counter() - start
        peaks: dict[str, Any] = client.run(peak_rss_bytes)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    print(f"rows            {rows:,}")
    print(f"file            {output_path(job)} ({size / 1e9:.2f} GB)")
    print(f"wall            {wall:.1f} s (shards {gen_s:.1f} s, merge {merge_s:.1f} s)")
    print(f"rows/s          {rows / wall:,.0f} overall, {rows / gen_s:,.0f} while generating")
    print(f"rows/s/worker   {rows / gen_s / workers:,.0f} while generating")
    for address, peak in sorted(peaks.items()):
        print(f"worker {address}  peak RSS {peak / 2**20:,.0f} MiB")
    if scratch and not args.keep:
        fs = fsspec.filesystem("file")
        fs.rm(scratch, recursive=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
