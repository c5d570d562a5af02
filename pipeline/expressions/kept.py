"""A few results worked out from arrays (pools, ranges of values), kept for the process.

The blocks of a job, and the jobs a worker runs, read the same pools again and again, so what
is worked out from them is kept. A key names its arrays by their buffers' addresses
(``pool_key``); each entry holds those arrays, so while it is kept their buffers cannot be
freed and the addresses cannot come back for other values. A worker's threads share the
entries; the oldest goes first.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Generic, TypeVar

import pyarrow as pa

T = TypeVar("T")


def pool_key(pool: pa.Array) -> tuple[object, ...]:
    """What tells an array from others while an entry holds it: its type, its slice and the
    addresses of its buffers."""
    where = (0 if b is None else b.address for b in pool.buffers())
    return (str(pool.type), pool.offset, len(pool), *where)


class Kept(Generic[T]):
    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: dict[Hashable, tuple[object, T]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> T | None:
        found = self._entries.get(key)
        return None if found is None else found[1]

    def put(self, key: Hashable, holds: object, value: T) -> T:
        """Keep ``value`` under ``key`` with ``holds``, the arrays the key names."""
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (holds, value)
        return value
