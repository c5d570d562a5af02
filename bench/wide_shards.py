"""Peak memory of one worker writing a wide schema to parquet, with shards of a fixed row count
(before) and with shards sized by estimated bytes per row (after).

The schema is a JSON (parquet-style) schema file given on the command line, imported as
``drafta import --from json_parquet`` would; each run is a child process generating ``--rows``
rows of its first entity in process on one worker, and its peak RSS is read with
``resource.getrusage`` once it ends.

    python bench/wide_shards.py SCHEMA.json [--rows N]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline import shard_size
from pipeline.allocator import keep_freed_memory
from pipeline.importers import convert_with_warnings
from pipeline.local import generate
from pipeline.plan import DEFAULT_SHARD_ROWS
from pipeline.schema import load_schema
from pipeline.schema.resolved import resolve

UNSIZED = 2**62  # a target no shard reaches: every shard gets the maximum rows


def child(schema_file: str, rows: int, target: int, out: str) -> None:
    keep_freed_memory()  # as a worker, or drafta generate, does
    shard_size.TARGET_SHARD_BYTES = target
    text = Path(schema_file).read_text()
    entity = next(iter(load_schema(text).entities))
    generate(text, entity, rows, seed=1, format="parquet", out=out, workers=1)


def run(schema_file: str, rows: int, target: int) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of one child run."""
    with tempfile.TemporaryDirectory() as folder:
        began = time.perf_counter()
        command = [sys.executable, __file__, schema_file, "--rows", str(rows)]
        command += ["--child", str(target), "--out", f"{folder}/out.parquet"]
        subprocess.run(command, check=True)
        seconds = time.perf_counter() - began
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("schema", help="a JSON (parquet-style) schema file")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.schema, args.rows, args.child, args.out)
        return
    text, _ = convert_with_warnings(Path(args.schema).read_text(), "json_parquet")
    with tempfile.TemporaryDirectory() as folder:
        imported = f"{folder}/schema.yaml"
        Path(imported).write_text(text)
        schema = load_schema(text)
        entity = resolve(schema).entities[next(iter(schema.entities))]
        estimate = shard_size.row_bytes(entity)
        sized = shard_size.sized_shard_rows(entity, DEFAULT_SHARD_ROWS)
        print(f"{len(entity.columns())} columns, about {estimate} Arrow bytes per row")
        # getrusage of children is the highest of any child so far: the smaller run goes first.
        after, after_s = run(imported, args.rows, shard_size.TARGET_SHARD_BYTES)
        print(f"after:  {sized} rows a shard: peak RSS {after:.0f} MB, {after_s:.0f} s")
        before, before_s = run(imported, args.rows, UNSIZED)
        fixed = DEFAULT_SHARD_ROWS
        print(f"before: {fixed} rows a shard: peak RSS {before:.0f} MB, {before_s:.0f} s")


if __name__ == "__main__":
    main()
