"""The text of generated uuids: 8-4-4-4-12 lower-case hex digits of the two words."""

from __future__ import annotations

import uuid

import numpy as np

from pipeline.engine.uuids import format_uuids, uuid_strings, uuid_words

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
