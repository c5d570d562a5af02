"""Picking values for the rows of a frame: keyed permutations for unique fields, uniform or
weighted draws from a pool otherwise."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa

from pipeline.engine import tuples
from pipeline.engine.bijection import Permutation
from pipeline.engine.errors import EngineError
from pipeline.engine.frame import Frame


def permuted(frame: Frame, path: str, domain: int | None = None) -> np.ndarray:
    """perm(row) over a domain that depends only on the field's value space (by default the
    one the schema gives it)."""
    if domain is None:
        domain = value_space(frame, path)
    together = tuples.component(frame, path, domain)
    if together is not None:
        return together
    if frame.n and int(frame.rows.max()) >= domain:
        raise EngineError(f"{path}: unique needs more than the {domain} distinct values it has")
    return Permutation(domain, frame.job.keys(path + "#perm"))(frame.rows)


def value_space(frame: Frame, path: str) -> int:
    space = frame.job.field(path).space
    if space is None:
        raise EngineError(f"{path}: unique needs a bounded set of values")
    return space


def draw_index(rng: np.random.Generator, n: int, size: int, weights: Any = None) -> np.ndarray:
    """``n`` indexes into ``size`` items, uniformly or in proportion to ``weights``."""
    if weights is None:
        return rng.integers(0, size, n, dtype=np.int32)
    cum = np.cumsum(np.asarray(weights, dtype=np.float64))
    draws = rng.random(n) * cum[-1]
    if size <= 8:
        # A few comparisons beat a binary search for short lists.
        index = np.zeros(n, dtype=np.int32)
        for edge in cum[:-1]:
            index += draws >= edge
    else:
        index = np.searchsorted(cum, draws, side="right").astype(np.int32)
    return np.minimum(index, size - 1)


def take(pool: pa.Array, index: np.ndarray) -> pa.Array:
    if pa.types.is_string(pool.type):
        return pa.DictionaryArray.from_arrays(pa.array(index), pool)
    return pool.take(pa.array(index))


def pick(frame: Frame, path: str, pool: pa.Array, unique: bool, weights: Any = None) -> pa.Array:
    if unique:
        index = permuted(frame, path, len(pool)).astype(np.int32)
    else:
        index = draw_index(frame.rng(path), frame.n, len(pool), weights)
    return take(pool, index)
