"""Generated uuids: their text (8-4-4-4-12 lower-case hex digits of the two words) and their
16 bytes, which are the words the text stands for."""

from __future__ import annotations

import uuid

import numpy as np
import pyarrow as pa

from pipeline.engine import generate_batches
from pipeline.engine.uuids import format_uuids, parse_uuids, uuid_array, uuid_strings, uuid_words
from pipeline.schema.parse import parse_schema

WORDS = np.array(
    [
        [0xFFFF_FFFF_FFFF_FFFF, 0],
        [0, 0xFFFF_FFFF_FFFF_FFFF],
        [0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210],
    ],
    dtype=np.uint64,
)


def test_words_are_written_as_hex_groups() -> None:
    assert format_uuids(WORDS).to_pylist() == [
        "ffffffff-ffff-ffff-0000-000000000000",
        "00000000-0000-0000-ffff-ffffffffffff",
        "01234567-89ab-cdef-fedc-ba9876543210",
    ]


def test_each_text_is_pythons_form_of_the_same_128_bits() -> None:
    index = np.arange(1000, 6000, dtype=np.int64)
    keys = np.array([11, 23], dtype=np.uint64)
    words = uuid_words(index, keys)
    expected = [str(uuid.UUID(int=(int(hi) << 64) | int(lo))) for hi, lo in words]
    assert format_uuids(words).to_pylist() == expected
    assert uuid_strings(index, keys).to_pylist() == expected
    assert all(uuid.UUID(text).version == 4 for text in expected[:50])


def test_no_rows_give_no_texts() -> None:
    empty = uuid_strings(np.array([], dtype=np.int64), np.array([1, 2], dtype=np.uint64))
    assert len(empty) == 0


def test_uuid_values_from_words_are_the_parsed_texts() -> None:
    words = uuid_words(np.arange(0, 3000, dtype=np.int64), np.array([5, 9], dtype=np.uint64))
    assert uuid_array(words).equals(parse_uuids(format_uuids(words), "id"))
    assert uuid_array(WORDS).storage.to_pylist() == [
        bytes.fromhex("ffffffffffffffff0000000000000000"),
        bytes.fromhex("0000000000000000ffffffffffffffff"),
        bytes.fromhex("0123456789abcdeffedcba9876543210"),
    ]


SCHEMA = """
version: 1
entities:
  Item:
    count: 70000
    fields:
      id:      {type: uuid, parquet: uuid}
      maybe:   {type: uuid, parquet: uuid, null_rate: 0.3}
      flag:    {type: boolean}
      only_if: {type: uuid, parquet: uuid, when: "flag"}
"""


def test_a_uuid_column_as_bytes_holds_the_values_its_text_names() -> None:
    schema = parse_schema(SCHEMA)
    as_text = pa.Table.from_batches(
        list(generate_batches(schema, "Item", 100, 70000, seed=3, providers={}))
    )
    as_bytes = pa.Table.from_batches(
        list(generate_batches(schema, "Item", 100, 70000, seed=3, providers={}, uuid_bytes=True))
    )
    for name in ("id", "maybe", "only_if"):
        column = as_bytes.column(name).combine_chunks()
        assert column.type == pa.uuid()
        expected = parse_uuids(as_text.column(name).combine_chunks(), name)
        assert column.equals(expected), name
    assert as_bytes.column("maybe").null_count > 15000
    assert as_bytes.column("only_if").null_count == as_text.column("only_if").null_count > 0
