"""Loading one shard into PostgreSQL (a destination job's shard task) beside a plain COPY.

A throwaway server (the tests' one) gets the reference table (``bench/person.yaml``) twice,
with the same keys and checks:
once through ``pipeline.destinations.postgres.load_shard`` (generate the shard, binary COPY of
its Arrow batches in one transaction), once through ``psql``'s ``COPY ... FROM STDIN (FORMAT
csv)`` of the same rows written as csv beforehand. Generating the rows alone is timed too, so
the loader's own cost shows.

    python bench/destination.py [--rows 1048576]
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

from pipeline.destinations import Destination, postgres
from pipeline.engine import arrow_schema, generate_batches
from pipeline.exporters.sql import create_table
from pipeline.plan import JobSpec, plan_shards
from pipeline.schema.parse import parse_schema
from storage.formats.csv import write_csv
from tests.postgres import Postgres, throwaway

SCHEMA = (Path(__file__).parent / "person.yaml").read_text()
ENTITY = "Person"
SEED = 1


def _generate(rows: int) -> float:
    schema = parse_schema(SCHEMA)
    started = time.perf_counter()
    for _ in generate_batches(schema, ENTITY, 0, rows, seed=SEED, providers={}):
        pass
    return time.perf_counter() - started


def _adbc(server: Postgres, rows: int) -> float:
    job = JobSpec(
        job_id="bench-destination-000000000",
        schema_text=SCHEMA,
        entity=ENTITY,
        count=rows,
        seed=SEED,
        format="csv",
        root_url="memory://unused",
        shard_rows=rows,
        destination=Destination(
            url=f"postgresql://postgres@127.0.0.1:{server.port}/bench", hostaddr="127.0.0.1"
        ),
    )
    postgres.prepare([job])
    (shard,) = plan_shards(job)
    started = time.perf_counter()
    postgres.load_shard(shard)
    seconds = time.perf_counter() - started
    postgres.complete([job])
    return seconds


def _plain_copy(server: Postgres, rows: int) -> float:
    schema = parse_schema(SCHEMA)
    columns = arrow_schema(schema, ENTITY, seed=SEED, providers={})
    ddl = create_table(schema, ENTITY, "postgres", columns)
    done = server.psql("bench", stdin=f"CREATE SCHEMA plain; SET search_path TO plain;\n{ddl}")
    assert done.returncode == 0, done.stderr
    out = io.BytesIO()
    batches = generate_batches(schema, ENTITY, 0, rows, seed=SEED, providers={})
    write_csv(batches, out, schema=columns, with_header=False)
    text = out.getvalue().decode()
    started = time.perf_counter()
    copy = 'COPY plain."Person" FROM STDIN (FORMAT csv)'
    done = server.psql("bench", "-c", copy, stdin=text)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_048_576)
    args = parser.parse_args()
    with throwaway() as server:
        server.create_database("bench")
        generate = _generate(args.rows)
        adbc = _adbc(server, args.rows)
        plain = _plain_copy(server, args.rows)
        counted = server.psql(
            "bench", "-At", "-c", 'SELECT (SELECT count(*) FROM "Person"), '
            '(SELECT count(*) FROM plain."Person")'
        )  # fmt: skip
    rows = args.rows
    print(f"rows loaded (shard task | plain COPY): {counted.stdout.strip()}")
    print(f"{'one shard, 2 cores':44} {'seconds':>8} {'rows/s':>12}")
    lines = [
        ("generate only", generate),
        ("shard task: generate + binary COPY (ADBC)", adbc),
        ("shard task less generation", adbc - generate),
        ("plain COPY of the same rows as csv (psql)", plain),
    ]
    for name, seconds in lines:
        print(f"{name:44} {seconds:>8.2f} {rows / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
