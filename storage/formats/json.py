"""JSON shards: the bare rows of one JSON array joined by ",\\n"; the merge adds the brackets.

The framing of the array (its brackets and row separator) is defined here only: the merge and
previews frame shards with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import msgspec
import pyarrow as pa

from storage.formats.rows import joined
from storage.formats.text import json_parts, string_bytes

OPENING = b"["
SEPARATOR = b",\n"
CLOSING = b"]"


def framed(rows: bytes) -> bytes:
    """One shard's rows as a whole JSON array."""
    return OPENING + rows + CLOSING


def objects(batch: pa.RecordBatch, before: str, after: str) -> pa.Array:
    """One JSON object per row, with ``before`` and ``after`` around each."""
    pieces: list[pa.Array | str] = []
    text = before + "{"
    for i, name in enumerate(batch.schema.names):
        opening, values, closing = json_parts(batch.column(i))
        pieces += [text + ("," if i else "") + msgspec.json.encode(name).decode() + ":" + opening]
        pieces.append(values)
        text = closing
    if not pieces:
        return pa.repeat(pa.scalar(before + "{}" + after), batch.num_rows)
    pieces.append(text + "}" + after)
    return joined(pieces, batch.num_rows)


def row_text(batch: pa.RecordBatch) -> pa.Array:
    """One JSON object per row, each preceded by the row separator."""
    return objects(batch, SEPARATOR.decode(), "")


def write_json(batches: Iterable[pa.RecordBatch], out: BinaryIO) -> int:
    rows = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        data = string_bytes(row_text(batch))
        out.write(data[len(SEPARATOR) :] if rows == 0 else data)
        rows += batch.num_rows
    return rows
