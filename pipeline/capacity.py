"""Impossible uniqueness for a given row count: unique fields whose value space is too small.

The rule and its message are the schema's own (``pipeline.schema.uniqueness``), so a job that
asks for more rows than a unique field allows is refused as saving such a schema would be.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.schema.dataset_rules import tuple_count_problems
from pipeline.schema.model import Schema
from pipeline.schema.problems import path_text
from pipeline.schema.resolved import resolve
from pipeline.schema.uniqueness import unique_problems


def uniqueness_problems(
    schema: Schema, entity: str, count: int, providers: Mapping[str, Sequence[Any]]
) -> list[dict[str, str]]:
    """Problems for every unique field that cannot hold ``count`` distinct values."""
    whole = resolve(schema)
    resolved = whole.entity(entity)
    if resolved is None:
        return [{"path": f"entities.{entity}", "message": f"unknown entity {entity}"}]
    found = [
        *unique_problems(resolved, count, providers),
        *tuple_count_problems(whole, resolved, count),
    ]
    return [{"path": path_text(location), "message": message} for location, message in found]
