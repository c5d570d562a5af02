"""Fields unique together (entity-level ``unique: [[a, b]]``), by construction.

One keyed permutation of the row index over the product of the fields' value spaces gives each
row a distinct tuple index; its mixed-radix digits are the index each field's own unique
generator would take (the same path as a single unique field), so the tuples never repeat.
"""

from __future__ import annotations

import math

import msgspec
import numpy as np

from pipeline.engine import groups, patterns
from pipeline.engine.bijection import Permutation
from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame, Job
from pipeline.schema.model import Field, Pattern, Reference

_MAX_DOMAIN = 1 << 64


def members(job: Job, path: str) -> list[str] | None:
    """The fields of the unique tuple holding ``path``, if one does."""
    for names in job.resolved.model.unique:
        if path in names:
            return names
    return None


def as_member(job: Job, path: str, spec: Field) -> Field:
    """A tuple's field is generated as a unique one (its index comes from the tuple)."""
    if spec.unique or members(job, path) is None:
        return spec
    return msgspec.structs.replace(spec, unique=True)


def _domain(job: Job, name: str) -> int:
    at = job.field(name)
    if isinstance(at.spec, Reference):
        return groups.entity_rows(job.schema, at.spec.entity, job.seed)
    if at.space is None:
        raise EngineError(f"{name}: a field of a unique tuple needs a bounded set of values")
    if isinstance(at.spec, Pattern):
        return patterns.unique_domain(at.space)
    return at.space


def component(frame: Frame, path: str, domain: int) -> np.ndarray | None:
    """The index into its value space of ``path`` in each row's tuple; None off tuples."""
    names = members(frame.job, path)
    if names is None:
        return None
    radices = [_domain(frame.job, n) for n in names]
    position = names.index(path)
    if radices[position] != domain:
        raise EngineError(f"{path}: {domain} values, but its tuple counts {radices[position]}")
    total = min(math.prod(radices), _MAX_DOMAIN)
    if frame.n and int(frame.rows.max()) >= total:
        raise EngineError(
            f"({', '.join(names)}) needs more than the {total} distinct tuples it has"
        )
    label = "#unique:" + ",".join(names)
    index = Permutation(total, frame.job.keys(label))(frame.rows).astype(np.uint64)
    stride = math.prod(radices[position + 1 :])
    if stride >= total:
        return np.zeros(frame.n, dtype=np.uint64)
    return (index // np.uint64(stride)) % np.uint64(radices[position])
