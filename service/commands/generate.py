"""``drafta generate``: rows of one entity to a file (or any fsspec URL) on this machine."""

from __future__ import annotations

import argparse
import sys

from service.commands.validate import describe, load_providers, read_text


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "generate",
        help="generate rows of an entity to a file on this machine",
        description="Generate COUNT rows of an entity into one file, with the same shard and "
        "merge tasks the service runs (on a local Dask cluster of --workers processes). The "
        "output equals a service job's with the same seed. Shard size: DRAFTA_SHARD_ROWS.",
    )
    parser.add_argument("schema", metavar="SCHEMA.yaml", help="the schema file ('-' for stdin)")
    parser.add_argument("--entity", required=True, help="the entity to generate")
    parser.add_argument("--count", type=int, required=True, help="rows to generate")
    parser.add_argument("--format", default="json", choices=("json", "csv", "parquet"))
    parser.add_argument("--out", required=True, metavar="PATH_OR_URL", help="the output file")
    parser.add_argument("--seed", type=int, help="seed (default: the schema's, else a new one)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--providers", metavar="FILE.json", help="values of `type: provider`")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(handler=_generate)


def _generate(args: argparse.Namespace) -> int:
    from pipeline.engine import EngineError
    from pipeline.local import generate
    from pipeline.schema import SchemaError, load_schema
    from pipeline.schema.providers import shapes_of
    from service.settings import load_settings

    if args.count < 0 or args.workers < 1:
        print("drafta: --count must be >= 0 and --workers >= 1", file=sys.stderr)
        return 2
    settings = load_settings()
    text = read_text(args.schema)
    providers = load_providers(args.providers)
    try:
        schema = load_schema(text, providers=shapes_of(providers))
        if args.entity not in schema.entities:
            known = ", ".join(schema.entities)
            print(f"drafta: no entity {args.entity!r}; the entities are: {known}", file=sys.stderr)
            return 1
        result = generate(
            text,
            args.entity,
            args.count,
            seed=args.seed,
            format=args.format,
            out=args.out,
            workers=args.workers,
            shard_rows=settings.shard_rows,
            progress=not args.quiet and sys.stderr.isatty(),
            providers=providers,
            storage_options=settings.storage_options,
        )
    except SchemaError as exc:
        for problem in exc.problems:
            print(describe(problem), file=sys.stderr)
        return 1
    except (EngineError, OSError) as exc:
        print(f"drafta: {exc}", file=sys.stderr)
        return 1
    print(
        f"wrote {result['rows']} rows of {args.entity} ({result['format']}, {result['bytes']} "
        f"bytes, {result['shards']} shards) to {result['path']} with seed {result['seed']}"
    )
    return 0
