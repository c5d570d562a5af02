"""The ``drafta`` command: one entry point, a subcommand per task (``drafta --help``).

Each subcommand lives in its own module under ``service.commands`` and exposes
``register(subparsers)``; the handler it sets returns the process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# As in a Dask worker: numpy's BLAS gets one thread. No command multiplies matrices, and the
# idle threads of a BLAS pool spin beside the generation. Set before numpy is imported.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

COMMANDS = (
    "serve",
    "keys",
    "validate",
    "convert",
    "preview",
    "generate",
    "remote",
    "backup",
    "assemble",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drafta", description="Drafta: realistic synthetic data from a schema, at any size."
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"service.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
