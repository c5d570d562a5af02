"""Joining a job's shards into its one output file, streaming, memory bounded by a chunk.

csv, json, ndjson and sql shards are joined as bytes; parquet shards by copying their row
groups' bytes and writing one footer whose offsets are shifted (no value is decoded or
re-encoded).
"""

from __future__ import annotations

import struct
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import BinaryIO

import fsspec
import numpy as np

from storage.errors import StorageError
from storage.formats import json as json_format
from storage.formats import sql as sql_format
from storage.formats import temporary_name
from storage.formats.parquet_footer import (
    MAGIC,
    ColumnChunk,
    ColumnMetaData,
    FileMetaData,
    RowGroup,
)
from storage.formats.thrift_compact import I16, I64, LIST, Struct, decode_struct, encode_struct

CHUNK = 8 << 20


class MergeError(StorageError):
    """Shards that cannot be merged: missing, short, or not of one schema."""


@dataclass(frozen=True)
class ShardFile:
    path: str
    rows: int


def merge_files(
    fmt: str,
    fs: fsspec.AbstractFileSystem,
    shards: Sequence[ShardFile],
    path: str,
    *,
    consume: bool = False,
) -> int:
    """Write the merged file at ``path`` (via a temporary name); returns its size in bytes.

    With ``consume``, each shard is deleted as soon as it has been copied. On a local disk
    that matters: a shard deleted while its pages are still waiting in the page cache is never
    written out, so the disk takes the job's bytes once instead of twice, and the merge runs
    at memory speed instead of stalling behind the kernel's writeback.
    """
    for shard in shards:
        if not fs.exists(shard.path):
            raise MergeError(f"shard {shard.path} is missing")
    footers = _parquet_footers(fs, shards) if fmt == "parquet" else []
    done = (lambda shard: fs.rm(shard.path)) if consume else (lambda shard: None)
    tmp = temporary_name(path)
    try:
        with fs.open(tmp, "wb") as target, _WriteBehind(target) as out:
            if fmt == "parquet":
                _write_parquet(fs, shards, footers, out, done)
            else:
                _write_text(fmt, fs, shards, out, done)
        fs.mv(tmp, path)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp)
        raise
    return int(fs.size(path))


class _WriteBehind:
    """A file's ``write`` done on a helper thread, at most two chunks behind the caller.

    File writes release the GIL, so reading and counting the next chunk goes on while this one
    is written: the merge is then about as fast as the writes alone.
    """

    DEPTH = 2

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drafta-merge")
        self._pending: deque[Future[int]] = deque()

    def write(self, data: bytes) -> None:
        self._pending.append(self._pool.submit(self._target.write, data))
        while len(self._pending) > self.DEPTH:
            self._pending.popleft().result()

    def __enter__(self) -> _WriteBehind:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            while self._pending:  # every write ends, and the first failure is raised
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)


# Text formats ------------------------------------------------------------------------------


def _write_text(
    fmt: str,
    fs: fsspec.AbstractFileSystem,
    shards: Sequence[ShardFile],
    out: _WriteBehind,
    done: Callable[[ShardFile], None],
) -> None:
    if fmt == "json":
        out.write(json_format.OPENING)
    wrote = False
    for i, shard in enumerate(shards):
        if fmt == "json" and shard.rows and wrote:
            out.write(json_format.SEPARATOR)
        lines, quoted = 0, False
        header = _Header(fmt, shard.path, i == 0)
        with fs.open(shard.path, "rb") as src:
            while chunk := src.read(CHUNK):
                out.write(chunk)
                lines, quoted = _count_lines(fmt, chunk, lines, quoted)
                header.read(chunk)
        found = _rows_from_lines(fmt, lines - header.lines(), fs.size(shard.path))
        if found != shard.rows:
            raise MergeError(f"shard {shard.path} has {found} rows, expected {shard.rows}")
        done(shard)
        wrote = wrote or shard.rows > 0
    if fmt == "json":
        out.write(json_format.CLOSING)


class _Header:
    """The lines of a first shard's header (csv's names, sql's CREATE TABLE), not rows."""

    def __init__(self, fmt: str, path: str, first: bool) -> None:
        self._path = path
        self._found: int | None = None
        self._head = b""
        if not first or fmt not in ("csv", "sql"):
            self._found = 0
        elif fmt == "csv":
            self._found = 1

    def read(self, chunk: bytes) -> None:
        if self._found is None:
            # A CREATE TABLE is far shorter than a chunk; more is not a shard of ours.
            self._head += chunk
            self._found = sql_format.header_lines(self._head)
            if self._found is None and len(self._head) >= CHUNK:
                raise MergeError(f"shard {self._path} does not start with a CREATE TABLE")
            if self._found is not None:
                self._head = b""

    def lines(self) -> int:
        if self._found is None:
            raise MergeError(f"shard {self._path} does not start with a CREATE TABLE")
        return self._found


