"""Random streams keyed by (seed, entity, field path, block) and stable keys for bijections."""

from __future__ import annotations

import hashlib

import numpy as np

# Randomness comes from fixed logical blocks of rows; changing this changes every output.
BLOCK_ROWS = 65_536

_U64 = (1 << 64) - 1


def stable_hash(text: str) -> int:
    """A 64-bit hash that is the same in every process (unlike ``hash()``)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def seed_word(seed: int) -> int:
    return seed & _U64


def block_stream(seed: int, entity: str, path: str, block: int) -> np.random.Generator:
    """The generator for one field of one block: independent of every other field and block."""
    entropy = [seed_word(seed), stable_hash(entity), stable_hash(path), block]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))


def stream_keys(seed: int, entity: str, label: str, count: int) -> np.ndarray:
    """``count`` 64-bit keys for stateless (row-index) mappings of one field."""
    entropy = [seed_word(seed), stable_hash(entity), stable_hash(label)]
    return np.random.SeedSequence(entropy).generate_state(count, np.uint64)
