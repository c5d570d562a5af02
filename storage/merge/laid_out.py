"""A job's file kept as its shards and their layout, on a local disk: the merged file's bytes
are read from the shards when they are asked for, never copied into a file of their own.

The layout (``storage.merge.lay_out``: literal bytes and ranges of shards) is saved as a small
JSON file beside the shards, ``{file}.layout``, written whole under a temporary name and
renamed. Reading a range of the file reads the pieces it covers. A file so kept reads exactly
as the merged file would; it takes no second copy of the job's bytes (which, for a few
gigabytes of text, was most of the time of a job on a local disk: docs/performance.md).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator, Sequence
from typing import Any

from fsspec.implementations.local import LocalFileSystem

from storage.formats import temporary_name
from storage.merge.layout import MergeError, Piece, Span, read_span

SUFFIX = ".layout"
_LOCAL = LocalFileSystem()


def is_laid_out(path: str) -> bool:
    return path.endswith(SUFFIX)


def save(pieces: Sequence[Piece], path: str) -> int:
    """Save the layout of the file ``path`` names (``path`` ends with ``SUFFIX``); returns
    the file's size."""
    size = sum(len(p) if isinstance(p, bytes) else p.size for p in pieces)
    entries: list[Any] = [
        {"bytes": base64.b64encode(p).decode("ascii")}
        if isinstance(p, bytes)
        else {"shard": p.path, "start": p.start, "stop": p.stop}
        for p in pieces
    ]
    tmp = temporary_name(path)
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"size": size, "pieces": entries}, out)
    os.replace(tmp, path)
    return size


def load(path: str) -> tuple[int, list[Piece]]:
    """The file's size and its pieces."""
    try:
        with open(path, encoding="utf-8") as source:
            saved = json.load(source)
    except FileNotFoundError:
        raise MergeError(f"{path} is missing") from None
    pieces: list[Piece] = [
        base64.b64decode(entry["bytes"])
        if "bytes" in entry
        else Span(entry["shard"], entry["start"], entry["stop"])
        for entry in saved["pieces"]
    ]
    return int(saved["size"]), pieces


def read_range(path: str, start: int, end: int) -> Iterator[bytes]:
    """Bytes ``start`` to ``end`` (inclusive) of the file laid out at ``path``, in chunks."""
    _, pieces = load(path)
    at = 0
    for piece in pieces:
        size = len(piece) if isinstance(piece, bytes) else piece.size
        lo, hi = max(start, at), min(end + 1, at + size)
        if lo < hi:
            if isinstance(piece, bytes):
                yield piece[lo - at : hi - at]
            else:
                yield from read_span(_LOCAL, piece.cut(lo - at, hi - at))
        at += size
        if at > end:
            return
