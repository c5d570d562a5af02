"""Merging parquet shards: their row groups' bytes copied as they are, under one footer whose
byte offsets are shifted to the groups' new places (no value is decoded or re-encoded).

Only the footers are read here; the row groups are ranges of the layout, copied by whichever
writer the file system has.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

import fsspec

from storage.formats.parquet_footer import (
    MAGIC,
    ColumnChunk,
    ColumnMetaData,
    FileMetaData,
    RowGroup,
)
from storage.formats.thrift_compact import I16, I64, LIST, Struct, decode_struct, encode_struct
from storage.merge.layout import MergeError, Piece, ShardFile, Span


@dataclass
class _Footer:
    meta: Struct
    data_end: int


def read_footer(fs: fsspec.AbstractFileSystem, path: str, size: int) -> tuple[Struct, int]:
    """The decoded FileMetaData of a parquet file of ``size`` bytes, and where its row-group
    bytes end."""
    if size < 12:
        raise MergeError(f"shard {path} is not a parquet file")
    with fs.open(path, "rb") as src:
        head = src.read(len(MAGIC))
        src.seek(size - 8)
        tail = src.read(8)
        length = struct.unpack("<I", tail[:4])[0]
        if head != MAGIC or tail[4:] != MAGIC or length > size - 12:
            raise MergeError(f"shard {path} is not a whole parquet file")
        src.seek(size - 8 - length)
        meta = decode_struct(src.read(length))
    return meta, size - 8 - length


def parquet_layout(
    fs: fsspec.AbstractFileSystem, shards: Sequence[ShardFile], sizes: Sequence[int]
) -> list[Piece]:
    """The merged file: the magic, every shard's row groups, the merged footer.

    The first shard's own magic is the file's: its range starts at 0, so a local merge may
    take that shard over as the file's beginning instead of copying it.
    """
    if not shards:
        raise MergeError("no shards to merge")
    footers = _footers(fs, shards, sizes)
    pieces: list[Piece] = []
    position = len(MAGIC)
    groups: list[Struct] = []
    for shard, footer in zip(shards, footers, strict=True):
        shift = position - len(MAGIC)
        for group in footer.meta.get(FileMetaData.ROW_GROUPS).items:
            groups.append(_shift_row_group(group, shift, len(groups)))
        pieces.append(Span(shard.path, 0 if not pieces else len(MAGIC), footer.data_end))
        position += footer.data_end - len(MAGIC)
    merged = footers[0].meta
    merged.set(FileMetaData.NUM_ROWS, I64, sum(s.rows for s in shards))
    merged.get(FileMetaData.ROW_GROUPS).items = groups
    footer_bytes = encode_struct(merged)
    pieces.append(footer_bytes + struct.pack("<I", len(footer_bytes)) + MAGIC)
    return pieces


def _footers(
    fs: fsspec.AbstractFileSystem, shards: Sequence[ShardFile], sizes: Sequence[int]
) -> list[_Footer]:
    footers = []
    schema = None
    for shard, size in zip(shards, sizes, strict=True):
        meta, end = read_footer(fs, shard.path, size)
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
