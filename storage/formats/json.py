"""JSON shards: the rows of one JSON array joined by ",\\n"; the first shard begins with the
array's opening bracket (so a merge can take it over as the file's beginning), the merge adds
the separators between shards and the closing bracket.

The framing of the array (its brackets and row separator) is defined here only: the merge and
previews frame shards with it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from storage.formats.absent import may_be_absent
from storage.formats.rows import joined
from storage.formats.text import json_parts, plain_text, string_bytes

OPENING = b"["
SEPARATOR = b",\n"
CLOSING = b"]"


def framed(rows: bytes) -> bytes:
    """The rows of a shard that is not the first as a whole JSON array."""
    return OPENING + rows + CLOSING


def between(wrote: bool, rows: int) -> bytes:
    """What comes before a shard of ``rows`` rows in the file, after shards that ``wrote``
    rows or not."""
    return SEPARATOR if wrote and rows else b""


def objects(batch: pa.RecordBatch, before: str, after: str) -> pa.Array:
    """One JSON object per row, with ``before`` and ``after`` around each."""
    pieces: list[pa.Array | str] = []
    text = before + "{"
    absent_first = bool(batch.num_columns) and may_be_absent(batch.schema.field(0))
    absent = False
    for i, field in enumerate(batch.schema):
        column, may_leave_out = batch.column(i), may_be_absent(field)
        if isinstance(column, pa.DictionaryArray) and may_leave_out:
            # Its nulls may be values of the dictionary: the key is left out by validity.
            column = plain_text(column)
        key = ("," if i or absent_first else "") + msgspec.json.encode(field.name).decode() + ":"
        if column.null_count and may_leave_out:
            # Null pieces are skipped by the join: the key and value are left out together.
            absent = True
            if column.null_count < len(column):
                # With nulls, the quotes are on the values: no opening or closing.
                _, values, _ = json_parts(column, nulls=False)
                if text:
                    pieces.append(text)
                pieces += [_present(pa.repeat(key, len(column)), column), values]
                text = ""
            continue
        opening, values, closing = json_parts(column)
        pieces += [text + key + opening]
        pieces.append(values)
        text = closing
    if not pieces:
        return pa.repeat(pa.scalar(before + "{}" + after), batch.num_rows)
    pieces.append(text + "}" + after)
    if not absent:
        return joined(pieces, batch.num_rows)
    # The fast join takes no nulls: rows with keys left out join plain text, skipping nulls.
    plain = [p if isinstance(p, str) else plain_text(p) for p in pieces]
    rows = pc.binary_join_element_wise(*plain, "", null_handling="skip")
    if absent_first:  # every key came with a comma: the first one written drops it
        rows = pc.replace_substring_regex(
            rows, f"^{_literal(before)}\\{{,", before + "{", max_replacements=1
        )
    return rows


def _present(text: pa.Array, column: pa.Array) -> pa.Array:
    """``text`` with a null wherever ``column`` is null (its validity bitmap, not copied)."""
    if column.offset:
        return pc.if_else(pc.is_valid(column), text, pa.scalar(None, text.type))
    buffers = [column.buffers()[0], *text.buffers()[1:]]
    return pa.Array.from_buffers(text.type, len(text), buffers, column.null_count)


def _literal(text: str) -> str:
    """``text`` as a regular expression matching it exactly."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in text)


def row_text(batch: pa.RecordBatch) -> pa.Array:
    """One JSON object per row, each preceded by the row separator."""
    return objects(batch, SEPARATOR.decode(), "")


def write_json(batches: Iterable[pa.RecordBatch], out: BinaryIO, *, first: bool = False) -> int:
    if first:
        out.write(OPENING)
    rows = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        data = string_bytes(row_text(batch))
        out.write(data[len(SEPARATOR) :] if rows == 0 else data)
        rows += batch.num_rows
    return rows
