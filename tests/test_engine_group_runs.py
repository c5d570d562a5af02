"""A block's rows (in order, one after the other) find their parents and their lookups by runs;
any other rows by a search per row. Both ways give the same answers."""

from __future__ import annotations

import numpy as np

from pipeline.engine.blocks import generate
from pipeline.engine.frame import Job
from pipeline.engine.groups import _locate, entity_rows
from pipeline.engine.lookups import values_at
from pipeline.schema.parse import parse_schema

SCHEMA = parse_schema(
    """
version: 1
entities:
  Parent:
    count: 150000
    fields:
      id: {type: sequence}
      code: {type: pattern, pattern: "P-####"}
  Sparse:
    count: {per: Parent, distribution: {kind: poisson, mean: 0.4}, min: 0, max: 6}
    fields:
      parent: {type: reference, entity: Parent}
  Dense:
    count: {per: Parent, min: 0, max: 9}
    fields:
      parent: {type: reference, entity: Parent}
"""
)


def _row_sets(total: int) -> list[np.ndarray]:
    end = total
    return [
        np.arange(0, min(end, 65536)),
        np.arange(max(0, end // 2 - 70000), min(end, end // 2 + 70000)),  # across parent blocks
        np.arange(end - 3, end),
        np.array([end - 1]),
    ]


def test_runs_of_rows_find_the_parents_a_search_finds() -> None:
    for child in ("Sparse", "Dense"):
        total = entity_rows(SCHEMA, child, 5)
        for rows in _row_sets(total):
            parent, position = _locate(SCHEMA, child, 5, rows)
            # The same rows backwards are not a run: each is searched for.
            back_parent, back_position = _locate(SCHEMA, child, 5, rows[::-1].copy())
            assert (parent == back_parent[::-1]).all()
            assert (position == back_position[::-1]).all()
            assert (np.diff(parent) >= 0).all()
            # Within a group, positions count from 0 one by one.
            same = parent[1:] == parent[:-1]
            assert (position[1:][same] == position[:-1][same] + 1).all()
            assert (position[1:][~same] == 0).all()


def test_rows_in_order_look_up_what_rows_in_any_order_do() -> None:
    job = Job(SCHEMA, "Parent", 5, {})
    rows = np.sort(np.random.default_rng(3).integers(0, 150000, 40000))
    ordered = values_at(job, rows, "code", generate)
    shuffled = np.random.default_rng(4).permutation(len(rows))
    looked_up = values_at(job, rows[shuffled], "code", generate)
    assert ordered.take(shuffled).equals(looked_up)
    first = values_at(job, np.arange(0, 10), "code", generate).to_pylist()
    assert first == values_at(job, np.arange(9, -1, -1), "code", generate).to_pylist()[::-1]
