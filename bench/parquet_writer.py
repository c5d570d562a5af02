"""Benchmark of the parquet writer's choices on the reference person schema, on one core.

Generates 1,048,576 rows once (as a parquet shard takes them: pool-drawn strings as
dictionaries), then writes them to a file with the writer as it is and with one choice changed
at a time: the codec, the dictionary limit, the values per encoder call, min/max on the pooled
columns, the pooled columns decoded to plain strings as before. Prints CPU seconds per million
rows (best of ``--repeats``) and the file's size, each beside the writer as it is.

    .venv/bin/python bench/parquet_writer.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine import PERSON, one_core
from pipeline.engine import arrow_schema, generate_batches
from pipeline.schema.parse import parse_schema
from storage.formats import parquet

ROWS = 1_048_576


@contextmanager
def changed(target: Any, **values: Any) -> Iterator[None]:
    """Attributes of ``target`` set for the duration of one variant."""
    before = {name: getattr(target, name) for name in values}
    for name, value in values.items():
        setattr(target, name, value)
    try:
        yield
    finally:
        for name, value in before.items():
            setattr(target, name, value)


class AllStatistics(parquet._Columns):
    """The writer's columns with min and max on every column, pooled ones included."""

    def __init__(self, schema: pa.Schema, first: pa.RecordBatch | None) -> None:
        super().__init__(schema, first)
        self.statistics = True


VARIANTS: list[tuple[str, Callable[[], Any], bool]] = [
    ("as written (LZ4_RAW)", lambda: changed(parquet), True),
    ("snappy", lambda: changed(parquet, COMPRESSION="snappy"), True),
    ("zstd level 1", lambda: changed(parquet, COMPRESSION="zstd", COMPRESSION_LEVEL=1), True),
    ("zstd level 3", lambda: changed(parquet, COMPRESSION="zstd", COMPRESSION_LEVEL=3), True),
    ("no compression", lambda: changed(parquet, COMPRESSION="none"), True),
    ("LZ4 on random columns too", lambda: changed(parquet, INCOMPRESSIBLE=2.0), True),
    ("dictionary limit 1 MiB", lambda: changed(parquet, DICTIONARY_PAGE_BYTES=1 << 20), True),
    ("1,024 values per call", lambda: changed(parquet, WRITE_BATCH_ROWS=1024), True),
    ("min/max on pooled columns", lambda: changed(parquet, _Columns=AllStatistics), True),
    ("pooled columns decoded", lambda: changed(parquet), False),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="writes per variant")
    args = parser.parse_args()
    one_core()
    schema = parse_schema(PERSON)
    columns = arrow_schema(schema, "Person", seed=7, providers={}, encoded=True)
    batches = {
        encoded: list(
            generate_batches(schema, "Person", 0, ROWS, seed=7, providers={}, encoded=encoded)
        )
        for encoded in (True, False)
    }
    best: dict[str, float] = {}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "person.parquet")
        for _ in range(args.repeats):  # variants in turn, so a slow spell hits them all
            for name, variant, encoded in VARIANTS:
                with variant(), open(path, "wb") as out:
                    started = time.process_time()
                    parquet.write_parquet(batches[encoded], out, schema=columns)
                    spent = time.process_time() - started
                best[name] = min(best.get(name, spent), spent)
                sizes[name] = os.path.getsize(path)
    base = VARIANTS[0][0]
    print(f"{ROWS:,} rows of bench/person.yaml, CPU s per million rows, best of {args.repeats}")
    print(f"{'writer':28} {'s/M rows':>9} {'x as written':>13} {'MB':>7} {'x size':>7}")
    for name, _, _ in VARIANTS:
        seconds = best[name] * 1e6 / ROWS
        print(
            f"{name:28} {seconds:>9.3f} {best[name] / best[base]:>13.2f} "
            f"{sizes[name] / 1e6:>7.1f} {sizes[name] / sizes[base]:>7.2f}"
        )
    print(f"pyarrow {pa.__version__}")


if __name__ == "__main__":
    main()
