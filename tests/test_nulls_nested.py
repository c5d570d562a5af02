"""Nulls applied to generated values (a ``null_rate``, a ``when``) as the values' own validity:
lists, maps, objects, decimals and fixed-size bytes; and slices of batches with null lists, written
by the text formats."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine.frame import apply_nulls
from storage.formats import write_rows

LISTS = pa.array([["a", "b"], [], ["c"], ["d", "e", "f"], ["g"]], pa.list_(pa.string()))
OBJECTS = pa.StructArray.from_arrays(
    [pa.array([1, 2, 3, 4, 5]), pa.array(["v", "w", "x", "y", "z"])], names=["n", "s"]
)
MASK = np.array([False, True, False, True, False])


def test_lists_and_objects_take_nulls_where_the_mask_says() -> None:
    assert apply_nulls(LISTS, MASK).to_pylist() == [["a", "b"], None, ["c"], None, ["g"]]
    assert apply_nulls(OBJECTS, MASK).to_pylist() == [
        {"n": 1, "s": "v"},
        None,
        {"n": 3, "s": "x"},
        None,
        {"n": 5, "s": "z"},
    ]
    maps = pa.array([[("k", i)] for i in range(5)], pa.map_(pa.string(), pa.int64()))
    assert apply_nulls(maps, MASK).to_pylist() == [[("k", 0)], None, [("k", 2)], None, [("k", 4)]]
    big = pa.array([[i, i + 1][: i % 3] for i in range(5000)], pa.large_list(pa.int64()))
    mask = np.random.default_rng(1).random(5000) < 0.3
    expected = pc.if_else(pa.array(mask), pa.scalar(None, big.type), big)
    assert apply_nulls(big, mask).equals(expected)


def test_a_slice_of_a_batch_with_null_lists_is_written() -> None:
    batch = pa.RecordBatch.from_arrays(
        [apply_nulls(LISTS, MASK), pa.array([1, 2, 3, 4, 5])], names=["tags", "n"]
    ).slice(1)
    out = io.BytesIO()
    write_rows("ndjson", [batch], out, schema=batch.schema, first=True)
    rows = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert rows == [
        {"tags": None, "n": 2},
        {"tags": ["c"], "n": 3},
        {"tags": None, "n": 4},
        {"tags": ["g"], "n": 5},
    ]
    out = io.BytesIO()
    write_rows("json", [batch], out, schema=batch.schema, first=True)
    assert json.loads(out.getvalue().decode() + "]") == rows


def test_decimals_and_fixed_size_bytes_take_nulls_as_their_validity() -> None:
    decimals = pa.array([Decimal("1.25"), Decimal("-3.50"), Decimal("7.00")], pa.decimal128(7, 2))
    fixed = pa.array([b"ab", b"cd", b"ef"], pa.binary(2))
    mask = np.array([True, False, True])
    assert apply_nulls(decimals, mask).to_pylist() == [None, Decimal("-3.50"), None]
    assert apply_nulls(fixed, mask).to_pylist() == [None, b"cd", None]
    # Nothing but the validity is new: the values' own buffer is shared.
    assert apply_nulls(decimals, mask).buffers()[1].address == decimals.buffers()[1].address
