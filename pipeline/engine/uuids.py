"""Version-4 shaped UUID strings derived from row indices, formatted without Python loops."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.bijection import mix64
from pipeline.engine.errors import EngineError


def _hex_quads() -> np.ndarray:
    """Four lower-case hex digits (as one little-endian uint32) for every 16-bit value."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    value = np.arange(65536)
    table = np.empty((65536, 4), dtype=np.uint8)
    for k in range(4):
        table[:, k] = digits[(value >> (12 - 4 * k)) & 15]
    return table.view("<u4").ravel()


_QUADS = _hex_quads()
_U = np.uint64
_SIXTEEN = _U(0xFFFF)
_DASH = np.uint32(ord("-"))


def uuid_words(index: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Two big-endian words per index; the first 64 bits of mix64(index) survive intact.

    Version and variant bits are placed around the unique word so uniqueness is kept.
    """
    return np.stack(_halves(index, keys), axis=1)


def _halves(index: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``uuid_words``' two columns, each contiguous."""
    hi = mix64(index, keys[0])
    lo = mix64(index, keys[1])
    w1 = (hi & _U(0xFFFF_FFFF_FFFF_0000)) | ((_U(0x40) | ((hi >> _U(12)) & _U(0xF))) << _U(8))
    w1 |= (hi >> _U(4)) & _U(0xFF)
    variant = _U(0x80) | ((lo >> _U(56)) & _U(0x30)) | (hi & _U(0xF))
    w2 = (variant << _U(56)) | (lo & _U(0x00FF_FFFF_FFFF_FFFF))
    return w1, w2


def uuid_array(words: np.ndarray, like: pa.Array | None = None) -> pa.Array:
    """The ``arrow.uuid`` values of two big-endian words per row: ``parse_uuids`` of their
    text, without the text; null where ``like`` (of the same rows) is null."""
    return _uuid_values(np.ascontiguousarray(words, dtype=">u8"), like)


def _uuid_values(data: np.ndarray, like: pa.Array | None) -> pa.Array:
    """``arrow.uuid`` values of 16 bytes a row, null where ``like`` is."""
    validity, nulls = None, 0
    if like is not None and like.null_count:
        valid = np.asarray(like.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        validity, nulls = pa.py_buffer(np.packbits(valid, bitorder="little")), like.null_count
    rows = len(like) if like is not None else len(data)
    storage = pa.Array.from_buffers(pa.binary(16), rows, [validity, pa.py_buffer(data)], nulls)
    return pa.ExtensionArray.from_storage(pa.uuid(), storage)


def uuid_strings(index: np.ndarray, keys: np.ndarray) -> pa.Array:
    """``format_uuids(uuid_words(index, keys))``."""
    return _formatted(*_halves(index, keys))


def format_uuids(words: np.ndarray) -> pa.Array:
    """The 8-4-4-4-12 hex text of two big-endian words per row."""
    return _formatted(np.ascontiguousarray(words[:, 0]), np.ascontiguousarray(words[:, 1]))


def _formatted(w1: np.ndarray, w2: np.ndarray) -> pa.Array:
    # A row's 36 characters are nine little-endian uint32 words. Digits 0-7 and 20-31 fill
    # whole words; the middle four words hold the dashes between digits 8 to 19, put
    # together by shifts. Each group of four digits is one look-up of a 16-bit value: numpy
    # writes aligned whole columns where a record with unaligned fields costs several times
    # more.
    n = len(w1)
    quads = [
        np.take(_QUADS, ((word >> _U(shift)) & _SIXTEEN).view(np.int64))
        for word in (w1, w2)
        for shift in (48, 32, 16, 0)
    ]
    out = np.empty((n, 9), dtype="<u4")
    for column, quad in ((0, 0), (1, 1), (6, 5), (7, 6), (8, 7)):
        out[:, column] = quads[quad]
    q2, q3, q4 = quads[2:5]
    out[:, 2] = (q2 << np.uint32(8)) | _DASH
    out[:, 3] = (q2 >> np.uint32(24)) | (_DASH << np.uint32(8)) | (q3 << np.uint32(16))
    out[:, 4] = (q3 >> np.uint32(16)) | (_DASH << np.uint32(16)) | (q4 << np.uint32(24))
    out[:, 5] = (q4 >> np.uint32(8)) | (_DASH << np.uint32(24))
    return fixed_width_strings(out.view(np.uint8).reshape(n, 36))


def fixed_width_strings(chars: np.ndarray) -> pa.Array:
    """A string array from an (n, width) uint8 matrix of UTF-8 bytes."""
    n, width = chars.shape
    offsets = np.arange(0, width * (n + 1), width, dtype=np.int64)
    if width * n < 2**31:
        offsets = offsets.astype(np.int32)
        kind = pa.string()
    else:
        kind = pa.large_string()
    data = np.ascontiguousarray(chars)
    arr = pa.Array.from_buffers(kind, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return arr if kind == pa.string() else arr.cast(pa.string())


def _hex_pairs() -> np.ndarray:
    """The byte two hex digits stand for, indexed by the digits as one little-endian uint16;
    0xFFFF for any pair that is not two hex digits."""
    digits = b"0123456789abcdefABCDEF"
    table = np.full(65536, 0xFFFF, dtype=np.uint16)
    for high in digits:
        for low in digits:
            table[high | (low << 8)] = int(bytes([high, low]), 16)
    return table


_PAIRS = _hex_pairs()
# The hex digits of 8-4-4-4-12, the dashes left out.
_DIGITS = (slice(0, 8), slice(9, 13), slice(14, 18), slice(19, 23), slice(24, 36))
_ZERO = "00000000-0000-0000-0000-000000000000"


def uuid_values(path: str, text: pa.Array) -> pa.Array:
    """The ``arrow.uuid`` values of a parquet column's uuid text: ``parse_uuids`` naming the
    field and the format in its errors."""
    return parse_uuids(text, f"{path}: parquet")


def parse_uuids(text: pa.Array, where: str) -> pa.Array:
    """The ``arrow.uuid`` values (16 bytes each) of 8-4-4-4-12 hex strings, nulls kept; an
    error names ``where``, the column it reads."""
    if text.type != pa.string():
        text = text.cast(pa.string())
    filled = text.fill_null(_ZERO) if text.null_count else text
    lengths = np.asarray(pc.binary_length(filled))
    if len(filled) and (lengths.min() != 36 or lengths.max() != 36):
        raise EngineError(f"{where}: uuid needs whole 36-character uuids")
    offsets = np.frombuffer(filled.buffers()[1], dtype=np.int32)[filled.offset :]
    start = int(offsets[0]) if len(filled) else 0
    buffer = filled.buffers()[2] or b""
    chars = np.frombuffer(buffer, dtype=np.uint8)[start : start + 36 * len(filled)]
    rows = chars.reshape(-1, 36)
    digits = np.concatenate([rows[:, part] for part in _DIGITS], axis=1)
    data = _PAIRS[digits.view(np.uint16)]
    if len(data) and data.max() > 255:
        raise EngineError(f"{where}: uuid needs uuids written in hex digits")
    return _uuid_values(data.astype(np.uint8), text)
