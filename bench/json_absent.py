"""Cost of keys that may be absent in json rows, on one core.

Writes the same rows as json twice: a sequence, eight integers and a word, then the same
schema with ``absent_rate: 0.2`` on the last nine fields. Prints the best CPU time of each
over interleaved runs and their ratio.

    python bench/json_absent.py [--rows N] [--repeats N]
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.engine.blocks import generate_batches
from pipeline.schema import load_schema
from pipeline.schema.model import Schema
from storage.formats.json import write_json


def _schema(option: str) -> Schema:
    fields = ["      id: sequence"]
    fields += [f"      c{i}: {{type: integer, max: 1000{option}}}" for i in range(8)]
    fields.append(f"      word: {{type: text.word{option}}}")
    return load_schema("entities:\n  A:\n    fields:\n" + "\n".join(fields) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    variants = {"present": "", "absent": ", absent_rate: 0.2"}
    batches = {
        name: list(generate_batches(_schema(option), "A", 0, args.rows, seed=1, providers={}))
        for name, option in variants.items()
    }
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(args.repeats):
        for name, rows in batches.items():
            start = time.process_time()
            write_json(rows, io.BytesIO())
            best[name] = min(best[name], time.process_time() - start)
    for name, seconds in best.items():
        print(f"{name:8} {seconds:.3f} s")
    print(f"ratio    {best['absent'] / best['present']:.2f}")


if __name__ == "__main__":
    main()
