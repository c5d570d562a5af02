"""Columns of record providers, and draw groups: the fields of one entity naming the same
``draw`` read the same record in each row.

A draw group's record index comes from one random stream keyed by the entity and the draw name,
never by a field, so adding or removing a field of the group leaves the others' values as they
were; a field without ``draw`` draws its record from its own stream, keyed by its path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame, Job
from pipeline.engine.picks import draw_index, pick, take
from pipeline.engine.values import to_arrow
from pipeline.schema.model import Provider
from pipeline.schema.providers import is_records, is_weight_column
from pipeline.schema.space import distinct_values


def holds_records(job: Job, name: str) -> bool:
    return is_records(job.providers.get(name) or ())


def _records(job: Job, path: str, spec: Provider) -> Sequence[Mapping[str, Any]]:
    data = job.providers.get(spec.name)
    if not data:
        raise EngineError(f"provider {spec.name} has no data")
    if not is_records(data):
        raise EngineError(f"{path}: provider {spec.name} holds plain values: remove `column`")
    if spec.column not in data[0]:
        raise EngineError(f"{path}: provider {spec.name} has no column {spec.column!r}")
    return data


def _column(job: Job, name: str, column: str, data: Sequence[Mapping[str, Any]]) -> list[Any]:
    key = ("column", name, column)
    if key not in job.memo:
        job.memo[key] = [r.get(column) for r in data]
    values: list[Any] = job.memo[key]
    return values


def _pool(job: Job, name: str, column: str, data: Sequence[Mapping[str, Any]]) -> pa.Array:
    key = ("pool", name, column)
    if key not in job.memo:
        job.memo[key] = to_arrow(_column(job, name, column, data))
    pool: pa.Array = job.memo[key]
    return pool


def _weights(
    job: Job, path: str, spec: Provider, data: Sequence[Mapping[str, Any]]
) -> np.ndarray | None:
    if spec.weight_column is None:
        return None
    key = ("weights", spec.name, spec.weight_column)
    if key not in job.memo:
        values = _column(job, spec.name, spec.weight_column, data)
        if not is_weight_column(values):
            raise EngineError(
                f"{path}: column {spec.weight_column!r} of provider {spec.name} cannot weigh "
                "records (a number >= 0 in every record, not 0 in all)"
            )
        job.memo[key] = np.array(values, dtype=np.float64)
    weights: np.ndarray = job.memo[key]
    return weights


def _record_index(
    frame: Frame, path: str, spec: Provider, data: Sequence[Mapping[str, Any]]
) -> np.ndarray:
    if spec.draw is None:
        return draw_index(
            frame.rng(path), frame.n, len(data), _weights(frame.job, path, spec, data)
        )
    known = frame.draws.get(spec.draw)
    if known is not None:
        if known[0] != spec.weight_column:
            raise EngineError(f"{path}: the fields of draw {spec.draw!r} disagree on weight_column")
        return known[1]
    # Labels of fields are names; "#" keeps the draw's stream apart from every field's.
    stream = frame.rng(f"#draw:{spec.draw}")
    index = draw_index(stream, frame.n, len(data), _weights(frame.job, path, spec, data))
    frame.draws[spec.draw] = (spec.weight_column, index)
    return index


def gen_record_column(frame: Frame, path: str, spec: Provider) -> pa.Array:
    data = _records(frame.job, path, spec)
    column = spec.column or ""
    if spec.unique:
        distinct = distinct_values(_column(frame.job, spec.name, column, data))
        return pick(frame, path, to_arrow(distinct), True)
    pool = _pool(frame.job, spec.name, column, data)
    return take(pool, _record_index(frame, path, spec, data))
