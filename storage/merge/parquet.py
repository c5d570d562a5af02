"""Merging parquet shards: their row groups' bytes copied as they are, under one footer whose
byte offsets are shifted to the groups' new places (no value is decoded or re-encoded).

Only the footers are read here; the row groups are ranges of the layout, copied by whichever
writer the file system has.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
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
class Footer:
    """A parquet file's decoded FileMetaData, and where its row-group bytes end."""

    meta: Struct
    data_end: int


def read_footer(fs: fsspec.AbstractFileSystem, path: str, size: int) -> Footer:
    """The footer of the parquet file of ``size`` bytes at ``path``."""
    with fs.open(path, "rb") as src:

        def read(start: int, count: int) -> bytes:
            src.seek(start)
            return bytes(src.read(count))

        return footer_of(read, size, path)


def footer_of(read: Callable[[int, int], bytes], size: int, name: str) -> Footer:
    """The footer of a parquet file of ``size`` bytes, read by ``read(start, count)``."""
    _check_size(name, size)
    length = _footer_length(name, size, read(0, len(MAGIC)), read(size - 8, 8))
    return Footer(decode_struct(read(size - 8 - length, length)), size - 8 - length)


def _check_size(name: str, size: int) -> None:
    if size < 12:
        raise MergeError(f"shard {name} is not a parquet file")


def _footer_length(name: str, size: int, head: bytes, tail: bytes) -> int:
    length: int = struct.unpack("<I", tail[:4])[0]
    if head != MAGIC or tail[4:] != MAGIC or length > size - 12:
        raise MergeError(f"shard {name} is not a whole parquet file")
    return length


def parquet_layout(
    fs: fsspec.AbstractFileSystem, shards: Sequence[ShardFile], sizes: Sequence[int]
) -> list[Piece]:
    """The merged file: the magic, every shard's row groups, the merged footer.

    The first shard's own magic is the file's: its range starts at 0, so a local merge may
    take that shard over as the file's beginning instead of copying it.
    """
    if not shards:
        raise MergeError("no shards to merge")
    footers: list[Footer] = []
    for shard, size in zip(shards, sizes, strict=True):
        footer = read_footer(fs, shard.path, size)
        check_footer(footer, footers, shard.path, shard.rows)
        footers.append(footer)
    pieces: list[Piece] = [
        Span(shard.path, group_bytes(i), footer.data_end)
        for i, (shard, footer) in enumerate(zip(shards, footers, strict=True))
    ]
    pieces.append(merged_footer(footers, sum(s.rows for s in shards)))
    return pieces


def group_bytes(index: int) -> int:
    """Where the bytes a shard gives the merged file start: the first shard's magic is the
    file's, every other shard gives its row groups only."""
    return 0 if index == 0 else len(MAGIC)


def check_footer(footer: Footer, before: Sequence[Footer], name: str, rows: int) -> None:
    """A shard holds the rows planned for it, in the schema of the shards ``before`` it."""
    found = footer.meta.get(FileMetaData.NUM_ROWS)
    if found != rows:
        raise MergeError(f"shard {name} has {found} rows, expected {rows}")
    if before and _schema(footer) != _schema(before[0]):
        raise MergeError(f"shard {name} has a different schema")


def _schema(footer: Footer) -> bytes:
    schema = footer.meta.get(FileMetaData.SCHEMA)
    return encode_struct(Struct([[FileMetaData.SCHEMA, LIST, schema]]))


def merged_footer(footers: Sequence[Footer], rows: int) -> bytes:
    """The footer, length and magic that end the merged file of these shards' row groups,
    their byte offsets shifted to where the groups are in it."""
    position = len(MAGIC)
    groups: list[Struct] = []
    for footer in footers:
        shift = position - len(MAGIC)
        for group in footer.meta.get(FileMetaData.ROW_GROUPS).items:
            groups.append(_shift_row_group(group, shift, len(groups)))
        position += footer.data_end - len(MAGIC)
    merged = footers[0].meta
    merged.set(FileMetaData.NUM_ROWS, I64, rows)
    merged.get(FileMetaData.ROW_GROUPS).items = groups
    footer_bytes = encode_struct(merged)
    return footer_bytes + struct.pack("<I", len(footer_bytes)) + MAGIC


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
