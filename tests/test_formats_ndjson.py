"""The ndjson format: the json format's objects, one per line, whatever the sharding."""

from __future__ import annotations

import json
from pathlib import Path

from pipeline.local import generate
from tests.test_formats_types import EVERY_TYPE, PROVIDERS


def make(tmp_path: Path, fmt: str, shard_rows: int) -> Path:
    out = tmp_path / f"t-{shard_rows}.{fmt}"
    generate(
        EVERY_TYPE, "T", 300, format=fmt, out=str(out), providers=PROVIDERS, shard_rows=shard_rows
    )
    return out


def test_each_line_is_one_of_the_json_formats_rows(tmp_path: Path) -> None:
    text = make(tmp_path, "ndjson", 64).read_text()
    assert text.endswith("}\n")
    lines = text.split("\n")[:-1]
    assert len(lines) == 300
    assert [json.loads(line) for line in lines] == json.loads(
        make(tmp_path, "json", 64).read_text()
    )


def test_the_lines_are_the_json_formats_objects_byte_for_byte(tmp_path: Path) -> None:
    array = make(tmp_path, "json", 64).read_bytes()
    assert (
        b"[" + make(tmp_path, "ndjson", 64).read_bytes()[:-1].replace(b"\n", b",\n") + b"]" == array
    )


def test_bytes_do_not_depend_on_sharding(tmp_path: Path) -> None:
    assert (
        make(tmp_path, "ndjson", 64).read_bytes() == make(tmp_path, "ndjson", 1 << 20).read_bytes()
    )
