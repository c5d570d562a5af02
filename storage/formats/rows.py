"""Rows of text joined from per-column pieces, for the json, ndjson and csv writers.

A piece is a constant, or a column of text: string, large_string or string_view values, or a
dictionary of such text (its values formatted once, then picked by index). Arrow's string_view
arrays hold a 16-byte view per value: its length, then its bytes when 12 or fewer, else where
they lie in a data buffer. The views of every piece are laid side by side, row after row, with
numpy (a dictionary's views picked by its indices), and one cast to string copies the bytes in
that order: nothing is copied before it, and a dictionary is never decoded.

A constant next to a dictionary is folded into the dictionary's values, so it costs nothing per
row: the writers format booleans, short ranges of integers and dates, and the decimals of
floats as dictionaries for that reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_VIEW = np.dtype("V16")
_INLINE = 12  # a value of at most this many bytes is held in its view
_LARGEST = 2**31 - 1  # bytes a string array's int32 offsets can address
_VIEWS_AT_ONCE = 1 << 21  # pieces laid out at once: 32 MiB of views

Piece: TypeAlias = str | pa.Array


def joined(pieces: Sequence[Piece], rows: int) -> pa.Array:
    """Each row's pieces joined into one string (large_string beyond 2 GiB), as
    ``binary_join_element_wise(*pieces, "")`` gives. Column pieces have ``rows`` values and no
    nulls: the caller writes what a null prints as."""
    for piece in pieces:
        if not isinstance(piece, str) and len(piece) != rows:
            raise ValueError(f"a piece has {len(piece)} values for {rows} rows")
    pieces = _folded(pieces)
    if rows == 0 or not pieces:
        return pa.array([""] * rows, type=pa.string())
    # The views take 16 bytes a piece: wide rows are laid out a slice of rows at a time.
    step = max(1, _VIEWS_AT_ONCE // len(pieces))
    if rows <= step:
        return _laid_out(pieces, rows)
    parts = [
        _laid_out([_slice(piece, start, step) for piece in pieces], min(step, rows - start))
        for start in range(0, rows, step)
    ]
    if len({part.type for part in parts}) > 1:
        parts = [part.cast(pa.large_string()) for part in parts]
    return pa.concat_arrays(parts)


def _slice(piece: Piece, start: int, length: int) -> Piece:
    return piece if isinstance(piece, str) else piece.slice(start, length)


def _laid_out(pieces: Sequence[Piece], rows: int) -> pa.Array:
    views = np.empty((rows, len(pieces)), dtype=_VIEW)
    ints = views.view(np.int32).reshape(rows, len(pieces), 4)
    buffers: list[pa.Buffer] = []
    most = 0  # at least the bytes of the joined rows
    for j, piece in enumerate(pieces):
        if not isinstance(piece, str):
            most += _place_column(piece, views[:, j], ints[:, j], buffers)
    constants = bytearray()
    halves = views.view(np.uint64).reshape(rows, len(pieces), 2)
    for j, piece in enumerate(pieces):
        if isinstance(piece, str):
            text = piece.encode()
            # Two 8-byte halves: numpy fills those faster than 16-byte records.
            first, second = _constant_view(text, len(buffers), len(constants))
            halves[:, j, 0] = first
            halves[:, j, 1] = second
            if len(text) > _INLINE:
                constants += text
            most += len(text) * rows
    if constants:
        buffers.append(pa.py_buffer(bytes(constants)))
    laid = pa.Array.from_buffers(
        pa.string_view(), views.size, [None, pa.py_buffer(views), *buffers]
    )
    # Every piece is a value of the cast; a row's offsets are those of its first piece.
    kind = pa.large_string() if most > _LARGEST else pa.string()
    pieces_text = laid.cast(kind)
    width = np.int64 if most > _LARGEST else np.int32
    offsets = np.frombuffer(pieces_text.buffers()[1], dtype=width)[:: len(pieces)].copy()
    data = pieces_text.buffers()[2]
    return pa.Array.from_buffers(kind, rows, [None, pa.py_buffer(offsets), data])


def _folded(pieces: Sequence[Piece]) -> list[Piece]:
    """Adjacent constants as one, and each constant folded into the values of a dictionary
    next to it (the one after it first) when there is one."""
    out: list[Piece] = []
    pending = ""
    for piece in pieces:
        if isinstance(piece, str):
            pending += piece
            continue
        if isinstance(piece, pa.DictionaryArray):
            if pending:
                piece = _around(piece, pending, "")
        elif pending:
            _settle(out, pending)
        pending = ""
        out.append(piece)
    if pending:
        _settle(out, pending)
    return out


def _settle(out: list[Piece], text: str) -> None:
    last = out[-1] if out else None
    if isinstance(last, pa.DictionaryArray):
        out[-1] = _around(last, "", text)
    else:
        out.append(text)


def _around(values: pa.DictionaryArray, before: str, after: str) -> pa.DictionaryArray:
    words = values.dictionary.cast(pa.string())
    words = pc.binary_join_element_wise(before, words, after, "")
    return pa.DictionaryArray.from_arrays(values.indices, words)


def _constant_view(text: bytes, buffer: int, offset: int) -> np.ndarray:
    """The view of a constant, as two 8-byte halves."""
    view = np.zeros(16, dtype=np.uint8)
    view[:4] = np.array([len(text)], dtype=np.int32).view(np.uint8)
    if len(text) <= _INLINE:
        view[4 : 4 + len(text)] = np.frombuffer(text, dtype=np.uint8)
    else:
        view[4:8] = np.frombuffer(text[:4], dtype=np.uint8)
        view[8:16] = np.array([buffer, offset], dtype=np.int32).view(np.uint8)
    return view.view(np.uint64)


def _place_column(
    values: pa.Array, target: np.ndarray, ints: np.ndarray, buffers: list[pa.Buffer]
) -> int:
    """Write a column's views into ``target`` (``ints``: the same memory as int32 fields),
    numbering its data buffers after those already in ``buffers``, which it extends; returns
    at least the column's bytes."""
    local: list[pa.Buffer] = []
    if isinstance(values, pa.DictionaryArray):
        if values.indices.null_count:
            raise ValueError("a dictionary piece has null indices")
        table = _views(values.dictionary, local)
        bounds = _length_bounds(values.dictionary)
        if buffers and local:
            table = table.copy()
            ints = table.view(np.int32).reshape(len(table), 4)
            _renumber(ints, len(buffers), bounds)
        np.take(table, values.indices.to_numpy(), out=target)
    else:
        if values.null_count:
            raise ValueError("a column piece has nulls")
        target[:] = _views(values, local)
        bounds = _length_bounds(values)
        if buffers and local:
            _renumber(ints, len(buffers), bounds)
    buffers += local
    return bounds[1] * len(values)


