"""Loading one shard into PostgreSQL (a destination job's shard task) beside a plain COPY.

A throwaway server (the tests' one) gets the same table twice, with the same keys and checks:
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

from pipeline.destinations import Destination, postgres
from pipeline.engine import arrow_schema, generate_batches
from pipeline.exporters.sql import create_table
from pipeline.plan import JobSpec, plan_shards
from pipeline.schema.parse import parse_schema
from pipeline.schema.resolved import resolve
from storage.formats.csv import write_csv
from tests.postgres import Postgres, running

SCHEMA = """\
version: 1
entities:
  customer:
    fields:
      id: {type: sequence}
      uid: uuid
      first_name: person.first_name
      email: {type: template, template: "{first_name|lower}.{id}@example.com"}
      age: {type: integer, min: 18, max: 90}
      balance: {type: float, min: 0, max: 1000, decimals: 2, null_rate: 0.1}
      active: {type: boolean}
      joined: {type: datetime, start: 2020-01-01T00:00:00Z, end: 2024-12-31T00:00:00Z}
      birthday: {type: date, start: 1950-01-01, end: 2005-12-31}
"""
SEED = 1


def _generate(rows: int) -> float:
    schema = parse_schema(SCHEMA)
    started = time.perf_counter()
    for _ in generate_batches(schema, "customer", 0, rows, seed=SEED, providers={}):
        pass
    return time.perf_counter() - started


def _adbc(server: Postgres, rows: int) -> float:
    job = JobSpec(
        job_id="bench-destination-000000000",
        schema_text=SCHEMA,
        entity="customer",
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
    ddl = create_table(resolve(schema), "customer", table="plain.customer")
    done = server.psql("bench", stdin=f"CREATE SCHEMA plain;\n{ddl}")
    assert done.returncode == 0, done.stderr
    out = io.BytesIO()
    batches = generate_batches(schema, "customer", 0, rows, seed=SEED, providers={})
    columns = arrow_schema(schema, "customer", seed=SEED, providers={})
    write_csv(batches, out, schema=columns, with_header=False)
    text = out.getvalue().decode()
    started = time.perf_counter()
    done = server.psql("bench", "-c", "COPY plain.customer FROM STDIN (FORMAT csv)", stdin=text)
    seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_048_576)
    args = parser.parse_args()
    with running() as server:
        server.create_database("bench")
        generate = _generate(args.rows)
        adbc = _adbc(server, args.rows)
        plain = _plain_copy(server, args.rows)
        counted = server.psql(
            "bench", "-At", "-c", "SELECT (SELECT count(*) FROM customer), "
            "(SELECT count(*) FROM plain.customer)"
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
