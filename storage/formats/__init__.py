"""Writers of one shard of rows, in json, ndjson, csv, parquet or sql, through any fsspec file
system."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import fsspec
import pyarrow as pa

from storage.errors import StorageError
from storage.formats.csv import write_csv
from storage.formats.json import write_json
from storage.formats.ndjson import write_ndjson
from storage.formats.parquet import write_parquet
from storage.formats.sql import SqlLayout, write_sql

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
    extension(fmt)
    if fmt == "sql" and sql is None:
        raise FormatError("the sql format needs its table's layout")
    folder = path.rpartition("/")[0]
    if folder:
        fs.makedirs(folder, exist_ok=True)
    tmp = temporary_name(path)
    try:
        with fs.open(tmp, "wb") as out:
            if fmt == "json":
                rows = write_json(batches, out)
            elif fmt == "ndjson":
                rows = write_ndjson(batches, out)
            elif fmt == "csv":
                rows = write_csv(batches, out, schema=schema, with_header=first)
            elif fmt == "sql" and sql is not None:
                rows = write_sql(batches, out, schema=schema, layout=sql, with_header=first)
            else:
                rows = write_parquet(batches, out, schema=schema)
        fs.mv(tmp, path)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp)
        raise
    return rows
