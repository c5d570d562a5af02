"""Joining a job's shards into its one output file without a second pass over their bytes.

The merged file is first laid out as literal bytes and ranges of shards (``layout``):

- csv, ndjson and sql are the shards one after the other (only the first holds csv's header or
  sql's CREATE TABLE, or json's opening bracket); json adds its row separators between them
  and its closing bracket;
- parquet is every shard's row groups under one footer with shifted offsets (``parquet``).

Then the layout is written by the best copy the file system has: the kernel's on a local disk
(``local``), server-side part copies on S3 (``s3``), else a stream through the process
(``stream``). Each way writes the file whole or not at all: under a temporary name renamed
at the end, or as a multipart upload completed at the end.
"""

from __future__ import annotations

from collections.abc import Sequence

import fsspec
from fsspec.implementations.local import LocalFileSystem

from storage.formats import json as json_format
from storage.merge import s3
from storage.merge.layout import MergeError, Piece, ShardFile, Span, text_before, text_end
from storage.merge.local import write_local
from storage.merge.parquet import parquet_layout
from storage.merge.rows import count_rows
from storage.merge.stream import write_streamed

__all__ = ["MergeError", "ShardFile", "lay_out", "merge_files"]


def merge_files(
    fmt: str,
    fs: fsspec.AbstractFileSystem,
    shards: Sequence[ShardFile],
    path: str,
    *,
    consume: bool = False,
    stream: bool = False,
) -> int:
    """Write the merged file at ``path``; returns its size in bytes.

    With ``consume``, each shard is deleted as soon as it has been copied. On a local disk
    that matters: a shard deleted while its pages are still waiting in the page cache is never
    written out, so the disk takes the job's bytes once instead of twice; and a first shard
    that begins the file (any format but json) is renamed to become it, not copied.

    With ``stream`` the bytes go through the process whatever the file system (the plainest
    way, for comparison).
    """
    pieces = lay_out(fmt, fs, shards)
    done = (lambda shard: fs.rm(shard)) if consume else (lambda shard: None)
    parts = s3.plan_parts(pieces) if s3.can_copy(fs) and not stream else None
    if isinstance(fs, LocalFileSystem) and not stream:
        write_local(pieces, path, done, adopt=consume)
    elif parts is not None and s3.write_copied(fs, parts, path):
        for piece in pieces:  # the parts are copied now, not before the upload completes
            if isinstance(piece, Span) and piece.last:
                done(piece.path)
    else:
        write_streamed(fs, pieces, path, done)
    return int(fs.size(path))


def lay_out(fmt: str, fs: fsspec.AbstractFileSystem, shards: Sequence[ShardFile]) -> list[Piece]:
    """The merged file as literal bytes and ranges of the shards, each shard checked to hold
    its rows."""
    sizes = [_size(fs, shard.path) for shard in shards]
    if fmt == "parquet":
        return parquet_layout(fs, shards, sizes)
    _check_rows(fmt, fs, shards, sizes)
    pieces = _text_layout(fmt, shards, sizes)
    if fmt == "json" and shards and not _opens_array(fs, shards[0].path, sizes[0]):
        # A first shard written before first shards opened the array (a job resumed across
        # an upgrade): the bracket goes before it.
        pieces.insert(0, json_format.OPENING)
    return pieces


def _opens_array(fs: fsspec.AbstractFileSystem, path: str, size: int) -> bool:
    if size == 0:
        return False
    with fs.open(path, "rb") as src:
        return bool(src.read(len(json_format.OPENING)) == json_format.OPENING)


def _size(fs: fsspec.AbstractFileSystem, path: str) -> int:
    try:
        return int(fs.info(path)["size"])
    except FileNotFoundError:
        raise MergeError(f"shard {path} is missing") from None


def _check_rows(
    fmt: str, fs: fsspec.AbstractFileSystem, shards: Sequence[ShardFile], sizes: Sequence[int]
) -> None:
    """Every text shard holds its rows: the writer's count where the shard is still of the
    size that writer reported, else its lines counted."""
    for i, (shard, size) in enumerate(zip(shards, sizes, strict=True)):
        if shard.size == size:
            continue
        found = count_rows(fmt, fs, shard.path, first=i == 0)
        if found != shard.rows:
            raise MergeError(f"shard {shard.path} has {found} rows, expected {shard.rows}")


def _text_layout(fmt: str, shards: Sequence[ShardFile], sizes: Sequence[int]) -> list[Piece]:
    pieces: list[Piece] = []
    wrote = False
    for shard, size in zip(shards, sizes, strict=True):
        before = text_before(fmt, wrote, shard.rows)
        if before:
            pieces.append(before)
        pieces.append(Span(shard.path, 0, size))
        wrote = wrote or shard.rows > 0
    end = text_end(fmt)
    if end:
        pieces.append(end)
    return pieces
