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
            alphabets.append(np.frombuffer(ALPHABETS[ch], dtype=np.uint8))
            out.append(0)
        else:
            out += ch.encode()
    return CompiledPattern(
        np.frombuffer(bytes(out), dtype=np.uint8), tuple(slots), tuple(alphabets)
    )


def _render(compiled: CompiledPattern, digits: list[np.ndarray], n: int) -> pa.Array:
    chars = np.broadcast_to(compiled.template, (n, len(compiled.template))).copy()
    for slot, alphabet, digit in zip(compiled.slots, compiled.alphabets, digits, strict=True):
        chars[:, slot] = alphabet[digit]
    return fixed_width_strings(chars)


def random_patterns(pattern: str, rng: np.random.Generator, n: int) -> pa.Array:
    compiled = compile_pattern(pattern)
    k = len(compiled.slots)
    if k == 0:
        return _render(compiled, [], n)
    radices = np.array(compiled.radices, dtype=np.float64)
    draws = (rng.random((n, k)) * radices).astype(np.int64)
    return _render(compiled, [draws[:, j] for j in range(k)], n)


def unique_domain(space: int) -> int:
    """The permutation domain of a unique pattern with ``space`` possible strings."""
    return min(space, UNIQUE_CAP)


def decode_patterns(pattern: str, values: np.ndarray) -> pa.Array:
    """Mixed-radix decoding of distinct integers into distinct pattern strings."""
    compiled = compile_pattern(pattern)
    rest = values.astype(np.uint64)
    digits: list[np.ndarray] = []
    for radix in reversed(compiled.radices):
        r = np.uint64(radix)
        digits.append((rest % r).astype(np.int64))
        rest = rest // r
    digits.reverse()
    return _render(compiled, digits, len(values))
