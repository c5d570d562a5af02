"""Merging ndjson and sql shards: rows counted by lines (sql's CREATE TABLE not counted), and
shards that are short or without their header refused."""

from __future__ import annotations

from pathlib import Path

import fsspec
import pytest

from storage.merge import MergeError, ShardFile, merge_files

DDL = b'CREATE TABLE "T" (\n  "a" BIGINT\n);\n\n'


def write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_sql_shards_join_and_count_rows_after_the_create_table(tmp_path: Path) -> None:
    fs = fsspec.filesystem("file")
    first = write(tmp_path, "0.sql", DDL + b'INSERT INTO "T" ("a") VALUES (1),\n(2),\n')
    second = write(tmp_path, "1.sql", b"(3);\n")
    out = str(tmp_path / "t.sql")
    merge_files("sql", fs, [ShardFile(first, 2), ShardFile(second, 1)], out)
    assert Path(out).read_bytes() == DDL + b'INSERT INTO "T" ("a") VALUES (1),\n(2),\n(3);\n'
    with pytest.raises(MergeError, match="has 2 rows, expected 3"):
        merge_files("sql", fs, [ShardFile(first, 3), ShardFile(second, 1)], out)
    headless = write(tmp_path, "h.sql", b'INSERT INTO "T" ("a") VALUES (1);\n')
    with pytest.raises(MergeError, match="does not start with a CREATE TABLE"):
        merge_files("sql", fs, [ShardFile(headless, 1)], out)


def test_ndjson_shards_count_one_row_per_line(tmp_path: Path) -> None:
    fs = fsspec.filesystem("file")
    first = write(tmp_path, "0.ndjson", b'{"a":1}\n{"a":2}\n')
    second = write(tmp_path, "1.ndjson", b'{"a":3}\n')
    out = str(tmp_path / "t.ndjson")
    merge_files("ndjson", fs, [ShardFile(first, 2), ShardFile(second, 1)], out)
    assert Path(out).read_bytes() == b'{"a":1}\n{"a":2}\n{"a":3}\n'
    with pytest.raises(MergeError, match="has 1 rows, expected 2"):
        merge_files("ndjson", fs, [ShardFile(first, 2), ShardFile(second, 2)], out)
