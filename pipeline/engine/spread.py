"""Values computed once per combination, spread to the rows by each row's combination: numpy
copies fixed-size items in one loop where Arrow's take does more work per row.

numpy's take of 8-byte items is an order of magnitude slower with 32-bit positions than with
its own (``np.intp``): the positions are widened first, which costs far less.

Numbers and dates are items of their width. Texts that all have the same length
(``strftime(d, '%Y-%m')``, codes of a fixed form) have offsets that are a multiple of the row,
and their bytes are one array of fixed-size items. Either way the result is the take's: the
same values, offsets and bytes.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from pipeline.engine.frame import decode

# Wider texts than this gain less from numpy's copy of items of any size.
_WIDEST = 16
_WORDS = {8: np.uint8, 16: np.uint16, 32: np.uint32, 64: np.uint64}


def spread(values: pa.Array, index: np.ndarray) -> pa.Array:
    """``values.take(index)``."""
    kind = values.type
    width = kind.bit_width if pa.types.is_primitive(kind) else 0
    if width not in _WORDS or values.null_count or values.offset or pa.types.is_boolean(kind):
        return values.take(pa.array(index))
    items = np.frombuffer(values.buffers()[1], dtype=_WORDS[width], count=len(values))
    taken = items.take(index.astype(np.intp, copy=False))
    return pa.Array.from_buffers(kind, len(index), [None, pa.py_buffer(taken)], 0)


def decode_same_width(values: pa.Array) -> pa.Array:
    """``values`` decoded: by fixed-size items when its dictionary is texts of one length and
    no row is null, else by Arrow's take."""
    if not isinstance(values, pa.DictionaryArray) or values.null_count or values.offset:
        return decode(values)
    pool = values.dictionary
    if pool.type != pa.string() or pool.null_count or not len(pool) or pool.offset:
        return decode(values)
    offsets = np.frombuffer(pool.buffers()[1], dtype=np.int32, count=len(pool) + 1)
    width = int(offsets[1] - offsets[0])
    rows = len(values)
    if not 0 < width <= _WIDEST or (rows + 1) * width >= 2**31:
        return decode(values)
    if np.any(np.diff(offsets) != width):
        return decode(values)
    start = int(offsets[0])
    data = np.frombuffer(pool.buffers()[2], dtype=np.uint8, count=start + len(pool) * width)
    items = data[start:].view(np.dtype(f"V{width}"))
    taken = items.take(values.indices.to_numpy(zero_copy_only=False))
    bounds = np.arange(0, (rows + 1) * width, width, dtype=np.int32)
    return pa.Array.from_buffers(
        pa.string(), rows, [None, pa.py_buffer(bounds), pa.py_buffer(taken)], 0
    )
