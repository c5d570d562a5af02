"""Parquet shards: typed as the batches' Arrow schema says, one row group per ~1 M rows, LZ4.

Strings drawn from a pool come dictionary-encoded (``DictionaryArray``); they are written from
their dictionary as they are, never decoded into one string per row and hashed again. The file
still records the plain Arrow schema, so readers see the same strings either way.
"""

from __future__ import annotations

import base64
import functools
import io
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from storage.formats.text import string_bytes

ROW_GROUP_ROWS = 1_048_576
# Each chosen by measurement (docs/performance.md). LZ4 (parquet's LZ4_RAW) writes faster than
# snappy, and zstd, for files about the size snappy gives.
COMPRESSION = "lz4"
COMPRESSION_LEVEL: int | None = None  # the codec's own default
# A column whose values hardly repeat (uuids, emails, floats) gives up its dictionary after this
# many bytes of it instead of 1 MiB; a pool of 4,096 strings of up to ~60 bytes stays within it.
DICTIONARY_PAGE_BYTES = 256 << 10
# Values handed to the encoders at a time: fewer, larger calls.
WRITE_BATCH_ROWS = 65_536
# A column whose first values LZ4 shrinks by less than this share is written uncompressed:
# random text (uuids), random bits; the codec costs as much on them as on text it shrinks.
INCOMPRESSIBLE = 0.9
_SAMPLE_BYTES = 64 << 10
# The key under which Arrow keeps its schema in a parquet file's metadata.
ARROW_SCHEMA_KEY = "ARROW:schema"
INDEX_TYPE = pa.int32()


def write_parquet(
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    schema: pa.Schema,
    row_group_rows: int = ROW_GROUP_ROWS,
) -> int:
    """Write batches of ``schema`` (any string column may come dictionary-encoded); no page
    index or bloom filters, so row groups can be copied as bytes."""
    stream = iter(batches)
    first = next(stream, None)
    columns = _Columns(schema, first)
    rows = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with pq.ParquetWriter(
        out,
        columns.schema,
        compression=columns.compression,
        compression_level=columns.compression_level,
        dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES,
        write_batch_size=WRITE_BATCH_ROWS,
        write_statistics=columns.statistics,
        write_page_index=False,
        store_schema=False,
    ) as writer:
        # The plain schema, as store_schema would have written it: shards with and without
        # dictionaries read back alike, and every shard of a job carries the same one.
        writer.add_key_value_metadata({ARROW_SCHEMA_KEY: arrow_schema_value(schema)})
        for batch in _conformed(first, stream, columns):
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= row_group_rows:
                _flush(writer, pending, columns.schema)
                rows += pending_rows
                pending, pending_rows = [], 0
        if pending_rows or rows == 0:
            _flush(writer, pending, columns.schema)
            rows += pending_rows
    return rows


def arrow_schema_value(schema: pa.Schema) -> str:
    return base64.b64encode(schema.serialize().to_pybytes()).decode("ascii")


def _conformed(
    first: pa.RecordBatch | None, rest: Iterator[pa.RecordBatch], columns: _Columns
) -> Iterator[pa.RecordBatch]:
    if first is None:
        return
    for batch in chain([first], rest):
        yield columns.conform(batch)


def _flush(writer: pq.ParquetWriter, batches: list[pa.RecordBatch], schema: pa.Schema) -> None:
    table = pa.Table.from_batches(batches, schema=schema)
    writer.write_table(table, row_group_size=max(table.num_rows, 1))


