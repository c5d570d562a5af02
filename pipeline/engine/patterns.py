"""Patterns: ``#`` a digit, ``?`` an upper-case letter, ``*`` a letter or digit, ``\\`` escapes."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pipeline.engine.uuids import fixed_width_strings

DIGITS = b"0123456789"
UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = UPPER + b"abcdefghijklmnopqrstuvwxyz" + DIGITS
ALPHABETS = {"#": DIGITS, "?": UPPER, "*": ALNUM}
_ALPHABET_ARRAYS = {ch: np.frombuffer(chars, dtype=np.uint8) for ch, chars in ALPHABETS.items()}
# Runs of at least this many placeholders are written as blocks of columns (see ``_pieces``).
_BLOCK = 8
# Unique patterns decode a permutation index; beyond this the leading positions stay fixed.
UNIQUE_CAP = 1 << 62


@dataclass(frozen=True)
class Piece:
    """Placeholders side by side with one alphabet, written together: the first byte, the first
    placeholder, how many, and the alphabet; ``first_char`` when the alphabet is one run of
    characters (``0-9``, ``A-Z``), whose character is then the first one plus the index."""

    start: int
    first: int
    count: int
    alphabet: np.ndarray
    first_char: int | None


@dataclass(frozen=True)
class CompiledPattern:
    template: np.ndarray  # one row of bytes: literals filled in, placeholders zero
    slots: tuple[int, ...]  # byte offsets of the placeholders
    alphabets: tuple[np.ndarray, ...]
    pieces: tuple[Piece, ...]  # how ``_render`` writes the placeholders

    @property
    def radices(self) -> tuple[int, ...]:
        return tuple(len(a) for a in self.alphabets)


@functools.lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> CompiledPattern:
    out = bytearray()
    slots: list[int] = []
    alphabets: list[np.ndarray] = []
    chars = iter(pattern)
    for ch in chars:
        if ch == "\\":
            out += next(chars, "\\").encode()
        elif ch in ALPHABETS:
            slots.append(len(out))
            alphabets.append(_ALPHABET_ARRAYS[ch])
            out.append(0)
        else:
            out += ch.encode()
    return CompiledPattern(
        np.frombuffer(bytes(out), dtype=np.uint8),
        tuple(slots),
        tuple(alphabets),
        _pieces(slots, alphabets),
    )


def _pieces(slots: list[int], alphabets: list[np.ndarray]) -> tuple[Piece, ...]:
    """Each run of placeholders side by side with one alphabet: one piece when long (a CHAR(50)
    of letters), else one piece a placeholder, as numpy copies a block of columns row by row."""
    runs: list[list[int]] = []  # [first byte, first placeholder, how many]
    for j, slot in enumerate(slots):
        if runs and slot == runs[-1][0] + runs[-1][2] and alphabets[j] is alphabets[j - 1]:
            runs[-1][2] += 1
        else:
            runs.append([slot, j, 1])
    pieces = []
    for start, first, count in runs:
        alphabet = alphabets[first]
        consecutive = bool(np.all(np.diff(alphabet.astype(np.int16)) == 1))
        first_char = int(alphabet[0]) if consecutive else None
        step = count if count >= _BLOCK else 1
        for at in range(0, count, step):
            pieces.append(Piece(start + at, first + at, step, alphabet, first_char))
    return tuple(pieces)


def _render(compiled: CompiledPattern, digits: np.ndarray, n: int) -> pa.Array:
    """The strings whose placeholder j takes ``digits[:, j]`` (an index into its alphabet)."""
    chars = _rows_of(compiled.template, n)
    for piece in compiled.pieces:
        into = chars[:, piece.start : piece.start + piece.count]
        taken = digits[:, piece.first : piece.first + piece.count]
        if piece.first_char is not None:
            np.add(taken, piece.first_char, out=into, casting="unsafe")
        else:
            into[:] = np.take(piece.alphabet, taken.astype(np.intp))
    return fixed_width_strings(chars)


def _rows_of(template: np.ndarray, n: int) -> np.ndarray:
    """``n`` copies of the template, one a row: written by doubling what is already there, a
    few large copies where a broadcast copies one short row at a time."""
    width = len(template)
    flat = np.empty(n * width, dtype=np.uint8)
    flat[:width] = template[: n * width]
    done = min(width, n * width)
    while done < n * width:
        step = min(done, n * width - done)
        flat[done : done + step] = flat[:step]
        done += step
    return flat.reshape(n, width)


def random_patterns(pattern: str, rng: np.random.Generator, n: int) -> pa.Array:
    compiled = compile_pattern(pattern)
    k = len(compiled.slots)
    if k == 0:
        return _render(compiled, np.empty((n, 0), dtype=np.uint8), n)
    draws = rng.random((n, k))
    # One factor for every placeholder multiplies the whole array; several, row by row.
    radices = compiled.radices
    same = len(set(radices)) == 1
    np.multiply(draws, radices[0] if same else np.array(radices, dtype=np.float64), out=draws)
    # Every alphabet has fewer than 256 characters: the indices fit in a byte.
    return _render(compiled, draws.astype(np.uint8), n)


def unique_domain(space: int) -> int:
    """The permutation domain of a unique pattern with ``space`` possible strings."""
    return min(space, UNIQUE_CAP)


def decode_patterns(pattern: str, values: np.ndarray) -> pa.Array:
    """Mixed-radix decoding of distinct integers into distinct pattern strings."""
    compiled = compile_pattern(pattern)
    rest = values.astype(np.uint64)
    digits = np.empty((len(values), len(compiled.slots)), dtype=np.int64)
    for j in range(len(compiled.slots) - 1, -1, -1):
        r = np.uint64(compiled.radices[j])
        digits[:, j] = rest % r
        rest = rest // r
    return _render(compiled, digits, len(values))
