"""`drafta generate` with one worker, whole process, against DuckDB on one thread.

Runs the command (start-up, generation, the file written) and DuckDB writing an equivalent
table to parquet (`bench/engine.py`'s `duckdb_rows`, one thread), each in its own process, in
turn ``--pairs`` times; prints each one's median wall and CPU seconds and peak memory, and the
median over the pairs of DuckDB's time over Drafta's (its speed as a multiple of DuckDB's).

    .venv/bin/python bench/generate.py [--rows 10000000] [--pairs 5] [--formats parquet csv]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DRAFTA = str(Path(sys.executable).with_name("drafta"))


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mib: float


def timed(command: list[str]) -> Run:
    """One whole process: wall seconds, CPU seconds (user + system) and peak RSS."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command[0]} exited with {child.returncode}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def drafta(rows: int, fmt: str, folder: str) -> list[str]:
    return [
        DRAFTA,
        "generate",
        "bench/person.yaml",
        "--entity",
        "Person",
        "--count",
        str(rows),
        "--format",
        fmt,
        "--out",
        f"{folder}/person.{fmt}",
        "--quiet",
    ]


def duckdb(rows: int, folder: str) -> list[str]:
    code = f"from bench.engine import duckdb_rows; duckdb_rows({rows}, {folder!r}, 1)"
    return [sys.executable, "-c", code]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--formats", nargs="+", default=["parquet"])
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = str(ROOT)  # this tree, for both programs
    runs: dict[str, list[Run]] = {}
    with tempfile.TemporaryDirectory() as folder:
        timed(duckdb(100_000, folder))  # warm the file cache of both programs once
        timed(drafta(100_000, "parquet", folder))
        for _ in range(args.pairs):  # in turn, so a slow spell of the machine hits both
            runs.setdefault("duckdb", []).append(timed(duckdb(args.rows, folder)))
            for fmt in args.formats:
                runs.setdefault(fmt, []).append(timed(drafta(args.rows, fmt, folder)))
    print(f"{args.rows:,} rows, one worker / one thread, whole process, median of {args.pairs}")
    print(f"{'program':28} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} {'x DuckDB (wall)':>16}")
    for name, done in runs.items():
        pairs = zip(runs["duckdb"], done, strict=True)
        ratio = statistics.median(d.wall / r.wall for d, r in pairs)
        label = "DuckDB -> parquet" if name == "duckdb" else f"drafta generate -> {name}"
        print(
            f"{label:28} {statistics.median(r.wall for r in done):>7.2f} "
            f"{statistics.median(r.cpu for r in done):>7.2f} "
            f"{max(r.peak_mib for r in done):>9.0f} {ratio:>16.2f}"
        )


if __name__ == "__main__":
    main()