class _Columns:
    """Which string columns keep their dictionary (those the first batch brings encoded), and
    every batch brought to that one writer schema."""

    def __init__(self, schema: pa.Schema, first: pa.RecordBatch | None) -> None:
        self.plain = schema
        self.kept = [
            first is not None and _keeps_dictionary(field.type, first.column(i))
            for i, field in enumerate(schema)
        ]
        self.schema = pa.schema(
            [
                field.with_type(pa.dictionary(INDEX_TYPE, field.type)) if kept else field
                for field, kept in zip(schema, self.kept, strict=True)
            ],
            metadata=schema.metadata,
        )
        # A pool's values in random order: min and max span every row group, so they would
        # prune nothing, and working them out from a dictionary costs more than its pages.
        kept_names = {f.name for f, kept in zip(schema, self.kept, strict=True) if kept}
        self.statistics: bool | list[str] = (
            [p for p in _leaf_paths(self.schema) if p not in kept_names] if kept_names else True
        )
        raw = {
            field.name
            for i, (field, kept) in enumerate(zip(schema, self.kept, strict=True))
            if first is not None and not kept and _incompressible(first.column(i))
        }
        self.compression: str | dict[str, str] = COMPRESSION
        self.compression_level: int | dict[str, int] | None = COMPRESSION_LEVEL
        if raw:
            paths = _leaf_paths(self.schema)
            self.compression = {p: "none" if p in raw else COMPRESSION for p in paths}
            if COMPRESSION_LEVEL is not None:  # a level for the compressed columns only
                self.compression_level = {p: COMPRESSION_LEVEL for p in paths if p not in raw}
        self._unique = _UniqueDictionaries()

    def conform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        arrays = []
        for i, column in enumerate(batch.columns):
            dictionary = isinstance(column, pa.DictionaryArray)
            if self.kept[i]:
                column = (
                    self._unique(column)
                    if dictionary
                    else pc.dictionary_encode(column).cast(self.schema.field(i).type)
                )
            elif dictionary:
                column = column.cast(self.plain.field(i).type)
            arrays.append(column)
        return pa.RecordBatch.from_arrays(arrays, schema=self.schema)


def _incompressible(column: pa.Array) -> bool:
    """Whether a column of text or fixed-size bytes holds values random to LZ4, judged by a
    sample of its first values."""
    kind = column.type
    if isinstance(column, pa.DictionaryArray):
        return False
    if pa.types.is_string(kind) or pa.types.is_binary(kind):
        values = string_bytes(column)
    elif pa.types.is_fixed_size_binary(kind) or isinstance(kind, pa.UuidType):
        width = 16 if isinstance(kind, pa.UuidType) else kind.byte_width
        data = column.buffers()[1]
        values = memoryview(data)[column.offset * width : (column.offset + len(column)) * width]
    else:
        return False
    if len(values) < 4096:  # too few bytes to tell
        return False
    sample = pa.py_buffer(values[:_SAMPLE_BYTES])
    return _LZ4.compress(sample).size > INCOMPRESSIBLE * sample.size


_LZ4 = pa.Codec("lz4_raw")


def _keeps_dictionary(kind: pa.DataType, column: pa.Array) -> bool:
    return (
        isinstance(column, pa.DictionaryArray)
        and (pa.types.is_string(kind) or pa.types.is_large_string(kind))
        and column.type.value_type == kind
    )


class _UniqueDictionaries:
    """A dictionary array over unique, non-null values: parquet writes those from the Arrow
    dictionary directly, and falls back to one string per row for any other (a pool may hold
    a value twice, or a null). Each dictionary is made unique once, however many batches use
    it."""

    LIMIT = 64

    def __init__(self) -> None:
        # Keyed by the values' buffers; the entry holds the dictionary, so they stay allocated.
        self._made: dict[tuple[int, ...], tuple[pa.Array, pa.Array, pa.Array | None]] = {}

    def __call__(self, column: pa.DictionaryArray) -> pa.DictionaryArray:
        source = column.dictionary
        key = (
            source.offset,
            len(source),
            *(b.address if b is not None else 0 for b in source.buffers()),
        )
        made = self._made.get(key)
        if made is None:
            if len(self._made) >= self.LIMIT:
                self._made.clear()
            made = self._made[key] = (source, *_unique(source))
        _, values, remap = made
        indices = column.indices
        if remap is not None:
            indices = remap.take(indices)
        elif indices.type != INDEX_TYPE:
            indices = indices.cast(INDEX_TYPE)
        return pa.DictionaryArray.from_arrays(indices, values)


def _unique(values: pa.Array) -> tuple[pa.Array, pa.Array | None]:
    """The distinct non-null values, and each original position's index among them (null for a
    null value), or None when the values are distinct and non-null already."""
    distinct = pc.unique(values.drop_null())
    if len(distinct) == len(values):
        return values, None
    return distinct, pc.index_in(values, distinct).cast(INDEX_TYPE)


@functools.lru_cache(maxsize=64)
def _leaf_paths(schema: pa.Schema) -> tuple[str, ...]:
    """The dotted paths of a schema's parquet columns, as parquet's writer options name them."""
    sink = io.BytesIO()
    pq.write_table(schema.empty_table(), sink)
    written = pq.ParquetFile(io.BytesIO(sink.getvalue())).schema
    return tuple(written.column(i).path for i in range(len(written)))
