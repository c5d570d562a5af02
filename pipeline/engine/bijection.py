"""Keyed one-to-one mappings of row indices, vectorised with numpy.

``mix64`` is a bijection of 64-bit words (xor-shift and odd multiplications are invertible);
``Permutation`` is a Feistel network over the smallest even bit width covering the domain,
with cycle walking so that it permutes exactly ``[0, domain)``.
"""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
ROUNDS = 4


def mix64(x: np.ndarray, key: np.uint64 | int) -> np.ndarray:
    """A keyed bijection of uint64 words (the splitmix64 finaliser after a key xor)."""
    z = x.astype(np.uint64, copy=True)
    z ^= np.uint64(key)
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


class Permutation:
    """A keyed permutation of ``[0, domain)`` for any domain up to 2**64."""

    def __init__(self, domain: int, keys: np.ndarray) -> None:
        if domain < 1 or domain > 1 << 64:
            raise ValueError(f"permutation domain out of range: {domain}")
        self.domain = domain
        self.half = max(1, ((domain - 1).bit_length() + 1) // 2)
        self.mask = np.uint64((1 << self.half) - 1)
        self.shift = np.uint64(self.half)
        self.keys = [np.uint64(k) for k in keys[:ROUNDS]]
        self.full = domain == 1 << (2 * self.half)

    def _encrypt(self, x: np.ndarray) -> np.ndarray:
        left = x >> self.shift
        right = x & self.mask
        for key in self.keys:
            left, right = right, left ^ (mix64(right, key) & self.mask)
        return (left << self.shift) | right

    def __call__(self, index: np.ndarray) -> np.ndarray:
        """The image of each index (indices must lie in ``[0, domain)``)."""
        y = self._encrypt(index.astype(np.uint64))
        if self.full:
            return y
        bound = np.uint64(self.domain)
        out = y >= bound
        while out.any():
            where = np.flatnonzero(out)
            walked = self._encrypt(y[where])
            y[where] = walked
            out[where] = walked >= bound
        return y
