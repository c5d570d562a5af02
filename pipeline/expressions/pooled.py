"""Text joined from columns drawn from pools (``first_name || ' ' || last_name``), by index.

Each part's pool gets its written text once (``"Ann "`` for ``first_name || ' '``); the pools
are put end to end, and one take over them, the parts of each row side by side, writes every
row's pieces one after the other: the bytes of the joined texts, whose boundaries are every
k-th boundary of the pieces. That is one copy of each piece, where joining row by row reads
and writes each row's pieces through a generic loop.

The take is done on the pools as string views (sixteen bytes a piece, short texts inline, the
others pointing into the pools' bytes): numpy copies those as fixed-size items, and Arrow's
cast back to plain text writes the pieces one after the other, in less time than its take of
variable-length texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.expressions.kept import Kept, pool_key
from pipeline.expressions.nodes import Node
from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch

# The pieces of every row must fit in one text array (32-bit offsets).
_MAX_BYTES = 2**31 - 1
# One string view: its length and its first bytes, or the whole text when short.
_VIEW = np.dtype("V16")


@dataclass(frozen=True)
class Part:
    """A text field, with the text written just before and just after it."""

    before: str
    field: str
    after: str


def plan(pieces: list[Node]) -> list[Part] | None:
    """The join as text fields with their written texts, or None when a piece is neither a
    text field nor written text."""
    parts: list[Part] = []
    before = ""
    for piece in pieces:
        if isinstance(piece.literal, str):
            if parts:
                last = parts[-1]
                parts[-1] = Part(last.before, last.field, last.after + piece.literal)
            else:
                before += piece.literal
        elif piece.field is not None and piece.kind is ColumnType.STRING:
            parts.append(Part(before, piece.field, ""))
            before = ""
        else:
            return None
    return parts or None


def join(parts: list[Part], batch: Batch) -> pa.Array | None:
    """The joined texts, or None unless every field is given as a pool without nulls."""
    columns: list[pa.DictionaryArray] = []
    for part in parts:
        column = batch.pooled(part.field)
        if column is None or len(column) != batch.rows:
            return None
        columns.append(column)
    return join_pooled([(p.before, c, p.after) for p, c in zip(parts, columns, strict=True)])


def join_pooled(pieces: list[tuple[str, pa.DictionaryArray, str]]) -> pa.Array | None:
    """Each row's pieces joined: for each (text before, column drawn from a pool, text after)
    in turn, the texts around the row's value; None unless every column is text of a pool
    without nulls, and not empty."""
    columns = [column for _, column, _ in pieces]
    for column in columns:
        if column.null_count or column.dictionary.type != pa.string():
            return None
        if column.dictionary.null_count:
            return None
    parts = [Part(before, "", after) for before, _, after in pieces]
    views, starts, widest = _pools(parts, [c.dictionary for c in columns])
    rows, k = len(columns[0]), len(parts)
    if rows == 0 or widest * rows > _MAX_BYTES:
        return None
    # The row's pieces side by side: piece j of row i is at i * k + j. numpy's own positions
    # (np.intp): its take widens any others first.
    at = np.empty(rows * k, dtype=np.intp)
    for j, (column, start) in enumerate(zip(columns, starts, strict=True)):
        indices = column.indices.to_numpy(zero_copy_only=False)
        np.add(indices, start, out=at[j::k], dtype=np.intp, casting="unsafe")
    items = np.frombuffer(views.buffers()[1], dtype=_VIEW, count=len(views)).take(at)
    taken = pa.Array.from_buffers(
        pa.string_view(), rows * k, [None, pa.py_buffer(items), *views.buffers()[2:]], 0
    )
    texts = taken.cast(pa.string())
    bounds = np.frombuffer(texts.buffers()[1], dtype=np.int32, count=rows * k + 1)
    every_kth = pa.py_buffer(np.ascontiguousarray(bounds[::k]))
    return pa.Array.from_buffers(pa.string(), rows, [None, every_kth, texts.buffers()[2]])


# (the pools, and the parts' written texts) -> the texts ready
_READY: Kept[tuple[pa.Array, list[int], int]] = Kept()


def _pools(parts: list[Part], pools: list[pa.Array]) -> tuple[pa.Array, list[int], int]:
    """The pools with their written texts, end to end, as string views; where each starts; the
    longest text a row can get. Kept with the pools themselves, so their addresses name them
    while kept."""
    key = tuple(
        (part.before, part.after, *pool_key(pool)) for part, pool in zip(parts, pools, strict=True)
    )
    kept = _READY.get(key)
    if kept is not None:
        return kept
    texts = [
        pc.binary_join_element_wise(p.before, pool, p.after, "") if p.before or p.after else pool
        for p, pool in zip(parts, pools, strict=True)
    ]
    starts = [int(n) for n in np.cumsum([0, *map(len, texts)])[:-1]]
    widest = sum(pc.max(pc.binary_length(t)).as_py() or 0 for t in texts)
    return _READY.put(key, pools, (pa.concat_arrays(texts).cast(pa.string_view()), starts, widest))
