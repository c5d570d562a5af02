"""Benchmark of expressions and conditions on the reference person schema, on one core.

The expression-heavy variant adds five expression fields and two ``when`` conditions to
bench/person.yaml. Per 65,536-row block (the engine's block size) it prints the cost per row
of the variant over the plain schema (generation of the block, then the additions), with
three evaluators: this package (sqlglot checked, Arrow compute kernels), and DuckDB querying
the Arrow batch with a connection kept per thread or opened per call. Then, for scale, the
time to generate and to write a plain block, and each expression's own time.

    python bench/expressions.py [--blocks N] [--repeats N]
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.engine import generate_batches
from pipeline.engine.blocks import BLOCK_ROWS
from pipeline.expressions import (
    column_type_of,
    compile_expression,
    evaluate,
    evaluate_condition,
    null_unless,
)
from pipeline.schema.parse import parse_schema

PERSON = (Path(__file__).with_name("person.yaml")).read_text()

# The five expression fields and the two conditions of the variant.
EXPRESSIONS = {
    "full_name": "first_name || ' ' || last_name",
    "balance_eur": "round(balance * 0.92, 2)",
    "renewal": "signup + INTERVAL 1 YEAR",
    "age_band": "CASE WHEN age < 30 THEN 'young' WHEN age < 60 THEN 'middle' ELSE 'senior' END",
    "cohort": "strftime(signup, '%Y-%m')",
}
CONDITIONS = {
    "balance": "is_active",
    "renewal": "tier IN ('pro', 'enterprise') AND age >= 21",
}


def one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


SCHEMA = parse_schema(PERSON)


def plain_block(block: int) -> pa.RecordBatch:
    first = block * BLOCK_ROWS
    return next(generate_batches(SCHEMA, "Person", first, first + BLOCK_ROWS, seed=7, providers={}))


def to_parquet(table: pa.Table) -> int:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.tell()


class ArrowCompute:
    """This package: compile once, then evaluate each block."""

    def __init__(self, batch: pa.RecordBatch, leave_out: tuple[str, ...] = ()) -> None:
        columns = {field.name: column_type_of(field.type) for field in batch.schema}
        self.values = {
            n: compile_expression(e, columns) for n, e in EXPRESSIONS.items() if n not in leave_out
        }
        self.conditions = {
            n: compile_expression(e, columns, kind="condition") for n, e in CONDITIONS.items()
        }

    def __call__(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        columns = dict(zip(batch.schema.names, batch.columns, strict=True))
        for name, compiled in self.values.items():
            columns[name] = evaluate(compiled, batch)
        for name, condition in self.conditions.items():
            columns[name] = null_unless(columns[name], evaluate_condition(condition, batch))
        return pa.RecordBatch.from_arrays(list(columns.values()), names=list(columns))


def _duckdb_query() -> str:
    """The additions only: the plain columns stay in the batch, as they do for Arrow compute."""
    items = []
    for name, text in EXPRESSIONS.items():
        condition = CONDITIONS.get(name)
        items.append(
            f"CASE WHEN {condition} THEN {text} END AS {name}" if condition else f"{text} AS {name}"
        )
    masked = [f"CASE WHEN {CONDITIONS['balance']} THEN balance END AS balance"]
    return f"SELECT {', '.join(items + masked)} FROM batch"


class DuckDBPerThread:
    """DuckDB over the Arrow batch, one connection per thread, one query per block."""

    def __init__(self) -> None:
        self.local = threading.local()
        self.query = _duckdb_query()

    def __call__(self, batch: pa.RecordBatch) -> pa.Table:
        con = getattr(self.local, "con", None)
        if con is None:
            con = self.local.con = duckdb.connect()
            con.execute("SET threads = 1")
        con.register("batch", batch)
        try:
            return con.sql(self.query).to_arrow_table()
        finally:
            con.unregister("batch")


def duckdb_per_call(batch: pa.RecordBatch) -> pa.Table:
    con = duckdb.connect()
    try:
        con.execute("SET threads = 1")
        con.register("batch", batch)
        return con.sql(_duckdb_query()).to_arrow_table()
    finally:
        con.close()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def paired(
    plain: Callable[[int], object], variant: Callable[[int], object], blocks: int, repeats: int
) -> tuple[float, float, float]:
    """Best plain and variant times (ms) and the median of their ratios, timed one right after
    the other on the same block: on a shared machine, both see the same load."""
    variant(0)
    firsts: list[float] = []
    seconds: list[float] = []
    ratios: list[float] = []
    for _ in range(repeats):
        for block in range(blocks):
            # Alternate which goes first, so neither always runs on a warmer cache.
            if len(ratios) % 2:
                second = timed(functools.partial(variant, block))
                first = timed(functools.partial(plain, block))
            else:
                first = timed(functools.partial(plain, block))
                second = timed(functools.partial(variant, block))
            firsts.append(first)
            seconds.append(second)
            ratios.append(second / first)
    return min(firsts) * 1000, min(seconds) * 1000, statistics.median(ratios)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blocks", type=int, default=4, help="distinct blocks measured")
    parser.add_argument("--repeats", type=int, default=5, help="rounds over the blocks")
    args = parser.parse_args()
    one_core()
    batches = [plain_block(b) for b in range(args.blocks)]
    ours, duck = ArrowCompute(batches[0]), DuckDBPerThread()
    # The one text join of the mix costs the most; without it, what the rest costs.
    no_join = ArrowCompute(batches[0], leave_out=("full_name",))
    plain_block(0)  # builds the value pools once, as a worker does
    variants: dict[str, Callable[[int], object]] = {
        "Arrow compute (this package)": lambda b: ours(plain_block(b)),
        "  the same without full_name": lambda b: no_join(plain_block(b)),
        "DuckDB, a connection per thread": lambda b: duck(plain_block(b)),
        "DuckDB, a connection per call": lambda b: duckdb_per_call(plain_block(b)),
    }
    print(
        f"Person schema plus {len(EXPRESSIONS)} expressions and {len(CONDITIONS)} conditions, "
        f"per {BLOCK_ROWS:,}-row block, one core, {args.repeats * args.blocks} paired rounds"
    )
    print(f"{'evaluator':34} {'plain ms':>9} {'variant ms':>11} {'rows/s':>11} {'+% per row':>11}")
    for name, variant in variants.items():
        plain, extra, ratio = paired(plain_block, variant, args.blocks, args.repeats)
        speed = BLOCK_ROWS / extra * 1000
        print(f"{name:34} {plain:9.2f} {extra:11.2f} {speed:11,.0f} {(ratio - 1) * 100:10.0f}%")

    tables = [pa.Table.from_batches([b]) for b in batches]
    steps: dict[str, Callable[[int], object]] = {
        "generate the plain columns": plain_block,
        "write them to parquet": lambda b: to_parquet(tables[b]),
        "open and close a DuckDB connection": lambda b: duckdb.connect().close(),
    }
    print()
    print(f"{'for comparison (best round)':42} {'ms':>8}")
    for name, step in steps.items():
        runs = [timed(functools.partial(step, b % args.blocks)) for b in range(args.repeats * 4)]
        print(f"{name:42} {min(runs) * 1000:8.2f}")
    print()
    print("Arrow compute, each expression alone (best round):")
    for compiled in [*ours.values.values(), *ours.conditions.values()]:
        runs = [
            timed(functools.partial(evaluate, compiled, tables[0])) for _ in range(args.repeats * 4)
        ]
        print(f"  {compiled.text:80} {min(runs) * 1000:6.2f} ms")


if __name__ == "__main__":
    main()