def _views(values: pa.Array, buffers: list[pa.Buffer]) -> np.ndarray:
    """A text array's views (read-only); its data buffers are appended to ``buffers``."""
    if not pa.types.is_string_view(values.type):
        values = values.cast(pa.string_view())
    held = values.buffers()
    buffers += [b for b in held[2:] if b is not None]
    return np.frombuffer(held[1], dtype=_VIEW)[values.offset : values.offset + len(values)]


def _renumber(ints: np.ndarray, base: int, bounds: tuple[int, int]) -> None:
    """Add ``base`` to the buffer number of the views that point into a buffer (those longer
    than ``_INLINE``); ``bounds``: the shortest and longest value's bytes."""
    shortest, longest = bounds
    if longest <= _INLINE:
        return
    if shortest > _INLINE:
        ints[:, 2] += np.int32(base)
    else:
        ints[:, 2] += (ints[:, 0] > _INLINE) * np.int32(base)


def _length_bounds(values: pa.Array) -> tuple[int, int]:
    """The fewest and most bytes of a text array's values."""
    kind = values.type
    if not len(values):
        return 0, 0
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        views = np.frombuffer(values.cast(pa.string_view()).buffers()[1], dtype=np.int32)
        lengths = views.reshape(-1, 4)[values.offset : values.offset + len(values), 0]
        return int(lengths.min()), int(lengths.max())
    width = np.int64 if pa.types.is_large_string(kind) else np.int32
    offsets = np.frombuffer(values.buffers()[1], dtype=width)
    lengths = np.diff(offsets[values.offset : values.offset + len(values) + 1])
    return int(lengths.min()), int(lengths.max())
