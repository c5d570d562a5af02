"""The names of the Parquet footer's Thrift fields that merging shards reads or rewrites.

The footer is read and written as untyped Thrift (``storage.formats.thrift_compact``); these
are the field ids of parquet.thrift's structs, by name.
"""

from __future__ import annotations

MAGIC = b"PAR1"  # opens and closes every parquet file


class FileMetaData:
    SCHEMA = 2
    NUM_ROWS = 3
    ROW_GROUPS = 4


class RowGroup:
    COLUMNS = 1
    FILE_OFFSET = 5
    ORDINAL = 7


class ColumnChunk:
    FILE_OFFSET = 2
    META_DATA = 3
    OFFSET_INDEX_OFFSET = 4
    COLUMN_INDEX_OFFSET = 6


class ColumnMetaData:
    DATA_PAGE_OFFSET = 9
    INDEX_PAGE_OFFSET = 10
    DICTIONARY_PAGE_OFFSET = 11
    BLOOM_FILTER_OFFSET = 14
    # Byte offsets into the file: they move when row groups are copied to a new place.
    OFFSETS = (DATA_PAGE_OFFSET, INDEX_PAGE_OFFSET, DICTIONARY_PAGE_OFFSET, BLOOM_FILTER_OFFSET)
