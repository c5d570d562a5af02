"""The functions a Dask worker runs: write one shard, merge a job's shards. Both idempotent:
a file at its final name is whole (it was renamed there), so it is kept, not made again."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import fsspec
import msgspec
import pyarrow as pa

from pipeline.engine import arrow_schema, generate_batches
from pipeline.exporters.sql import create_table
from pipeline.plan import JobSpec, ShardSpec, output_path, plan_shards, shard_path
from pipeline.schema.model import Schema
from pipeline.schema.parse import parse_schema
from storage import files
from storage.formats import DICTIONARY_FORMATS, write_rows, write_shard_file
from storage.formats.sql import DEFAULT_DIALECT, SqlLayout
from storage.merge import MergeError, ShardFile, laid_out, lay_out, merge_files
from storage.merge.sequential import SequentialFile


class ShardResult(msgspec.Struct, frozen=True):
    index: int
    rows: int
    bytes: int
    path: str


class MergeResult(msgspec.Struct, frozen=True):
    path: str
    rows: int
    bytes: int


@functools.lru_cache(maxsize=32)
def _schema(text: str) -> Schema:
    return parse_schema(text)


def _fs(job: JobSpec, url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    fs, path = fsspec.core.url_to_fs(url, **job.storage_options)
    return fs, path


def write_shard(shard: ShardSpec) -> ShardResult:
    job = shard.job
    url = shard_path(job, shard.index)
    fs, path = _fs(job, url)
    if fs.exists(path):
        return ShardResult(shard.index, shard.rows, int(fs.size(path)), url)
    batches, columns, sql = _shard_rows(shard)
    rows = write_shard_file(
        job.format, batches, fs, path, schema=columns, first=shard.index == 0, sql=sql
    )
    return ShardResult(shard.index, rows, int(fs.size(path)), url)


def _shard_rows(
    shard: ShardSpec,
) -> tuple[Iterator[pa.RecordBatch], pa.Schema, SqlLayout | None]:
    """A shard's batches as its format's writer takes them, their Arrow schema, and the sql
    format's layout."""
    job = shard.job
    schema = _schema(job.schema_text)
    providers = job.providers
    # Pool-drawn text goes to the writers that take it as dictionaries; parquet takes uuids as
    # 16 bytes where asked.
    encoded = job.format in DICTIONARY_FORMATS
    uuid_bytes = job.format == "parquet"
    batches = generate_batches(
        schema,
        job.entity,
        shard.start,
        shard.stop,
        seed=job.seed,
        providers=providers,
        encoded=encoded,
        uuid_bytes=uuid_bytes,
    )
    columns = arrow_schema(
        schema,
        job.entity,
        seed=job.seed,
        providers=providers,
        encoded=encoded,
        uuid_bytes=uuid_bytes,
    )
    sql = sql_layout(shard, schema, columns) if job.format == "sql" else None
    return batches, columns, sql


def _write_rows(shard: ShardSpec, sink: BinaryIO) -> int:
    batches, columns, sql = _shard_rows(shard)
    first = shard.index == 0
    return write_rows(shard.job.format, batches, sink, schema=columns, first=first, sql=sql)


def sql_layout(shard: ShardSpec, schema: Schema, columns: pa.Schema) -> SqlLayout:
    job = shard.job
    dialect = job.dialect or DEFAULT_DIALECT
    # Only the first shard writes the CREATE TABLE.
    ddl = (
        create_table(schema, job.entity, dialect, columns, job.made_before)
        if shard.index == 0
        else ""
    )
    return SqlLayout(dialect, job.entity, ddl, shard.start, job.count)


def merge(job: JobSpec, results: list[ShardResult]) -> MergeResult:
    shards = plan_shards(job)
    laid = job.laid_out and len(shards) > 1
    url = output_path(job) + (laid_out.SUFFIX if laid else "")
    fs, path = _fs(job, url)
    if fs.exists(path):
        return MergeResult(url, job.count, _size(fs, path))
    by_index = {r.index: r for r in results}
    made_files = []
    for shard in shards:
        result = by_index.get(shard.index)
        if result is not None and result.rows != shard.rows:
            raise MergeError(f"shard {result.path} has {result.rows} rows, expected {shard.rows}")
        # The merge consumes shards as it copies them, so a retry after it died halfway finds
        # some gone; shards are deterministic, so they are made again, here.
        made = write_shard(shard)
        # The size its writer reported lets the merge take the shard's rows without reading it.
        reported = (result or made).bytes
        where = _fs(job, shard_path(job, shard.index))[1]
        made_files.append(ShardFile(where, shard.rows, reported))
    if laid:
        # The shards stay: they are the file, read through its layout.
        return MergeResult(url, job.count, laid_out.save(lay_out(job.format, fs, made_files), path))
    size = merge_files(job.format, fs, made_files, path, consume=True)
    folder = _fs(job, f"{job.root_url.rstrip('/')}/shards")[1]
    if fs.exists(folder):
        fs.rm(folder, recursive=True)
    return MergeResult(url, job.count, size)


def _size(fs: fsspec.AbstractFileSystem, path: str) -> int:
    """A file's size, or a laid-out file's (its layout says it)."""
    return laid_out.load(path)[0] if laid_out.is_laid_out(path) else int(fs.size(path))


def write_whole(job: JobSpec) -> MergeResult:
    """A one-shard job as one task: its shard then its (single-file) merge.

    Small jobs are most jobs; one task instead of two halves their scheduling cost.
    """
    (shard,) = plan_shards(job)
    return merge(job, [write_shard(shard)])


def can_write_sequentially(job: JobSpec) -> bool:
    """Whether ``write_sequential`` can make this job's file: one on a local disk."""
    return files.is_local(output_path(job), job.storage_options)


def write_sequential(job: JobSpec, done: Callable[[ShardResult], None]) -> MergeResult:
    """Every shard of a job made in turn, in this process, straight into its file on a local
    disk: the bytes of ``write_shard`` for each then ``merge``, without shard files. ``done``
    is told of each shard once it is in the file."""
    url = output_path(job)
    fs, path = _fs(job, url)
    if fs.exists(path):
        return MergeResult(url, job.count, int(fs.size(path)))
    with SequentialFile(job.format, path) as out:
        for shard in plan_shards(job):
            write = functools.partial(_write_rows, shard)
            size = out.add(shard.rows, write)
            done(ShardResult(shard.index, shard.rows, size, url))
        return MergeResult(url, job.count, out.close())


def running_keys(dask_worker: Any) -> list[str]:
    """The keys of the tasks this worker is executing now (for ``Client.run``)."""
    state = dask_worker.state
    return [str(task.key) for task in (*state.executing, *state.long_running)]
