"""``drafta generate``: rows of one entity to a file, or of several entities to a folder, on
this machine."""

from __future__ import annotations

import argparse
import sys
from typing import get_args

from service.commands.validate import describe, load_providers, read_text
from service.dto import DataFormat, Dialect

DATA_FORMATS: tuple[str, ...] = get_args(DataFormat)
DIALECTS: tuple[str, ...] = get_args(Dialect)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "generate",
        help="generate rows of an entity (or several) to files on this machine",
        description="Generate COUNT rows of an entity into one file, or several entities (each "
        "with its schema count, times --scale) into a folder, parents first, with the same "
        "shard and merge tasks the service runs (on a local Dask cluster of --workers "
        "processes). The output equals a service job's with the same seed. Shard size: "
        "DRAFTA_SHARD_ROWS.",
    )
    parser.add_argument("schema", metavar="SCHEMA.yaml", help="the schema file ('-' for stdin)")
    parser.add_argument(
        "--entity",
        action="append",
        help="the entity to generate; repeat it for several (then --out is a folder)",
    )
    parser.add_argument("--all", action="store_true", help="every entity that has a count")
    parser.add_argument("--count", type=int, help="rows, for one entity")
    parser.add_argument("--scale", type=float, default=1.0, help="times each schema count")
    parser.add_argument("--format", default="json", choices=DATA_FORMATS)
    parser.add_argument(
        "--dialect", choices=DIALECTS, help="the sql format's SQL dialect (default postgres)"
    )
    parser.add_argument(
        "--out", required=True, metavar="PATH_OR_URL", help="the output file (or folder)"
    )
    parser.add_argument("--seed", type=int, help="seed (default: the schema's, else a new one)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--providers", metavar="FILE.json", help="values of `type: provider`")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace) -> int:
    from pipeline import freeze_startup_objects
    from pipeline.allocator import keep_freed_memory
    from pipeline.engine import EngineError
    from pipeline.local import generate, generate_dataset
    from pipeline.schema import SchemaError, load_schema
    from pipeline.schema.providers import shapes_of
    from service.settings import load_settings

    names: list[str] = args.entity or []
    several = args.all or len(names) > 1
    if args.workers < 1 or (args.count is not None and args.count < 0) or args.scale <= 0:
        print("drafta: --count must be >= 0, --scale > 0 and --workers >= 1", file=sys.stderr)
        return 2
    if not several and (not names or args.count is None):
        usage = "give --entity and --count, or --entity A --entity B, or --all"
        print(f"drafta: {usage}", file=sys.stderr)
        return 2
    if args.dialect is not None and args.format != "sql":
        print("drafta: --dialect applies to --format sql only", file=sys.stderr)
        return 2
    settings = load_settings()
    text = read_text(args.schema)
    providers = load_providers(args.providers)
    keep_freed_memory()  # this process makes the rows when it has one worker
    options = {
        "seed": args.seed,
        "format": args.format,
        "dialect": args.dialect,
        "workers": args.workers,
        "shard_rows": settings.shard_rows,
        "progress": not args.quiet and sys.stderr.isatty(),
        "providers": providers,
        "storage_options": settings.storage_options,
    }
    try:
        schema = load_schema(text, providers=shapes_of(providers))
        freeze_startup_objects()
        unknown = [n for n in names if n not in schema.entities]
        if unknown:
            known = ", ".join(schema.entities)
            print(f"drafta: no entity {unknown[0]!r}; the entities are: {known}", file=sys.stderr)
            return 1
        if several:
            counted = [n for n, e in schema.entities.items() if e.count is not None]
            wanted = counted if args.all else names
            written = generate_dataset(text, wanted, args.out, scale=args.scale, **options)
        else:
            written = [generate(text, names[0], args.count, out=args.out, **options)]
    except SchemaError as exc:
        for problem in exc.problems:
            print(describe(problem), file=sys.stderr)
        return 1
    except (EngineError, OSError) as exc:
        print(f"drafta: {exc}", file=sys.stderr)
        return 1
    for result in written:
        print(
            f"wrote {result['rows']} rows of {result['entity']} ({result['format']}, "
            f"{result['bytes']} bytes, {result['shards']} shards) to {result['path']} with seed "
            f"{result['seed']}"
        )
    return 0
