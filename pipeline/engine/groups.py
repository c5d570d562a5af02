"""Children per parent (``count: {per: Order, ...}``): rows in groups, one group per parent row.

A group's size comes from a random stream keyed by the child entity and the parent's block, so
it follows from the parent row index alone. A child row finds its parent without coordination
between workers: the totals of each parent block (kept per job seed) place the row in a parent
block, then the exact prefix sums of that block's sizes place it in a group.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa

from pipeline.engine.distributions import zipf_ranks
from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame
from pipeline.engine.rng import BLOCK_ROWS, block_stream
from pipeline.schema.model import PerParent, Reference, Schema

_SIZES_LABEL = "#count-per-parent"


def entity_rows(schema: Schema, name: str, seed: int) -> int:
    """An entity's row count: its ``count``, or for children per parent the sum of its groups."""
    entity = schema.entities.get(name)
    if entity is None:
        raise EngineError(f"unknown entity {name}")
    count = entity.count
    if isinstance(count, PerParent):
        parents = entity_rows(schema, count.per, seed)
        return int(_block_starts(seed, name, count, parents)[-1])
    if count is None:
        raise EngineError(f"entity {name} needs a count to be referenced")
    return count


def _draw_sizes(rng: np.random.Generator, per: PerParent) -> np.ndarray:
    dist = per.distribution
    high = per.max
    if dist.kind == "poisson":
        sizes = rng.poisson(float(dist.mean or 0.0), BLOCK_ROWS).astype(np.int64)
        return np.clip(sizes, per.min, high if high is not None else np.iinfo(np.int64).max)
    if high is None:
        raise EngineError(f"count per {per.per} needs `max`")
    if dist.kind == "zipf":
        span = high - per.min + 1
        return per.min + zipf_ranks(rng, BLOCK_ROWS, span, float(dist.s or 1.0)) - 1
    return rng.integers(per.min, high, BLOCK_ROWS, endpoint=True, dtype=np.int64)


@functools.lru_cache(maxsize=256)
def group_sizes(seed: int, child: str, per: PerParent, parents: int, block: int) -> np.ndarray:
    """The group size of every parent row of one parent block.

    The whole block is always drawn, so a size never depends on how many parents there are.
    """
    sizes = _draw_sizes(block_stream(seed, child, _SIZES_LABEL, block), per)
    return sizes[: max(0, min(BLOCK_ROWS, parents - block * BLOCK_ROWS))]


@functools.lru_cache(maxsize=64)
def _block_starts(seed: int, child: str, per: PerParent, parents: int) -> np.ndarray:
    """The first child row of each parent block, and the child count last."""
    blocks = -(-parents // BLOCK_ROWS)
    totals = [int(group_sizes(seed, child, per, parents, b).sum()) for b in range(blocks)]
    starts = np.zeros(blocks + 1, dtype=np.int64)
    np.cumsum(totals, out=starts[1:])
    return starts


def _locate(schema: Schema, child: str, seed: int, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """(parent row, position within its group) of each child row."""
    per = schema.entities[child].count
    assert isinstance(per, PerParent)
    parents = entity_rows(schema, per.per, seed)
    starts = _block_starts(seed, child, per, parents)
    if len(rows) and int(rows.max()) >= int(starts[-1]):
        raise EngineError(f"{child} has {int(starts[-1])} rows (its groups per {per.per})")
    parent = np.empty(len(rows), dtype=np.int64)
    position = np.empty(len(rows), dtype=np.int64)
    if len(rows) and int(rows[-1]) - int(rows[0]) == len(rows) - 1 and _ascending(rows):
        # A block's rows, one after the other: each group's rows are a run.
        first, last = int(rows[0]), int(rows[-1]) + 1
        for b in range(_block_of(starts, first), _block_of(starts, last - 1) + 1):
            lo, hi = max(first, int(starts[b])), min(last, int(starts[b + 1]))
            if lo < hi:
                runs = _runs(seed, child, per, parents, b, lo - int(starts[b]), hi - int(starts[b]))
                parent[lo - first : hi - first], position[lo - first : hi - first] = runs
        return parent, position
    blocks = np.searchsorted(starts, rows, side="right") - 1
    for b in np.unique(blocks):
        where = blocks == b
        ends = np.cumsum(group_sizes(seed, child, per, parents, int(b)))
        local = rows[where] - starts[b]
        index = np.searchsorted(ends, local, side="right")
        parent[where] = int(b) * BLOCK_ROWS + index
        position[where] = local - np.where(index > 0, ends[index - 1], 0)
    return parent, position


def _ascending(rows: np.ndarray) -> bool:
    return bool(np.all(rows[1:] > rows[:-1]))


def _block_of(starts: np.ndarray, row: int) -> int:
    return int(np.searchsorted(starts, row, side="right")) - 1


def _runs(
    seed: int, child: str, per: PerParent, parents: int, block: int, lo: int, hi: int
) -> tuple[np.ndarray, np.ndarray]:
    """(parent row, position in its group) of the child rows ``lo`` to ``hi`` (exclusive) of
    one parent block, counted from its first child row: each group's parent repeated over its
    rows, where a search per row costs a binary search each."""
    sizes = group_sizes(seed, child, per, parents, block)
    ends = np.cumsum(sizes)
    begins = ends - sizes
    first = int(np.searchsorted(ends, lo, side="right"))
    last = int(np.searchsorted(ends, hi - 1, side="right")) + 1
    counts = np.minimum(ends[first:last], hi) - np.maximum(begins[first:last], lo)
    group = np.repeat(np.arange(first, last, dtype=np.int64), np.maximum(counts, 0))
    local = np.arange(lo, hi, dtype=np.int64)
    return block * BLOCK_ROWS + group, local - begins[group]


def _located(frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    hit = frame.cache.get("#group")
    if hit is None:
        job = frame.job
        parent, position = _locate(job.schema, job.entity, job.seed, frame.rows)
        hit = pa.StructArray.from_arrays(
            [pa.array(parent), pa.array(position)], names=["parent", "position"]
        )
        frame.cache["#group"] = hit
    return (
        hit.field("parent").to_numpy(zero_copy_only=False),
        hit.field("position").to_numpy(zero_copy_only=False),
    )


def group_parents(frame: Frame) -> np.ndarray:
    """The parent row of each row of a frame of a children-per-parent entity."""
    return _located(frame)[0]


def group_positions(frame: Frame) -> np.ndarray:
    """Each row's position (from 0) within its group."""
    return _located(frame)[1]


def parent_reference(schema: Schema, entity: str) -> str | None:
    """The reference that holds the group's parent: marked ``parent: true``, else the only
    reference to the ``per`` entity."""
    model = schema.entities[entity]
    per = model.count
    if not isinstance(per, PerParent):
        return None
    refs = [
        name
        for name, spec in model.fields.items()
        if isinstance(spec, Reference) and spec.entity == per.per
    ]
    marked = [n for n in refs if isinstance(s := model.fields[n], Reference) and s.parent]
    if marked:
        return marked[0]
    return refs[0] if len(refs) == 1 else None
