"""Parquet shards: snappy, typed as the batches are, one row group per ~1 M rows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 1_048_576
COMPRESSION = "snappy"


def write_parquet(
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    schema: pa.Schema,
    row_group_rows: int = ROW_GROUP_ROWS,
) -> int:
    """Write batches; no page index or bloom filters, so row groups can be copied as bytes."""
    rows = 0
    pending: list[pa.RecordBatch] = []
    pending_rows = 0
    with pq.ParquetWriter(
        out, schema, compression=COMPRESSION, write_page_index=False, store_schema=True
    ) as writer:
        for batch in batches:
            pending.append(batch)
            pending_rows += batch.num_rows
            if pending_rows >= row_group_rows:
                _flush(writer, pending, schema)
                rows += pending_rows
                pending, pending_rows = [], 0
        if pending_rows or rows == 0:
            _flush(writer, pending, schema)
            rows += pending_rows
    return rows


def _flush(writer: pq.ParquetWriter, batches: list[pa.RecordBatch], schema: pa.Schema) -> None:
    table = pa.Table.from_batches(batches, schema=schema)
    writer.write_table(table, row_group_size=max(table.num_rows, 1))
