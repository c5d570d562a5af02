"""``drafta validate SCHEMA.yaml``: check a schema file, listing every problem with its line."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "validate",
        help="check a schema file (exit 1 when it is not valid)",
        description="Check a schema file against every rule of the schema language. Problems "
        "are printed one a line as PATH (line N): MESSAGE; the exit code is 1 when any exists.",
    )
    parser.add_argument("schema", metavar="SCHEMA.yaml", help="the schema file ('-' for stdin)")
    parser.add_argument(
        "--providers",
        metavar="FILE.json",
        help="a JSON object of provider name -> list of values; without it, `type: provider` "
        "fields are not checked against existing providers",
    )
    parser.set_defaults(handler=_validate)


def _validate(args: argparse.Namespace) -> int:
    from pipeline.schema import SchemaError, load_schema
    from pipeline.schema.providers import shapes_of

    text = read_text(args.schema)
    providers = load_providers(args.providers) if args.providers else None
    try:
        schema = load_schema(text, providers=None if providers is None else shapes_of(providers))
    except SchemaError as exc:
        for problem in exc.problems:
            print(describe(problem), file=sys.stderr)
        count = len(exc.problems)
        print(f"{args.schema}: {count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return 1
    entities = ", ".join(f"{name} ({len(e.fields)} fields)" for name, e in schema.entities.items())
    print(f"{args.schema}: valid; entities: {entities}")
    return 0


def read_text(path: str) -> str:
    """A file's text ('-' is stdin); a missing or unreadable file ends the command with 1."""
    if path == "-":
        return sys.stdin.read()
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"drafta: cannot read {path}: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc


def load_providers(path: str | None) -> dict[str, list[Any]]:
    """Provider values from a JSON file ``{"name": [values...]}`` (none without a file)."""
    if path is None:
        return {}
    try:
        data = json.loads(read_text(path))
    except ValueError as exc:
        print(f"drafta: {path} is not valid JSON: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    if not isinstance(data, dict) or not all(isinstance(v, list) and v for v in data.values()):
        print(f"drafta: {path} must map provider names to non-empty lists", file=sys.stderr)
        raise SystemExit(1)
    from pipeline.schema.problems import path_text
    from pipeline.schema.providers import data_problems

    wrong = [
        f"drafta: {path}: {path_text((name, *where))}: {message}"
        for name, values in data.items()
        for where, message in data_problems(values)
    ]
    if wrong:
        print("\n".join(wrong), file=sys.stderr)
        raise SystemExit(1)
    return data


def describe(problem: dict[str, Any]) -> str:
    """One schema problem as a line of text, as the schema language words it."""
    from pipeline.schema.errors import describe_problem

    return describe_problem(problem)
