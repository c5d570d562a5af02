"""The text writers' fast paths give exactly the text of the plain ones: rows joined from string
views as ``binary_join_element_wise`` joins them, numbers and dates formatted once per distinct
value as Arrow's cast formats each, dictionary columns as their decoded values, and values
escaped one by one as the whole column would be."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from storage.formats.csv import write_csv
from storage.formats.json import write_json
from storage.formats.ndjson import write_ndjson
from storage.formats.rows import joined
from storage.formats.text import json_escape, plain_text, scalar_text

SHORT = pa.array(["x", "", "é" * 6, "twelve bytes"])  # all held inside their views
LONG = pa.array(["thirteen byte", "a much longer value than that", "q" * 40, "ok"])
WIDE = pa.array(["x" * 13, "y" * 20, "z" * 14, "w" * 30])  # none held inside its view
WORDS = pa.array(["a", "long dictionary word", "a", "b"]).dictionary_encode()


def _plain(piece: str | pa.Array) -> str | pa.Array:
    return plain_text(piece).cast(pa.string()) if isinstance(piece, pa.Array) else piece


@pytest.mark.parametrize(
    "pieces",
    [
        ["{", SHORT, "} then a constant longer than twelve [", LONG, "]", WORDS, "\n"],
        [LONG],
        [WIDE, ",", LONG, ",", pc.utf8_upper(WIDE), WORDS, pc.utf8_reverse(WIDE)],
        [SHORT, SHORT],
        [WORDS, WORDS, "a constant of 26 bytes....", LONG],
        ["a", WORDS, "b", "c", WORDS, "e", LONG, WORDS],
        [LONG.cast(pa.large_string()), ",", LONG.cast(pa.string_view())],
        [pa.array(["0123456789abcdef"] * 6).slice(2), "|", SHORT],
    ],
)
def test_joined_rows_are_binary_join_element_wise(pieces: list[str | pa.Array]) -> None:
    got = joined(pieces, 4)
    got.validate(full=True)
    expected = pc.binary_join_element_wise(*[_plain(p) for p in pieces], "")
    assert got.to_pylist() == expected.to_pylist()


def test_joined_rows_of_constants_only_and_of_no_rows() -> None:
    assert joined(["a", "bc"], 3).to_pylist() == ["abc"] * 3
    assert joined([SHORT.slice(0, 0)], 0).to_pylist() == []
    with pytest.raises(ValueError, match="3 values for 4 rows"):
        joined([SHORT.slice(1)], 4)


def test_wide_rows_are_joined_a_slice_of_rows_at_a_time() -> None:
    rows = 20_000
    numbers = pa.array(np.arange(rows)).cast(pa.string())
    words = pa.array(np.arange(rows) % 7).cast(pa.string()).dictionary_encode()
    pieces: list[str | pa.Array] = []
    for i in range(120):
        pieces += [f",column {i} is ", numbers if i % 2 else words]
    got = joined(pieces, rows)  # 120 pieces once folded: more views than a slice holds
    got.validate(full=True)
    assert got.to_pylist() == pc.binary_join_element_wise(*map(_plain, pieces), "").to_pylist()


def _as_arrow_casts(values: pa.Array) -> None:
    text = scalar_text(values)
    assert plain_text(text).cast(pa.string()).to_pylist() == values.cast(pa.string()).to_pylist()


def test_doubles_print_as_arrows_cast() -> None:
    rng = np.random.default_rng(3)
    cases = [
        np.round(rng.random(5000) * 100_000, 2),
        np.round(rng.standard_normal(5000) * 1000, 2),
        np.round(rng.random(5000) * 10, 4),
        np.round(rng.random(5000) * 999_999_999.99, 2),
        np.round(rng.random(5000) * 10, 3),
        rng.random(500),  # full precision: Arrow's own cast
        np.array([0.0, -0.0, 0.5, -0.5, 100.0, 0.0001, 99.99, 0.1, 0.3, 1e9, 1.5e300]),
        np.array([np.nan, 1.25, np.inf, -np.inf]),
    ]
    for numbers in cases:
        _as_arrow_casts(pa.array(numbers))
        _as_arrow_casts(pa.array(numbers, mask=rng.random(len(numbers)) < 0.3))
        _as_arrow_casts(pa.array(numbers).slice(1))


def test_booleans_integers_and_dates_print_as_arrows_cast() -> None:
    rng = np.random.default_rng(4)
    mask = rng.random(3000) < 0.2
    _as_arrow_casts(pa.array(rng.random(3000) < 0.5, mask=mask))
    for low, high in [(18, 91), (-5, 50), (0, 10**12)]:
        _as_arrow_casts(pa.array(rng.integers(low, high, 3000), mask=mask))
    for kind in [pa.int8(), pa.uint8(), pa.uint64()]:
        _as_arrow_casts(pa.array([1, 2, None, 100], type=kind))
    _as_arrow_casts(pa.array([2**64 - 1, 2**64 - 3], type=pa.uint64()))
    days = [dt.date(2015, 1, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 4018, 3000)]
    _as_arrow_casts(pa.array(days, mask=mask))
    _as_arrow_casts(pa.array(days).slice(5))
    assert isinstance(scalar_text(pa.array([True, None])), pa.DictionaryArray)
    assert isinstance(scalar_text(pa.array(days)), pa.DictionaryArray)


def test_only_the_values_that_need_it_are_escaped() -> None:
    values = ["plain"] * 50 + ['say "hi"', "back\\slash", "tab\there", "nul\x00", "ok"]
    column = pa.array([*values, None])
    expected = ["plain"] * 50 + ['say \\"hi\\"', "back\\\\slash", "tab\\there", "nul\\u0000"]
    assert json_escape(column).to_pylist() == [*expected, "ok", None]
    assert json_escape(column.slice(49)).to_pylist() == ["plain", *expected[50:], "ok", None]


def _batch(coded: bool) -> pa.RecordBatch:
    names = pa.array(["Ann", None, "Bo, Jr.", 'say "hi"', "Émile", "李"] * 3)
    tiers = pa.array(["free", "pro", None, "free", "enterprise", "pro"] * 3)
    return pa.RecordBatch.from_pydict(
        {
            "name": names.dictionary_encode() if coded else names,
            "tier": tiers.dictionary_encode() if coded else tiers,
            "n": pa.array([None if i % 3 == 0 else i * 7 for i in range(18)], type=pa.int64()),
            "x": pa.array([None if i % 4 == 0 else i / 4 for i in range(18)]),
            "ok": pa.array([None if i % 5 == 0 else i % 2 == 0 for i in range(18)]),
        }
    )


def _written(write: object, batch: pa.RecordBatch) -> bytes:
    out = io.BytesIO()
    if write is write_csv:
        write_csv([batch], out, schema=batch.schema, with_header=True)
    else:
        write([batch], out)  # type: ignore[operator]
    return out.getvalue()


@pytest.mark.parametrize("write", [write_csv, write_json, write_ndjson])
def test_dictionary_columns_print_as_their_values(write: object) -> None:
    assert _written(write, _batch(coded=True)) == _written(write, _batch(coded=False))


def test_csv_and_json_text_of_a_mixed_batch() -> None:
    batch = _batch(coded=True).slice(0, 4)
    assert _written(write_csv, batch) == (
        b'name,tier,n,x,ok\nAnn,free,,,\n,pro,7,0.25,false\n"Bo, Jr.",,14,0.5,true\n'
        b'"say ""hi""",free,,0.75,false\n'
    )
    assert _written(write_json, batch).split(b",\n")[2:4] == [
        b'{"name":"Bo, Jr.","tier":null,"n":14,"x":0.5,"ok":true}',
        b'{"name":"say \\"hi\\"","tier":"free","n":null,"x":0.75,"ok":false}',
    ]


def test_null_dictionary_values_print_as_nulls() -> None:
    words = pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 0], pa.int32()), ["a", None])
    batch = pa.RecordBatch.from_arrays([words, pa.array([1, 2, 3, 4])], names=["s", "n"])
    assert _written(write_json, batch) == (
        b'{"s":"a","n":1},\n{"s":null,"n":2},\n{"s":null,"n":3},\n{"s":"a","n":4}'
    )
    assert _written(write_csv, batch) == b"s,n\na,1\n,2\n,3\na,4\n"
