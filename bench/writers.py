"""The csv and json writers alone, on one Arrow table of the reference schema, beside Arrow's
csv writer and DuckDB's COPY (one thread) of the same table.

The table is generated once; each writer writes it to /dev/null, and the figure is the best
CPU time of a few runs (on a shared machine, waiting for a core is not cost). With the names,
country and tier dictionary-encoded too, as the engine holds them.

    .venv/bin/python bench/writers.py [--rows 1048576] [--repeats 5]
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.engine import generate_batches
from pipeline.schema.parse import parse_schema
from storage.formats.csv import write_csv
from storage.formats.json import write_json

PERSON = (Path(__file__).with_name("person.yaml")).read_text()
CODED = ("first_name", "last_name", "country", "tier")


def best_cpu(repeats: int, action: Callable[[], object]) -> float:
    seconds = []
    for _ in range(repeats):
        start = time.process_time()
        action()
        seconds.append(time.process_time() - start)
    return min(seconds)


def coded(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = [
        pc.dictionary_encode(column) if name in CODED else column
        for name, column in zip(batch.schema.names, batch.columns, strict=True)
    ]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_048_576)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    schema = parse_schema(PERSON)
    batches = list(generate_batches(schema, "Person", 0, args.rows, seed=7, providers={}))
    table = pa.Table.from_batches(batches)
    runs: list[tuple[str, Callable[[], object]]] = []
    for label, each in (("", batches), (", dictionaries", [coded(b) for b in batches])):

        def csv(each: list[pa.RecordBatch] = each) -> None:
            with open(os.devnull, "wb") as out:
                write_csv(each, out, schema=each[0].schema, with_header=True)

        def json(each: list[pa.RecordBatch] = each) -> None:
            with open(os.devnull, "wb") as out:
                write_json(each, out)

        runs += [(f"Drafta csv writer{label}", csv), (f"Drafta json writer{label}", json)]

    def arrow_csv() -> None:
        with open(os.devnull, "wb") as out:
            pacsv.write_csv(table, out)

    runs.append(("pyarrow.csv.write_csv", arrow_csv))
    import duckdb

    with tempfile.TemporaryDirectory() as folder, duckdb.connect() as con:
        con.execute("SET threads TO 1")
        con.register("person", table)
        for fmt, option in (("csv", "HEADER"), ("json", "FORMAT json")):
            query = f"COPY person TO '{folder}/person.{fmt}' ({option})"
            runs.append((f"DuckDB COPY -> {fmt}, 1 thread", functools.partial(con.execute, query)))
        results = [(name, best_cpu(args.repeats, action)) for name, action in runs]
    print(f"{'writer, CPU seconds (best of ' + str(args.repeats) + ')':40} {'rows':>10} "
          f"{'seconds':>8} {'rows/s':>12}")  # fmt: skip
    for name, seconds in results:
        print(f"{name:40} {args.rows:>10,} {seconds:>8.3f} {args.rows / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
