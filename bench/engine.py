"""Benchmark of the generation engine on the reference person schema, on one core.

Prints rows/s for: mimesis ``Schema`` row by row, DuckDB building an equivalent table from
``range()`` and writing parquet, and this engine into Arrow, + parquet, + csv, + json; then the
peak memory (RSS high-water, measured in a child process) for two sizes written to parquet.

With ``--expressions`` it instead prints the cost per row of the plain schema and of its
expression-heavy variant (bench/person_expressions.yaml: five expressions, two conditions),
into Arrow and into parquet, in the same run; with ``--paired`` too, the median ratio of the
two, generated in turn ``--repeats`` times, both as plain Arrow columns and as the writers of
every file format take them (pooled and per-combination text as dictionaries); with
``--each`` too, each expression field's own cost: the variant against itself without that
field, in milliseconds per 65,536-row block.

    python bench/engine.py [--rows N] [--quick] [--expressions [--paired [--each]] [--repeats N]]
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import fsspec
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.allocator import keep_freed_memory
from pipeline.engine import arrow_schema, generate_batches
from pipeline.engine.blocks import BLOCK_ROWS
from pipeline.schema.model import Expression, Schema
from pipeline.schema.parse import parse_schema
from storage.formats import DICTIONARY_FORMATS, write_shard_file

# The reference schema of every speed figure (a copy of the shared bench/person.yaml).
PERSON = (Path(__file__).with_name("person.yaml")).read_text()
PERSON_EXPRESSIONS = (Path(__file__).with_name("person_expressions.yaml")).read_text()
# For scale: five more generated columns of the kinds the expressions give, no expression.
PERSON_FIVE_MORE = PERSON + (
    '      full_name:  {type: template, template: "{first_name} {last_name}"}\n'
    "      balance_eur: {type: float, min: 0, max: 92000, decimals: 2}\n"
    "      renewal:    {type: date, start: 2016-01-01, end: 2026-12-31}\n"
    "      age_band:   {type: choice, values: [young, middle, senior]}\n"
    '      cohort:     {type: pattern, pattern: "20##-##"}\n'
)


def one_core() -> None:
    """One core, and the allocator set as in the processes that generate."""
    keep_freed_memory()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)


def timed(action: Callable[[], int]) -> float:
    start = time.perf_counter()
    rows = action()
    return rows / (time.perf_counter() - start)


def mimesis_rows(rows: int) -> int:
    from mimesis import Field, Locale, Schema

    field = Field(Locale.EN, seed=7)
    rnd = random.Random(7)

    def row() -> dict[str, object]:
        first, last = field("person.first_name"), field("person.last_name")
        return {
            "id": field("uuid"),
            "first_name": first,
            "last_name": last,
            "email": f"{first.lower()}.{last.lower()}@example.com",
            "age": field("integer_number", start=18, end=90),
            "signup": field("date", start=2015, end=2025),
            "country": field("choice", items=["US", "DE", "FR", "GB", "JP", "BR", "IN"]),
            "balance": field("float_number", start=0, end=100000, precision=2),
            "is_active": rnd.random() < 0.8,
            "tier": rnd.choices(["free", "pro", "enterprise"], [80, 15, 5])[0],
        }

    return len(Schema(schema=row, iterations=rows).create())


def duckdb_rows(rows: int, folder: str, threads: int = 1) -> int:
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    firsts = "['James','Mary','John','Patricia','Robert','Jennifer','Michael','Linda']"
    lasts = "['Smith','Johnson','Williams','Brown','Jones','Garcia','Miller','Davis']"
    con.execute(
        f"""
        COPY (
          SELECT uuid()::VARCHAR AS id, f AS first_name, l AS last_name,
                 lower(f) || '.' || lower(l) || '@example.com' AS email,
                 (18 + floor(random() * 73))::BIGINT AS age,
                 DATE '2015-01-01' + (floor(random() * 4018))::INTEGER AS signup,
                 (['US','DE','FR','GB','JP','BR','IN'])[1 + floor(random() * 7)::INTEGER]
                   AS country,
                 round(random() * 100000, 2) AS balance,
                 random() < 0.8 AS is_active,
                 CASE WHEN r < 0.8 THEN 'free' WHEN r < 0.95 THEN 'pro' ELSE 'enterprise' END
                   AS tier
          FROM (
            SELECT {firsts}[1 + floor(random() * 8)::INTEGER] AS f,
                   {lasts}[1 + floor(random() * 8)::INTEGER] AS l, random() AS r
            FROM range({rows})
          )
        ) TO '{folder}/duck.parquet' (FORMAT parquet, COMPRESSION snappy)
        """
    )
    return rows


def engine_arrow(rows: int, text: str = PERSON) -> int:
    schema = parse_schema(text)
    count = 0
    for batch in generate_batches(schema, "Person", 0, rows, seed=7, providers={}):
        count += batch.num_rows
    return count


def engine_file(rows: int, fmt: str, folder: str, text: str = PERSON) -> int:
    schema = parse_schema(text)
    columns = arrow_schema(schema, "Person", seed=7, providers={})
    batches = generate_batches(
        schema,
        "Person",
        0,
        rows,
        seed=7,
        providers={},
        encoded=fmt in DICTIONARY_FORMATS,
        uuid_bytes=fmt == "parquet",
    )
    fs = fsspec.filesystem("file")
    path = f"{folder}/person.{fmt}"
    written = write_shard_file(fmt, batches, fs, path, schema=columns, first=True)
    os.remove(path)
    return written


def child_peak(rows: int) -> float:
    """Peak RSS in MB of a fresh process writing ``rows`` rows to parquet."""
    out = subprocess.run(
        [sys.executable, __file__, "--child-parquet", str(rows)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def child_main(rows: int) -> None:
    one_core()
    with tempfile.TemporaryDirectory() as folder:
        engine_file(rows, "parquet", folder)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def cpu_timed(action: Callable[[], int]) -> float:
    """Rows per second of CPU time: on a shared machine, waiting for the core is not cost."""
    start = time.process_time()
    rows = action()
    return rows / (time.process_time() - start)


def best_of(repeats: int, action: Callable[[], int]) -> float:
    """The fastest of a few runs, in rows per CPU second: noise only slows."""
    return max(cpu_timed(action) for _ in range(repeats))


def expressions_main(rows: int, repeats: int) -> None:
    variants = [
        ("person.yaml", PERSON),
        ("+ five generated columns", PERSON_FIVE_MORE),
        ("person_expressions.yaml", PERSON_EXPRESSIONS),
    ]
    for _, text in variants:
        engine_arrow(1000, text)
    print(f"CPU time per row, {rows:,} rows, best of {repeats}")
    print(
        f"{'schema':28} {'-> Arrow us':>12} {'overhead':>9} {'-> parquet us':>14} {'overhead':>9}"
    )
    base: tuple[float, float] | None = None
    with tempfile.TemporaryDirectory() as folder:
        for name, text in variants:
            arrow = 1e6 / best_of(repeats, functools.partial(engine_arrow, rows, text))
            parquet = 1e6 / best_of(
                repeats, functools.partial(engine_file, rows, "parquet", folder, text)
            )
            base = base or (arrow, parquet)
            print(
                f"{name:28} {arrow:>12.3f} {arrow / base[0] - 1:>+9.1%} "
                f"{parquet:>14.3f} {parquet / base[1] - 1:>+9.1%}"
            )


def _cpu_seconds(schema: Schema, rows: int, encoded: bool) -> float:
    start = time.process_time()
    for _ in generate_batches(schema, "Person", 0, rows, seed=7, providers={}, encoded=encoded):
        pass
    return time.process_time() - start


def _paired(
    base: Schema, other: Schema, rows: int, repeats: int, encoded: bool
) -> list[tuple[float, float]]:
    """CPU seconds of ``base`` and of ``other``, generated one right after the other (which
    goes first alternates): on a busy machine both see the same load, and the median of the
    pairs' ratios settles where the best of a few short runs does not."""
    _cpu_seconds(base, rows, encoded)  # builds the value pools once, as a worker does
    _cpu_seconds(other, rows, encoded)
    pairs = []
    for k in range(repeats):
        if k % 2:
            extra = _cpu_seconds(other, rows, encoded)
            plain = _cpu_seconds(base, rows, encoded)
        else:
            plain = _cpu_seconds(base, rows, encoded)
            extra = _cpu_seconds(other, rows, encoded)
        pairs.append((plain, extra))
    return pairs


