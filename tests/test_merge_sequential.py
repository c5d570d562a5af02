"""A job's shards written one after the other straight into its file (one process, a local
disk): the same bytes as shard files merged, for every format; each shard told as it lands; a
failure leaves no file; a stop between shards makes no more of them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.executor.inprocess import InProcessExecutor
from pipeline.lifecycle import Event, ShardDone
from pipeline.local import generate
from pipeline.plan import JobSpec, output_path, plan_shards
from pipeline.tasks import ShardResult, can_write_sequentially, merge, write_sequential, write_shard
from storage.formats import FORMATS
from storage.merge import MergeError
from storage.merge.sequential import SequentialFile, ShardWriter
from tests.test_merge_copy import SCHEMA, spec


def local_job(root: Path, fmt: str, count: int = 5000, shard_rows: int = 2000) -> JobSpec:
    return spec(str(root), fmt, count, shard_rows)


@pytest.mark.parametrize("fmt", FORMATS)
def test_sequential_writing_gives_the_merged_files_bytes(tmp_path: Path, fmt: str) -> None:
    merged_job = local_job(tmp_path / "merged", fmt)
    shards = [write_shard(shard) for shard in plan_shards(merged_job)]
    merged = merge(merged_job, shards)
    told: list[ShardResult] = []
    job = local_job(tmp_path / "sequential", fmt)
    assert can_write_sequentially(job)
    result = write_sequential(job, told.append)
    written = Path(output_path(job))
    assert written.read_bytes() == Path(merged.path).read_bytes()
    assert (result.rows, result.bytes) == (5000, written.stat().st_size)
    # Each shard told in order, with the size it has as a shard file of its own.
    assert [(r.index, r.rows, r.bytes) for r in told] == [
        (s.index, s.rows, s.bytes) for s in shards
    ]
    assert sorted(p.name for p in written.parent.iterdir()) == [written.name]


def test_sequential_parquet_keeps_a_row_group_per_shard(tmp_path: Path) -> None:
    job = local_job(tmp_path, "parquet", count=10_000, shard_rows=1433)
    write_sequential(job, lambda result: None)
    file = pq.ParquetFile(output_path(job))
    assert file.metadata.num_row_groups == 7
    assert [file.metadata.row_group(i).num_rows for i in range(7)] == [1433] * 6 + [1402]
    assert file.read().num_rows == 10_000


def test_a_json_file_of_one_row_per_shard_is_one_array(tmp_path: Path) -> None:
    job = local_job(tmp_path, "json", count=3, shard_rows=1)
    write_sequential(job, lambda result: None)
    text = Path(output_path(job)).read_bytes()
    assert text.startswith(b"[{") and text.endswith(b"}]") and text.count(b"},\n{") == 2


def test_a_failing_shard_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"

    def fails(out: BinaryIO) -> int:
        out.write(b"a,b\n1,2\n")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"), SequentialFile("csv", str(path)) as file:
        file.add(1, lambda out: out.write(b"a\n1\n") and 1)
        file.add(1, fails)
    assert list(tmp_path.iterdir()) == []


def test_a_shard_short_of_its_rows_is_refused_and_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "out.ndjson"
    with (
        pytest.raises(MergeError, match="has 1 rows, expected 2"),
        SequentialFile("ndjson", str(path)) as file,
    ):
        file.add(2, lambda out: out.write(b'{"a":1}\n') and 1)
    assert list(tmp_path.iterdir()) == []


def test_a_parquet_shard_of_another_schema_is_refused(tmp_path: Path) -> None:
    def table(name: str) -> ShardWriter:
        def write(out: BinaryIO) -> int:
            pq.write_table(pa.table({name: [1]}), out)
            return 1

        return write

    with (
        pytest.raises(MergeError, match="different schema"),
        SequentialFile("parquet", str(tmp_path / "t.parquet")) as file,
    ):
        file.add(1, table("a"))
        file.add(1, table("b"))
    assert list(tmp_path.iterdir()) == []


def test_the_in_process_executor_reports_every_shard_and_stops_between_shards(
    tmp_path: Path,
) -> None:
    events: list[Event] = []

    async def whole() -> None:
        executor = InProcessExecutor()
        (result,) = await executor.run([local_job(tmp_path / "a", "csv")], events.append)
        assert result.rows == 5000

    asyncio.run(whole())
    assert [e.index for e in events if isinstance(e, ShardDone)] == [0, 1, 2]

    async def stopped() -> list[str]:
        executor = InProcessExecutor()
        job = local_job(tmp_path / "b", "csv", count=200_000, shard_rows=1000)
        run = asyncio.ensure_future(executor.run([job], lambda event: None))
        await asyncio.sleep(0.05)
        run.cancel()
        await executor.stop(job.job_id)
        return [p.name for p in (tmp_path / "b").rglob("*") if p.is_file()]

    assert asyncio.run(stopped()) == []  # neither a file nor its temporary name is left


def test_generate_with_one_worker_gives_the_cluster_bytes(tmp_path: Path) -> None:
    files = {}
    for workers in (1, 2):
        out = tmp_path / str(workers) / "rows.json"
        generate(SCHEMA, "Row", 3000, format="json", out=str(out), shard_rows=1000, workers=workers)
        files[workers] = out.read_bytes()
    assert files[1] == files[2]
