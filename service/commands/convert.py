"""``drafta convert --from FORMAT FILE``: another schema language in, our YAML on stdout."""

from __future__ import annotations

import argparse
import sys

from service.commands.validate import describe, read_text

FORMATS = ("json_schema", "json_parquet", "sql")
DIALECTS = ("postgres", "mysql", "sqlite", "tsql", "ansi")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "convert",
        help="convert a JSON Schema, Parquet/Arrow JSON schema or SQL DDL to Drafta YAML",
        description="Convert a schema written in another language into Drafta's YAML and print "
        "it. The result is checked with the full validator before it is printed. What the "
        "source says that the conversion skips or cannot keep is printed on stderr as "
        "warnings, with line numbers.",
    )
    parser.add_argument(
        "--from", dest="fmt", required=True, choices=FORMATS, help="the language of FILE"
    )
    parser.add_argument(
        "--dialect",
        choices=DIALECTS,
        help="the SQL dialect of FILE (with --from sql); detected from the text when not given",
    )
    parser.add_argument("file", metavar="FILE", help="the source schema ('-' for stdin)")
    parser.set_defaults(handler=_convert)


def _convert(args: argparse.Namespace) -> int:
    from pipeline.importers import convert_with_warnings
    from pipeline.schema import SchemaError

    if args.dialect and args.fmt != "sql":
        print("--dialect applies to --from sql only", file=sys.stderr)
        return 2
    try:
        text, warnings = convert_with_warnings(read_text(args.file), args.fmt, args.dialect)
    except SchemaError as exc:
        for problem in exc.problems:
            print(describe(problem), file=sys.stderr)
        print(f"{args.file}: cannot convert from {args.fmt}", file=sys.stderr)
        return 1
    for warning in warnings:
        where = f"{args.file}:{warning['line']}" if warning.get("line") else args.file
        print(f"{where}: warning: {warning['message']}", file=sys.stderr)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
