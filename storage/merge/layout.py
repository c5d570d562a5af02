"""What a merged file is made of: literal bytes and byte ranges of shards, in order.

Every way of writing the file (a kernel copy on a local disk, server-side part copies on S3, a
stream through the process elsewhere) follows the same layout, so all of them give the same
bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import fsspec

from storage.errors import StorageError
from storage.formats import json as json_format

# Bytes read from a shard at a time, wherever a merge reads shards through the process.
CHUNK = 8 << 20


class MergeError(StorageError):
    """Shards that cannot be merged: missing, short, or not of one schema."""


@dataclass(frozen=True)
class ShardFile:
    """One shard: its path, the rows it must hold and, when its writer reported it, its size.

    A shard still of the size its writer reported holds the rows that writer counted, so its
    rows are taken as they are; any other text shard is counted line by line.
    """

    path: str
    rows: int
    size: int | None = None


@dataclass(frozen=True)
class Span:
    """Bytes ``start`` to ``stop`` of the shard at ``path``; ``last`` when no later piece
    reads that shard (it may be deleted once this span is written)."""

    path: str
    start: int
    stop: int
    last: bool = True

    @property
    def size(self) -> int:
        return self.stop - self.start

    def cut(self, start: int, stop: int) -> Span:
        """The part of this span from ``start`` to ``stop``, counted from its beginning."""
        return Span(
            self.path, self.start + start, self.start + stop, self.last and stop == self.size
        )


Piece = bytes | Span
Done = Callable[[str], None]  # told the path of each shard written in full


def text_before(fmt: str, wrote: bool, rows: int) -> bytes:
    """The bytes a text file holds before a shard of ``rows`` rows, after shards that ``wrote``
    rows or not: json's separator, nothing in the other formats."""
    return json_format.between(wrote, rows) if fmt == "json" else b""


def text_end(fmt: str) -> bytes:
    """The bytes that end a text file after its last shard."""
    return json_format.CLOSING if fmt == "json" else b""


def read_span(fs: fsspec.AbstractFileSystem, span: Span) -> Iterator[bytes]:
    """A shard's range read through the process, ``CHUNK`` bytes at a time."""
    try:
        source = fs.open(span.path, "rb")
    except FileNotFoundError:
        raise MergeError(f"shard {span.path} is missing") from None
    with source:
        source.seek(span.start)
        left = span.size
        while left > 0:
            chunk = source.read(min(CHUNK, left))
            if not chunk:
                raise MergeError(f"shard {span.path} ended early")
            yield chunk
            left -= len(chunk)
