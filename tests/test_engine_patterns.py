"""Random patterns: each placeholder's character comes from the row's draws, and the same seed
gives the same strings whatever way they are written."""

from __future__ import annotations

import numpy as np

from pipeline.engine.patterns import decode_patterns, random_patterns


def test_a_seed_gives_these_strings() -> None:
    def drawn(pattern: str) -> list[str]:
        return random_patterns(pattern, np.random.default_rng(2024), 4).to_pylist()

    assert drawn("SKU-#####") == ["SKU-62379", "SKU-10131", "SKU-56150", "SKU-49753"]
    assert drawn("(###) ###-####") == [
        "(623) 791-0131",
        "(561) 504-9753",
        "(242) 822-8220",
        "(428) 274-4980",
    ]
    # ``*`` (letters and digits, not one run of characters), ``?``, an escaped ``#``.
    assert drawn("*?#-x\\#") == ["pF3-x#", "xZ1-x#", "EE3-x#", "KP6-x#"]


def test_every_character_of_each_alphabet_appears_and_nothing_else() -> None:
    rows = random_patterns("?#*", np.random.default_rng(1), 20000).to_pylist()
    assert {row[0] for row in rows} == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert {row[1] for row in rows} == set("0123456789")
    assert {row[2] for row in rows} == set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    )


def test_no_rows_and_patterns_without_placeholders() -> None:
    assert random_patterns("SKU-#", np.random.default_rng(1), 0).to_pylist() == []
    assert random_patterns("fixed", np.random.default_rng(1), 3).to_pylist() == ["fixed"] * 3


def test_unique_patterns_decode_their_numbers() -> None:
    values = np.array([0, 1, 10, 259], dtype=np.int64)
    assert decode_patterns("?#", values).to_pylist() == ["A0", "A1", "B0", "Z9"]
