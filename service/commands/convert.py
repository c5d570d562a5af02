"""``drafta convert --from FORMAT FILE``: another schema language in, our YAML on stdout."""

from __future__ import annotations

import argparse
import sys

from service.commands.validate import describe, read_text

FORMATS = ("json_schema", "json_parquet", "sql")


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "convert",
        help="convert a JSON Schema, Parquet/Arrow JSON schema or SQL DDL to Drafta YAML",
        description="Convert a schema written in another language into Drafta's YAML and print "
        "it. The result is checked with the full validator before it is printed.",
    )
    parser.add_argument(
        "--from", dest="fmt", required=True, choices=FORMATS, help="the language of FILE"
    )
    parser.add_argument("file", metavar="FILE", help="the source schema ('-' for stdin)")
    parser.set_defaults(handler=_convert)


def _convert(args: argparse.Namespace) -> int:
    from pipeline.importers import convert
    from pipeline.schema import SchemaError

    try:
        text = convert(read_text(args.file), args.fmt)
    except SchemaError as exc:
        for problem in exc.problems:
            print(describe(problem), file=sys.stderr)
        print(f"{args.file}: cannot convert from {args.fmt}", file=sys.stderr)
        return 1
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
