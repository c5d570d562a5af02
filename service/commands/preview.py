"""``drafta preview SCHEMA.yaml --entity NAME``: the first rows of a job, as a table."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import msgspec

from service.commands.validate import describe, load_providers, read_text


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "preview",
        help="show the first rows of an entity as a table",
        description="Generate the first rows of an entity on this machine and show them as a "
        "table: the same rows a json job with the same seed starts with.",
    )
    parser.add_argument("schema", metavar="SCHEMA.yaml", help="the schema file ('-' for stdin)")
    parser.add_argument("--entity", required=True, help="the entity to preview")
    parser.add_argument(
        "-n", "--count", type=int, default=10, help="rows to show, 1 to 100 (default 10)"
    )
    parser.add_argument("--seed", type=int, help="seed (default: the schema's, else a new one)")
    parser.add_argument("--providers", metavar="FILE.json", help="values of `type: provider`")
    parser.add_argument(
        "--json", action="store_true", help="print the rows as one JSON document instead"
    )
    parser.set_defaults(handler=_preview)


def _preview(args: argparse.Namespace) -> int:
    from pipeline.schema import SchemaError
    from pipeline.schema.providers import shapes_of
    from service.dto import MAX_PREVIEW_ROWS, PreviewRequest
    from service.errors import ServiceError
    from service.preview import preview_schema

    if not 1 <= args.count <= MAX_PREVIEW_ROWS:
        print(f"drafta: -n must be between 1 and {MAX_PREVIEW_ROWS}", file=sys.stderr)
        return 2
    text = read_text(args.schema)
    providers = load_providers(args.providers)
    request = PreviewRequest(entity_name=args.entity, count=args.count, seed=args.seed)
    try:
        preview = preview_schema(
            text, request, providers=providers, known_providers=shapes_of(providers)
        )
    except SchemaError as exc:
        for problem in exc.problems:
            print(describe(problem), file=sys.stderr)
        return 1
    except ServiceError as exc:
        print(f"drafta: {exc.detail}", file=sys.stderr)
        return 1
    if args.json:
        sys.stdout.write(msgspec.json.format(msgspec.json.encode(preview)).decode() + "\n")
        return 0
    _table(preview.entity_name, preview.seed, preview.rows)
    return 0


def _cell(value: Any) -> str:
    if value is None:
        return "[dim]null[/dim]"
    if isinstance(value, dict | list):
        return msgspec.json.encode(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _table(entity: str, seed: int, rows: list[dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{entity}: {len(rows)} rows, seed {seed}", title_justify="left")
    columns = list(rows[0]) if rows else []
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(_safe(row[name], escape) for name in columns))
    # Piped output keeps whole values: only a terminal's width squeezes the table.
    Console(width=None if sys.stdout.isatty() else 10_000).print(table)


def _safe(value: Any, escape: Any) -> str:
    return _cell(value) if value is None else str(escape(_cell(value)))