def _count_lines(fmt: str, chunk: bytes, lines: int, quoted: bool) -> tuple[int, bool]:
    data = np.frombuffer(chunk, dtype=np.uint8)
    # Most chunks hold no quote: one memchr tells, and numpy counts line ends about five
    # times faster than bytes.count. Only csv values hold raw line breaks.
    if fmt != "csv" or (not quoted and b'"' not in chunk):
        return lines + int(np.count_nonzero(data == 10)), False
    # A line break inside quotes belongs to a value, not a row end.
    quotes = data == 34
    inside = (np.cumsum(quotes, dtype=np.int32) + int(quoted)) & 1
    ends = int(np.count_nonzero((data == 10) & (inside == 0)))
    return lines + ends, bool((int(np.count_nonzero(quotes)) + int(quoted)) & 1)


def _rows_from_lines(fmt: str, lines: int, size: int) -> int:
    if fmt == "json":  # rows are separated, not ended, by a line break
        return lines + 1 if size else 0
    return lines


# Parquet -----------------------------------------------------------------------------------


@dataclass
class _Footer:
    meta: Struct
    data_end: int


def read_footer(fs: fsspec.AbstractFileSystem, path: str) -> tuple[Struct, int]:
    """The decoded FileMetaData of a parquet file and where its row-group bytes end."""
    size = int(fs.size(path))
    with fs.open(path, "rb") as src:
        if size < 12:
            raise MergeError(f"shard {path} is not a parquet file")
        src.seek(size - 8)
        tail = src.read(8)
        length = struct.unpack("<I", tail[:4])[0]
        if tail[4:] != MAGIC or length > size - 12:
            raise MergeError(f"shard {path} is not a whole parquet file")
        src.seek(size - 8 - length)
        meta = decode_struct(src.read(length))
    return meta, size - 8 - length


def _parquet_footers(fs: fsspec.AbstractFileSystem, shards: Sequence[ShardFile]) -> list[_Footer]:
    footers = []
    schema = None
    for shard in shards:
        meta, end = read_footer(fs, shard.path)
        rows = meta.get(FileMetaData.NUM_ROWS)
        if rows != shard.rows:
            raise MergeError(f"shard {shard.path} has {rows} rows, expected {shard.rows}")
        this_schema = encode_struct(
            Struct([[FileMetaData.SCHEMA, LIST, meta.get(FileMetaData.SCHEMA)]])
        )
        if schema is not None and this_schema != schema:
            raise MergeError(f"shard {shard.path} has a different schema")
        schema = this_schema
        footers.append(_Footer(meta, end))
    return footers


def _shift_row_group(group: Struct, shift: int, ordinal: int) -> Struct:
    _shift(group, RowGroup.FILE_OFFSET, shift)
    if group.get(RowGroup.ORDINAL) is not None:
        group.set(RowGroup.ORDINAL, I16, ordinal)
    for chunk in group.get(RowGroup.COLUMNS).items:
        if (
            chunk.get(ColumnChunk.OFFSET_INDEX_OFFSET) is not None
            or chunk.get(ColumnChunk.COLUMN_INDEX_OFFSET) is not None
        ):
            raise MergeError("shards with page indexes cannot be merged by copying")
        _shift(chunk, ColumnChunk.FILE_OFFSET, shift)
        meta: Struct | None = chunk.get(ColumnChunk.META_DATA)
        if meta is None:
            continue
        for fid in ColumnMetaData.OFFSETS:
            _shift(meta, fid, shift)
    return group


def _shift(value: Struct, fid: int, shift: int) -> None:
    """Move a byte offset of the footer by ``shift``, when it is set."""
    if value.get(fid) is not None:
        value.set(fid, I64, value.get(fid) + shift)


def _write_parquet(
    fs: fsspec.AbstractFileSystem,
    shards: Sequence[ShardFile],
    footers: list[_Footer],
    out: _WriteBehind,
    done: Callable[[ShardFile], None],
) -> None:
    out.write(MAGIC)
    position = len(MAGIC)
    groups: list[Struct] = []
    for shard, footer in zip(shards, footers, strict=True):
        shift = position - len(MAGIC)
        for group in footer.meta.get(FileMetaData.ROW_GROUPS).items:
            groups.append(_shift_row_group(group, shift, len(groups)))
        with fs.open(shard.path, "rb") as src:
            src.seek(len(MAGIC))
            left = footer.data_end - len(MAGIC)
            while left > 0:
                chunk = src.read(min(CHUNK, left))
                if not chunk:
                    raise MergeError(f"shard {shard.path} ended early")
                out.write(chunk)
                left -= len(chunk)
        done(shard)
        position += footer.data_end - len(MAGIC)
    if footers:
        merged = footers[0].meta
        merged.set(FileMetaData.NUM_ROWS, I64, sum(s.rows for s in shards))
        merged.get(FileMetaData.ROW_GROUPS).items = groups
        footer_bytes = encode_struct(merged)
    else:
        raise MergeError("no shards to merge")
    out.write(footer_bytes)
    out.write(struct.pack("<I", len(footer_bytes)))
    out.write(MAGIC)
