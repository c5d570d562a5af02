"""Rows of one entity generated to a JSON file through the local pipeline, read back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.local import generate
from pipeline.schema import SchemaError, load_schema


def generated_rows(
    schema: str, entity: str, count: int | None, folder: Path, *, seed: int, **options: Any
) -> list[dict[str, Any]]:
    """The rows of ``entity`` as ``pipeline.local.generate`` writes them (one file per call's
    options, so runs with other shards or workers sit side by side)."""
    tag = "-".join(f"{k}{v}" for k, v in sorted(options.items()))
    out = folder / f"{entity}-{seed}-{tag}.json"
    generate(schema, entity, count, out=str(out), seed=seed, **options)
    rows: list[dict[str, Any]] = json.loads(out.read_text())
    return rows


def problems_of(schema: str) -> list[dict[str, Any]]:
    """Every problem the schema's reader reports (none: an empty list)."""
    try:
        load_schema(schema)
    except SchemaError as exc:
        return list(exc.problems)
    return []
