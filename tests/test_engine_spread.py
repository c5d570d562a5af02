"""Values per combination spread to the rows in numpy: exactly what Arrow's take gives, down to
the offsets and bytes of texts, and Arrow's take itself where numpy's copy does not apply."""

from __future__ import annotations

import datetime

import numpy as np
import pyarrow as pa

from pipeline.engine.spread import decode_same_width, spread


def _texts(values: pa.Array) -> tuple[bytes, bytes]:
    """The offsets and the bytes of a text array, as written."""
    offsets, data = values.buffers()[1:3]
    assert offsets is not None and data is not None
    ends = np.frombuffer(offsets, dtype=np.int32, count=len(values) + 1)
    return ends.tobytes(), data.to_pybytes()[: int(ends[-1])]


def test_numbers_and_dates_spread_as_a_take() -> None:
    index = np.array([2, 0, 2, 1], dtype=np.int32)
    assert spread(pa.array([7, -1, 40]), index).to_pylist() == [40, 7, 40, -1]
    assert spread(pa.array([0.5, 2.25, -3.0]), index).to_pylist() == [-3.0, 0.5, -3.0, 2.25]
    days = pa.array([datetime.date(2020, 2, 29), datetime.date(2021, 1, 1)])
    assert spread(days, np.array([1, 1, 0], dtype=np.int32)).to_pylist() == [
        datetime.date(2021, 1, 1),
        datetime.date(2021, 1, 1),
        datetime.date(2020, 2, 29),
    ]


def test_values_with_nulls_and_booleans_keep_arrows_take() -> None:
    index = np.array([1, 0, 1], dtype=np.int64)
    assert spread(pa.array([3, None]), index).to_pylist() == [None, 3, None]
    assert spread(pa.array([True, False]), index).to_pylist() == [False, True, False]


def test_texts_of_one_length_decode_to_the_takes_offsets_and_bytes() -> None:
    pool = pa.array(["2015-01", "2015-02", "2016-12"])
    values = pa.DictionaryArray.from_arrays(pa.array([2, 0, 0, 1], pa.int32()), pool)
    decoded = decode_same_width(values)
    assert decoded.to_pylist() == ["2016-12", "2015-01", "2015-01", "2015-02"]
    assert _texts(decoded) == (
        np.array([0, 7, 14, 21, 28], dtype=np.int32).tobytes(),
        b"2016-122015-012015-012015-02",
    )
    assert _texts(decoded) == _texts(pool.take(values.indices))


def test_a_slice_of_a_pool_decodes_its_own_texts() -> None:
    pool = pa.array(["xx", "ab", "cd"]).slice(1)
    values = pa.DictionaryArray.from_arrays(pa.array([1, 0], pa.int32()), pool)
    assert decode_same_width(values).to_pylist() == ["cd", "ab"]


def test_texts_of_several_lengths_or_null_rows_decode_by_take() -> None:
    mixed = pa.DictionaryArray.from_arrays(
        pa.array([1, 0, 2], pa.int32()), pa.array(["young", "middle", "senior"])
    )
    assert decode_same_width(mixed).to_pylist() == ["middle", "young", "senior"]
    holes = pa.DictionaryArray.from_arrays(pa.array([1, None, 0], pa.int32()), pa.array(["a", "b"]))
    assert decode_same_width(holes).to_pylist() == ["b", None, "a"]
    empty = pa.DictionaryArray.from_arrays(pa.array([0, 0], pa.int32()), pa.array([""]))
    assert decode_same_width(empty).to_pylist() == ["", ""]
