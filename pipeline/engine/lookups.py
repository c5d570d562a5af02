"""Rows of another entity picked by a reference, and any field of that entity at those rows.

A lookup's values are recomputed, never read back: each parent block a reference touches is
generated from its first row up to the last row needed, exactly as the parent's own generation
makes it (every draw is a prefix of the block's stream), and the picked rows are taken from it.
So any field of the parent works, hidden ones, templates and the parent's own references and
lookups included.
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa

from pipeline.engine import groups, tuples
from pipeline.engine.distributions import zipf_ranks
from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame, Generator, Job
from pipeline.engine.picks import permuted
from pipeline.engine.rng import BLOCK_ROWS
from pipeline.schema.model import Lookup, Reference

# Parent blocks kept per job: a child block's references mostly touch the same few.
_KEPT_BLOCKS = 32


def drawn_rows(frame: Frame, path: str, spec: Reference, parent_count: int) -> np.ndarray:
    """The parent rows a reference draws: a permutation when unique, else its distribution."""
    if spec.unique or tuples.members(frame.job, path) is not None:
        return permuted(frame, path, parent_count).astype(np.int64)
    rng = frame.rng(path)
    if spec.distribution.kind == "zipf":
        return zipf_ranks(rng, frame.n, parent_count, float(spec.distribution.s or 1.0)) - 1
    return rng.integers(0, parent_count, frame.n, dtype=np.int64)


def reference_rows(frame: Frame, path: str) -> np.ndarray:
    """The parent row index each row of the frame points at through the reference ``path``."""
    spec = frame.job.field(path).spec
    if not isinstance(spec, Reference):
        raise EngineError(f"{path} is not a reference")
    job = frame.job
    if groups.parent_reference(job.schema, job.entity) == path:
        return groups.group_parents(frame)
    return drawn_rows(frame, path, spec, groups.entity_rows(job.schema, spec.entity, job.seed))


def related_job(job: Job, entity: str) -> Job:
    """The job of another entity of the same schema, seed and providers (kept with ``job``)."""
    key = ("job", entity)
    if key not in job.memo:
        job.memo[key] = Job(job.schema, entity, job.seed, job.providers)
    related: Job = job.memo[key]
    return related


def _block_frame(job: Job, block: int, rows: int, generate: Generator) -> Frame:
    """The first ``rows`` rows of one block of ``job``'s entity, kept while the job lives."""
    key = ("block", str(block))
    kept: Frame | None = job.memo.get(key)
    if kept is not None and kept.n >= rows:
        return kept
    first = block * BLOCK_ROWS
    made = Frame(job, block, np.arange(first, first + rows, dtype=np.int64), generate)
    held = [k for k in job.memo if isinstance(k, tuple) and k[:1] == ("block",)]
    if len(held) >= _KEPT_BLOCKS:
        del job.memo[held[0]]
    job.memo[key] = made
    return made


def values_at(job: Job, rows: np.ndarray, path: str, generate: Generator) -> pa.Array:
    """The values of ``path`` at arbitrary rows of ``job``'s entity, as its generation has them."""
    blocks = rows // BLOCK_ROWS
    offsets = rows % BLOCK_ROWS
    if not len(rows):
        return _block_frame(job, 0, 1, generate).column(path).slice(0, 0)
    if len(rows) > 1 and bool(np.all(rows[1:] >= rows[:-1])):
        # In order (the parents of a children-per-parent entity's rows): each block's rows
        # are a run, and the pieces end to end are the rows' values.
        cuts = [0, *(np.flatnonzero(np.diff(blocks)) + 1).tolist(), len(rows)]
        runs = [
            _block_frame(job, int(blocks[lo]), int(offsets[hi - 1]) + 1, generate)
            .column(path)
            .take(pa.array(offsets[lo:hi]))
            for lo, hi in itertools.pairwise(cuts)
        ]
        return runs[0] if len(runs) == 1 else pa.concat_arrays(runs)
    pieces: list[pa.Array] = []
    order: list[np.ndarray] = []
    for b in np.unique(blocks):
        where = np.flatnonzero(blocks == b)
        needed = offsets[where]
        frame = _block_frame(job, int(b), int(needed.max()) + 1, generate)
        pieces.append(frame.column(path).take(pa.array(needed)))
        order.append(where)
    if len(pieces) == 1:
        return pieces[0]
    joined = pa.concat_arrays(pieces)
    back = np.empty(len(rows), dtype=np.int64)
    back[np.concatenate(order)] = np.arange(len(rows))
    return joined.take(pa.array(back))


def gen_lookup(frame: Frame, path: str, spec: Lookup) -> pa.Array:
    target = frame.job.field(path).lookup
    if target is None or target.spec is None:
        raise EngineError(f"{path}: {spec.via} does not reach a field {spec.field}")
    rows = reference_rows(frame, spec.via)
    parent = related_job(frame.job, target.entity)
    values = values_at(parent, rows, spec.field, frame.generate)
    # Where the reference is null it points at no row: the lookup is null too.
    return frame.with_missing(spec.via, frame.job.field(spec.via).spec, values)
