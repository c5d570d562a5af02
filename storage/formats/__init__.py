"""Writers of one shard of rows, in json, ndjson, csv, parquet or sql, through any fsspec file
system."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import BinaryIO, cast

import fsspec
import pyarrow as pa
from fsspec.implementations.local import LocalFileSystem

from storage.errors import StorageError
from storage.formats.csv import write_csv
from storage.formats.json import write_json
from storage.formats.ndjson import write_ndjson
from storage.formats.parquet import write_parquet
from storage.formats.sql import SqlLayout, write_sql
from storage.write_behind import BehindFile

FORMATS = ("json", "ndjson", "csv", "parquet", "sql")
# Formats whose writers take pool-drawn text as dictionaries (each value written once, picked
# by index); sql's writer takes plain values.
DICTIONARY_FORMATS = frozenset({"json", "ndjson", "csv", "parquet"})


class FormatError(StorageError, ValueError):
    """An output format the service does not write."""


def extension(fmt: str) -> str:
    if fmt not in FORMATS:
        raise FormatError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def temporary_name(path: str) -> str:
    """A name beside ``path`` for writing before the rename that publishes it."""
    folder, _, name = path.rpartition("/")
    return f"{folder}/.{name}.{uuid.uuid4().hex}.tmp"


def write_shard_file(
    fmt: str,
    batches: Iterable[pa.RecordBatch],
    fs: fsspec.AbstractFileSystem,
    path: str,
    *,
    schema: pa.Schema,
    first: bool,
    sql: SqlLayout | None = None,
) -> int:
    """Write one shard to a temporary name and rename it into place; returns the rows.
    The sql format needs its ``sql`` layout."""
    check_writable(fmt, sql)
    folder = path.rpartition("/")[0]
    if folder:
        fs.makedirs(folder, exist_ok=True)
    tmp = temporary_name(path)
    try:
        with _open(fs, tmp) as out:
            rows = write_rows(fmt, batches, out, schema=schema, first=first, sql=sql)
        fs.mv(tmp, path)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp)
        raise
    return rows


def check_writable(fmt: str, sql: SqlLayout | None) -> None:
    extension(fmt)
    if fmt == "sql" and sql is None:
        raise FormatError("the sql format needs its table's layout")


def write_rows(
    fmt: str,
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    schema: pa.Schema,
    first: bool,
    sql: SqlLayout | None = None,
) -> int:
    """Write one shard's rows to ``out`` as ``write_shard_file`` does; returns the rows."""
    check_writable(fmt, sql)
    if fmt == "json":
        return write_json(batches, out, first=first)
    if fmt == "ndjson":
        return write_ndjson(batches, out)
    if fmt == "csv":
        return write_csv(batches, out, schema=schema, with_header=first)
    if fmt == "sql" and sql is not None:
        return write_sql(batches, out, schema=schema, layout=sql, with_header=first)
    return write_parquet(batches, out, schema=schema)


def _open(fs: fsspec.AbstractFileSystem, path: str) -> BinaryIO:
    # On a local disk the shard is written behind (storage/write_behind.py): the page cache
    # does not grow by every shard of a job before the merge takes them.
    if isinstance(fs, LocalFileSystem):
        return cast(BinaryIO, BehindFile(path))
    return cast(BinaryIO, fs.open(path, "wb"))
