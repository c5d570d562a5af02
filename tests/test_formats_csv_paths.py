"""The csv writer's two paths (Arrow's writer, and joined text columns) print the same bytes."""

from __future__ import annotations

import datetime as dt
import io

import pyarrow as pa

from storage.formats.csv import header, plain_batch, row_text, write_csv
from storage.formats.text import string_bytes

UTC = dt.UTC


def _batch(names: list[str | None]) -> pa.RecordBatch:
    n = len(names)
    return pa.RecordBatch.from_pydict(
        {
            "name": pa.array(names, type=pa.string()),
            "n": pa.array([None if i % 3 == 0 else i * 7 for i in range(n)], type=pa.int64()),
            "x": pa.array([None if i % 4 == 0 else i / 3 for i in range(n)], type=pa.float64()),
            "ok": pa.array([None if i % 5 == 0 else i % 2 == 0 for i in range(n)]),
            "day": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i) for i in range(n)]),
            "at": pa.array(
                [dt.datetime(2021, 3, 4, 5, 6, 7, i, tzinfo=UTC) for i in range(n)],
                type=pa.timestamp("us", tz="UTC"),
            ),
            "tags": pa.array([["a", "b"][: i % 3] for i in range(n)], type=pa.list_(pa.string())),
            "none": pa.nulls(n),
        }
    )


def _joined(batch: pa.RecordBatch) -> bytes:
    return header(batch.schema) + bytes(string_bytes(row_text(batch)))


def _written(batch: pa.RecordBatch) -> bytes:
    out = io.BytesIO()
    write_csv([batch], out, schema=batch.schema, with_header=True)
    return out.getvalue()


def test_plain_values_take_arrows_writer_with_the_same_bytes() -> None:
    plain = _batch(["Ann", None, "Bo", "", "Émile", "李"])
    plain = plain.drop_columns(["tags"])  # list values print as JSON with commas: quoted
    assert plain_batch(plain) is not None
    assert _written(plain) == _joined(plain)
    assert _written(plain).splitlines()[1] == b"Ann,,,,2020-01-01,2021-03-04T05:06:07.000000Z,"
    assert _written(plain).splitlines()[2].startswith(b",7,0.3333333333333333,false,2020-01-02,")


def test_values_that_need_quotes_take_the_joining_path() -> None:
    for tricky in ["a,b", 'say "hi"', "two\nlines", "cr\r"]:
        batch = _batch(["plain", tricky])
        assert plain_batch(batch) is None
        assert _written(batch) == _joined(batch)
    assert b'"say ""hi"""' in _written(_batch(["plain", 'say "hi"']))
