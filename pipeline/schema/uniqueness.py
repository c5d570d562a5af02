"""The one rule of uniqueness for a row count: a unique field needs as many distinct values as
there are rows. Saving a schema checks it against the entity's ``count``; submitting a job
against the job's count, with the providers' data; both say the same thing at the same path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pipeline.schema import model as m
from pipeline.schema.resolved import ResolvedEntity, ResolvedField
from pipeline.schema.rules import UNIQUE_TYPES
from pipeline.schema.yaml_lines import Path


def unique_problem(
    at: ResolvedField, count: int | None, providers: Mapping[str, Sequence[Any]] | None
) -> tuple[Path, str] | None:
    """The problem of a unique field whose value space is smaller than ``count``, if any.

    Without ``providers`` (a schema being saved) a provider's space is unknown and not checked.
    """
    if not count or not at.spec.unique or at.inside_array or not isinstance(at.spec, UNIQUE_TYPES):
        return None
    space = at.space_with(providers)
    if space is None or space >= count:
        return None
    if isinstance(at.spec, m.Reference):
        message = (
            f"cannot be unique: a 1:1 reference needs count <= {at.spec.entity}'s count "
            f"({space}), got {count}"
        )
    else:
        message = (
            f"cannot be unique: {at.path} has {space} possible value(s) "
            f"but the entity's count is {count}"
        )
    return (*at.location, "unique"), message


def unique_problems(
    entity: ResolvedEntity, count: int, providers: Mapping[str, Sequence[Any]] | None
) -> list[tuple[Path, str]]:
    """Every unique field of ``entity`` that cannot hold ``count`` distinct values."""
    found = (unique_problem(at, count, providers) for at in entity.fields)
    return [problem for problem in found if problem is not None]
