"""A job's file kept as its shards and their layout, on a local disk: the merged file's bytes
are read from the shards when they are asked for, never copied into a file of their own.

The layout (``storage.merge.lay_out``: literal bytes and ranges of shards) is saved as a small
JSON file beside the shards, ``{file}.layout``, written whole under a temporary name and
renamed. A shard under the layout's folder is named from that folder, so the folder can be
copied or moved whole and still read. Reading a range of the file reads the pieces it covers.
A file so kept reads exactly as the merged file would; it takes no second copy of the job's
bytes (which, for a few gigabytes of text, was most of the time of a job on a local disk:
docs/performance.md). ``write_file`` makes the one file when one is wanted after all.
"""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator, Sequence
from typing import Any

from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

from storage.errors import StorageError
from storage.formats import temporary_name
from storage.merge.layout import MergeError, Piece, Span, read_span
from storage.merge.local import write_local
from storage.merge.stream import write_streamed

SUFFIX = ".layout"
_LOCAL = LocalFileSystem()


def is_laid_out(path: str) -> bool:
    return path.endswith(SUFFIX)


def save(pieces: Sequence[Piece], path: str) -> int:
    """Save the layout of the file ``path`` names (``path`` ends with ``SUFFIX``); returns
    the file's size."""
    size = sum(len(p) if isinstance(p, bytes) else p.size for p in pieces)
    folder = os.path.dirname(os.path.abspath(path))
    entries: list[Any] = [
        {"bytes": base64.b64encode(p).decode("ascii")}
        if isinstance(p, bytes)
        else {"shard": _named_from(folder, p.path), "start": p.start, "stop": p.stop}
        for p in pieces
    ]
    tmp = temporary_name(path)
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump({"size": size, "pieces": entries}, out)
    os.replace(tmp, path)
    return size


def _named_from(folder: str, shard: str) -> str:
    """``shard`` relative to ``folder`` when it lies under it, else as it is."""
    absolute = os.path.abspath(shard)
    inside = absolute.startswith(folder.rstrip(os.sep) + os.sep)
    return os.path.relpath(absolute, folder) if inside else shard


def load(path: str) -> tuple[int, list[Piece]]:
    """The file's size and its pieces; a MergeError naming ``path`` when it is missing or
    holds no layout."""
    try:
        with open(path, "rb") as source:
            saved = json.loads(source.read())
    except FileNotFoundError:
        raise MergeError(f"{path} is missing") from None
    except OSError as error:
        raise MergeError(f"{path} cannot be read: {error.strerror}") from None
    except ValueError:  # not UTF-8, or not JSON
        raise MergeError(f"{path} is not JSON") from None
    try:
        size, entries = saved["size"], saved["pieces"]
        if not isinstance(size, int) or not isinstance(entries, list):
            raise TypeError
        pieces = [_piece(entry, os.path.dirname(path)) for entry in entries]
    except (KeyError, TypeError, ValueError):
        raise MergeError(f"{path} is not a layout: a file's size and pieces") from None
    if sum(len(p) if isinstance(p, bytes) else p.size for p in pieces) != size:
        raise MergeError(f"{path} is not a layout: its pieces do not add up to its size")
    return size, pieces


def _piece(entry: Any, folder: str) -> Piece:
    if "bytes" in entry:
        return base64.b64decode(entry["bytes"], validate=True)
    shard, start, stop = entry["shard"], entry["start"], entry["stop"]
    if not (isinstance(shard, str) and isinstance(start, int) and isinstance(stop, int)):
        raise TypeError
    if not 0 <= start <= stop:
        raise ValueError
    # An absolute name (a layout saved before shards were named from its folder) is kept.
    return Span(os.path.join(folder, shard), start, stop)


def check(path: str) -> tuple[int, list[Piece]]:
    """The file's size and pieces, once every shard they read is there and holds the bytes
    the layout reads from it; a MergeError naming the first that does not."""
    size, pieces = load(path)
    for piece in pieces:
        if isinstance(piece, bytes):
            continue
        try:
            found = os.stat(piece.path)
        except FileNotFoundError:
            raise MergeError(f"shard {piece.path} is missing") from None
        if not stat.S_ISREG(found.st_mode):
            raise MergeError(f"shard {piece.path} is not a file")
        if found.st_size < piece.stop:
            raise MergeError(
                f"shard {piece.path} holds {found.st_size} bytes; the layout reads {piece.stop}"
            )
    return size, pieces


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


def write_file(path: str, fs: AbstractFileSystem, target: str, *, replace: bool = False) -> int:
    """Write the file laid out at ``path`` to ``target`` on ``fs``, whole or not at all, by the
    merge's own writers (the kernel's copy on a local disk, else a stream), under a temporary
    name renamed at the end; returns its size. The shards stay. An existing ``target`` is
    refused unless ``replace``; the layout or one of its shards, always."""
    size, pieces = check(path)
    if not replace and fs.exists(target):
        raise StorageError(f"{target} exists")
    if isinstance(fs, LocalFileSystem):
        folder = os.path.dirname(target) or "."
        if not os.path.isdir(folder):
            raise StorageError(f"{target}: its folder {folder} does not exist")
        read = {os.path.realpath(p.path) for p in pieces if isinstance(p, Span)}
        if os.path.realpath(target) in read | {os.path.realpath(path)}:
            raise StorageError(f"{target} is read by the layout {path}")
        write_local(pieces, target, _keep)
    else:
        write_streamed(fs, pieces, target, _keep, source=_LOCAL)
    return size


def _keep(shard: str) -> None:
    """The shards are the job's file: none is removed once copied."""
