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
# Runs of at least this many placeholders are written as blocks of columns (see ``_render``).
_BLOCK = 8
# Unique patterns decode a permutation index; beyond this the leading positions stay fixed.
UNIQUE_CAP = 1 << 62


@dataclass(frozen=True)
class CompiledPattern:
    template: np.ndarray  # one row of bytes: literals filled in, placeholders zero
    slots: tuple[int, ...]  # byte offsets of the placeholders
    alphabets: tuple[np.ndarray, ...]

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
        np.frombuffer(bytes(out), dtype=np.uint8), tuple(slots), tuple(alphabets)
    )


def _render(compiled: CompiledPattern, digits: np.ndarray, n: int) -> pa.Array:
    """The strings whose placeholder j takes ``digits[:, j]`` (an index into its alphabet)."""
    chars = _rows_of(compiled.template, n)
    for start, first, count, alphabet in _runs(compiled):
        # A long run of placeholders with one alphabet (a CHAR(50) of letters) is written as
        # one block of columns; numpy copies a block row by row, so a short one column by
        # column.
        step = count if count >= _BLOCK else 1
        for at in range(0, count, step):
            into = chars[:, start + at : start + at + step]
            taken = digits[:, first + at : first + at + step]
            if _consecutive(alphabet):
                # ``0-9`` and ``A-Z``: the character is the first one plus the index.
                np.add(taken, alphabet[0], out=into, casting="unsafe")
            else:
                into[:] = np.take(alphabet, taken.astype(np.intp))
    return fixed_width_strings(chars)


def _runs(compiled: CompiledPattern) -> list[tuple[int, int, int, np.ndarray]]:
    """(first byte, first placeholder, how many, alphabet) of each run of placeholders that
    are side by side and share an alphabet."""
    runs: list[tuple[int, int, int, np.ndarray]] = []
    for j, (slot, alphabet) in enumerate(zip(compiled.slots, compiled.alphabets, strict=True)):
        if runs:
            start, first, count, before = runs[-1]
            if slot == start + count and alphabet is before:
                runs[-1] = (start, first, count + 1, before)
                continue
        runs.append((slot, j, 1, alphabet))
    return runs


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


def _consecutive(alphabet: np.ndarray) -> bool:
    return bool(np.all(np.diff(alphabet.astype(np.int16)) == 1))


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
