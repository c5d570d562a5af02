"""CSV shards: RFC 4180 quoting, ``\\n`` line ends, the header row only in the first shard."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from storage.formats.text import csv_quote, csv_values, string_bytes


def header(schema: pa.Schema) -> bytes:
    names = csv_quote(pa.array(schema.names, type=pa.string())).to_pylist()
    return (",".join(names) + "\n").encode()


def row_text(batch: pa.RecordBatch) -> pa.Array:
    pieces: list[pa.Array | str] = []
    for i in range(batch.num_columns):
        if i:
            pieces.append(",")
        pieces.append(csv_values(batch.column(i)))
    pieces.append("\n")
    return pc.binary_join_element_wise(*pieces, "")


def write_csv(
    batches: Iterable[pa.RecordBatch], out: BinaryIO, *, schema: pa.Schema, with_header: bool
) -> int:
    if with_header:
        out.write(header(schema))
    rows = 0
    for batch in batches:
        if batch.num_rows:
            out.write(string_bytes(row_text(batch)))
            rows += batch.num_rows
    return rows
