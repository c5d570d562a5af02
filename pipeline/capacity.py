"""Impossible uniqueness for a given row count: unique fields whose value space is too small."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.engine.patterns import unique_domain
from pipeline.engine.templates import TOKEN_DOMAIN, placeholders, unique_as_is
from pipeline.schema.model import (
    Boolean,
    Choice,
    Date,
    Datetime,
    Entity,
    Field,
    Float,
    Integer,
    Pattern,
    Provider,
    Reference,
    Schema,
    Template,
    iter_fields,
)


def _distinct(values: Sequence[Any]) -> int:
    return len({f"{type(v).__name__}:{v!r}" for v in values})


def value_space(
    schema: Schema, entity: Entity, path: str, spec: Field, providers: Mapping[str, Sequence[Any]]
) -> tuple[int, str] | None:
    """How many distinct values a unique field can take, with how to say so; None: unbounded."""
    if isinstance(spec, Integer):
        return spec.max - spec.min + 1, f"the range {spec.min}..{spec.max} has only"
    if isinstance(spec, Float) and spec.decimals is not None:
        scale = 10**spec.decimals
        space = int(spec.max * scale // 1) - int(-(-spec.min * scale // 1)) + 1
        return max(space, 0), f"the range with {spec.decimals} decimals has only"
    if isinstance(spec, Boolean):
        return 2, "a boolean has only"
    if isinstance(spec, Choice):
        return _distinct(spec.values), "the choice has only"
    if isinstance(spec, Provider):
        return _distinct(providers.get(spec.name, [])), f"provider {spec.name} has only"
    if isinstance(spec, Date):
        return (spec.end - spec.start).days + 1, "the date range has only"
    if isinstance(spec, Datetime):
        micros = int((spec.end - spec.start).total_seconds() * 1_000_000) + 1
        return micros, "the datetime range has only"
    if isinstance(spec, Pattern):
        return unique_domain(spec.pattern), "the pattern allows only"
    if isinstance(spec, Template):
        fields = dict(iter_fields(entity.fields))
        if unique_as_is(spec.template, fields):
            target = placeholders(spec.template)[0].path
            return value_space(schema, entity, target, fields[target], providers)
        return TOKEN_DOMAIN, "the template's unique token allows only"
    if isinstance(spec, Reference):
        parent = schema.entities.get(spec.entity)
        count = parent.count if parent is not None else None
        return (count or 0), f"entity {spec.entity} has only"
    return None


def uniqueness_problems(
    schema: Schema, entity: str, count: int, providers: Mapping[str, Sequence[Any]]
) -> list[dict[str, str]]:
    """Problems for every unique field that cannot hold ``count`` distinct values."""
    spec = schema.entities.get(entity)
    if spec is None:
        return [{"path": f"entities.{entity}", "message": f"unknown entity {entity}"}]
    problems = []
    for path, field in iter_fields(spec.fields):
        if not field.unique or "[]" in path:
            continue
        space = value_space(schema, spec, path, field, providers)
        if space is None or space[0] >= count:
            continue
        size, what = space
        problems.append(
            {
                "path": f"entities.{entity}.fields.{path.replace('.', '.fields.')}",
                "message": f"unique needs {count} distinct values but {what} {size}",
            }
        )
    return problems
