"""Maps: the entries of an array of {key, value}, with each map's repeated keys dropped."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.frame import Frame
from pipeline.engine.items import item_frame
from pipeline.schema.model import Map


def gen_map(frame: Frame, path: str, spec: Map) -> pa.Array:
    offsets, items = item_frame(frame, path, spec.min_items, spec.max_items)
    keys = items.column(path + "[].key")
    values = items.column(path + "[].value")
    assert items.parent_rows is not None
    keep = _first_of_each_key(items.parent_rows, keys)
    if len(keep) < len(keys):
        kept = pa.array(keep)
        keys, values = keys.take(kept), values.take(kept)
        counts = np.bincount(items.parent_rows[keep], minlength=frame.n)
        offsets = np.zeros(frame.n + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
    return pa.MapArray.from_arrays(pa.array(offsets.astype(np.int32)), keys, values)


def _first_of_each_key(owner: np.ndarray, keys: pa.Array) -> np.ndarray:
    """Indices of the entries to keep, in order: each map's first entry of a key; a null key
    (a map key cannot be null) is dropped."""
    if len(keys) == 0:
        return np.arange(0, dtype=np.int64)
    codes = pc.dictionary_encode(keys).indices.to_numpy(zero_copy_only=False)
    valid = ~np.asarray(pc.is_null(keys).to_numpy(zero_copy_only=False), dtype=bool)
    distinct = int(codes[valid].max()) + 1 if valid.any() else 1
    pairs = owner.astype(np.int64) * distinct + np.where(valid, codes, 0).astype(np.int64)
    _, first = np.unique(np.where(valid, pairs, -1), return_index=True)
    chosen = np.zeros(len(keys), dtype=bool)
    chosen[first] = True
    return np.flatnonzero(chosen & valid)