MODES = [("-> Arrow", False), ("-> the writers' dictionaries", True)]


def paired_main(rows: int, repeats: int) -> None:
    """The expression variant against the plain schema, in both forms a block is made in."""
    plain, heavy = parse_schema(PERSON), parse_schema(PERSON_EXPRESSIONS)
    print(f"{rows:,} rows, {repeats} pairs: person_expressions.yaml over person.yaml, CPU time")
    for label, encoded in MODES:
        ratios = [extra / base - 1 for base, extra in _paired(plain, heavy, rows, repeats, encoded)]
        low, middle, high = min(ratios), statistics.median(ratios), max(ratios)
        print(f"{label} overhead: median {middle:+.1%}, from {low:+.1%} to {high:+.1%}")


def _without(text: str, name: str) -> str:
    """The schema text without the field ``name`` (its line and the lines indented under it)."""
    kept: list[str] = []
    inside = False
    for line in text.splitlines():
        if line.startswith(f"      {name}:"):
            inside = True
            continue
        if inside and line.startswith("        "):
            continue
        inside = False
        kept.append(line)
    return "\n".join(kept) + "\n"


def each_main(rows: int, repeats: int) -> None:
    """Each expression field's own cost: the variant over itself without the field."""
    heavy = parse_schema(PERSON_EXPRESSIONS)
    fields = heavy.entities["Person"].fields
    names = [name for name, spec in fields.items() if isinstance(spec, Expression)]
    blocks = rows / BLOCK_ROWS
    print(f"{rows:,} rows, {repeats} pairs each: an expression field's own CPU time per block")
    print(f"{'field':14} " + " ".join(f"{label:>30}" for label, _ in MODES))
    for name in names:
        without = parse_schema(_without(PERSON_EXPRESSIONS, name))
        costs = []
        for _, encoded in MODES:
            pairs = _paired(without, heavy, rows, repeats, encoded)
            own = statistics.median(extra - base for base, extra in pairs) / blocks
            costs.append(f"{own * 1e3:>27.2f} ms")
        print(f"{name:14} " + " ".join(costs))
    plain = parse_schema(PERSON)
    whole = [
        statistics.median(_cpu_seconds(plain, rows, encoded) for _ in range(repeats)) / blocks
        for _, encoded in MODES
    ]
    print(f"{'person.yaml':14} " + " ".join(f"{s * 1e3:>27.2f} ms" for s in whole))
    print(f"{'(+25 % of it)':14} " + " ".join(f"{s * 0.25e3:>27.2f} ms" for s in whole))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000, help="rows per engine run")
    parser.add_argument("--quick", action="store_true", help="small counts, no 10 M memory run")
    parser.add_argument("--child-parquet", type=int, help=argparse.SUPPRESS)
    parser.add_argument(
        "--expressions", action="store_true", help="plain schema against its expression variant"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure of --expressions")
    parser.add_argument(
        "--paired", action="store_true", help="with --expressions: the median of paired ratios"
    )
    parser.add_argument(
        "--each", action="store_true", help="with --paired: each expression field's own cost"
    )
    args = parser.parse_args()
    if args.child_parquet:
        child_main(args.child_parquet)
        return
    one_core()
    if args.expressions:
        run = expressions_main
        if args.paired:
            run = each_main if args.each else paired_main
        run(200_000 if args.quick else args.rows, args.repeats)
        return
    rows = 200_000 if args.quick else args.rows
    baseline_rows = 5_000 if args.quick else 50_000
    engine_arrow(1000)  # builds the value pools once, as a worker does
    with tempfile.TemporaryDirectory() as folder:
        mimesis = timed(lambda: mimesis_rows(baseline_rows))
        duck = timed(lambda: duckdb_rows(rows, folder))
        results = [
            ("mimesis Schema, row by row", mimesis, baseline_rows),
            ("DuckDB range() -> parquet", duck, rows),
            ("engine -> Arrow", timed(lambda: engine_arrow(rows)), rows),
            ("engine -> parquet", timed(lambda: engine_file(rows, "parquet", folder)), rows),
            ("engine -> csv", timed(lambda: engine_file(rows, "csv", folder)), rows),
            ("engine -> json", timed(lambda: engine_file(rows, "json", folder)), rows),
        ]
    print(
        f"{'approach (one core)':32} {'rows':>10} {'rows/s':>12} {'x mimesis':>10} {'x DuckDB':>9}"
    )
    for name, speed, count in results:
        print(
            f"{name:32} {count:>10,} {speed:>12,.0f} {speed / mimesis:>10.1f} {speed / duck:>9.2f}"
        )
    sizes = [100_000, 1_000_000] if args.quick else [1_000_000, 10_000_000]
    print()
    print(f"{'peak RSS, engine -> parquet':32} {'rows':>10} {'MB':>12}")
    for size in sizes:
        print(f"{'':32} {size:>10,} {child_peak(size):>12,.0f}")


if __name__ == "__main__":
    main()
