"""CSV shards: RFC 4180 quoting, ``\\n`` line ends, the header row only in the first shard."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from storage.formats.rows import joined
from storage.formats.text import csv_quote, csv_values, needs_csv_quotes, plain_text, string_bytes


def header(schema: pa.Schema) -> bytes:
    names = csv_quote(pa.array(schema.names, type=pa.string())).to_pylist()
    return (",".join(names) + "\n").encode()


def fields(batch: pa.RecordBatch) -> list[pa.Array]:
    """Each column's fields as text, quoted where needed (a dictionary of text for a
    dictionary column, booleans and short ranges of integers or dates)."""
    return [csv_values(column) for column in batch.columns]


def row_text(batch: pa.RecordBatch) -> pa.Array:
    return _rows(fields(batch), batch.num_rows)


def _rows(texts: Sequence[pa.Array], rows: int) -> pa.Array:
    pieces: list[pa.Array | str] = []
    for i, text in enumerate(texts):
        if i:
            pieces.append(",")
        pieces.append(text)
    pieces.append("\n")
    return joined(pieces, rows)


def plain_batch(batch: pa.RecordBatch) -> pa.RecordBatch | None:
    """The batch's fields as text columns Arrow's own CSV writer prints unchanged, or None.

    Arrow's writer joins text columns faster than anything else here, but it cannot quote only
    the fields that need it: it is used when no field needs quoting, which is the common case.
    Every column is formatted here first (Arrow formats floats and dates more slowly).
    """
    return _plain(fields(batch), batch.schema.names)


def _plain(texts: Sequence[pa.Array], names: list[str]) -> pa.RecordBatch | None:
    columns = []
    for text in texts:
        words = text.dictionary if isinstance(text, pa.DictionaryArray) else text
        if needs_csv_quotes(words):
            return None
        columns.append(plain_text(text))
    return pa.RecordBatch.from_arrays(columns, names=names)


UNQUOTED = pacsv.WriteOptions(include_header=False, quoting_style="none")


def write_csv(
    batches: Iterable[pa.RecordBatch], out: BinaryIO, *, schema: pa.Schema, with_header: bool
) -> int:
    if with_header:
        out.write(header(schema))
    rows = 0
    for batch in batches:
        if batch.num_rows:
            texts = fields(batch)
            plain = _plain(texts, batch.schema.names)
            if plain is None:
                out.write(string_bytes(_rows(texts, batch.num_rows)))
            else:
                pacsv.write_csv(plain, out, write_options=UNQUOTED)
            rows += batch.num_rows
    return rows
