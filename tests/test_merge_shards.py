"""Shards and merges: any shard size or worker count gives the same file; bad shards refused."""

from __future__ import annotations

from pathlib import Path

import fsspec
import msgspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.engine import generate_batches
from pipeline.local import generate
from pipeline.plan import JobSpec, plan_shards, shard_path
from pipeline.schema.parse import parse_schema
from pipeline.tasks import merge, write_shard
from storage.merge import MergeError, ShardFile, merge_files
from storage.merge.stream import _BackgroundWrites

SCHEMA = """
seed: 9
entities:
  Person:
    fields:
      id:    {type: uuid}
      first: person.first_name
      email: {type: template, template: "{first|lower}@example.com", unique: true}
      age:   {type: integer, min: 18, max: 90, null_rate: 0.1}
      note:  {type: choice, values: ["plain", "with, comma", "with \\"quote\\"", "two\\nlines"]}
      born:  {type: date}
      seen:  {type: datetime}
      tags:  {type: array, of: {type: pattern, pattern: "??"}}
      home:  {type: object, fields: {city: address.city, zip: {type: pattern, pattern: "#####"}}}
"""


def run(tmp_path: Path, fmt: str, shard_rows: int, workers: int = 1) -> Path:
    out = tmp_path / f"{shard_rows}-{workers}" / f"people.{fmt}"
    result = generate(
        SCHEMA, "Person", 10_000, format=fmt, out=str(out), shard_rows=shard_rows, workers=workers
    )
    assert result["rows"] == 10_000 and result["seed"] == 9
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]
    return out


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_text_output_is_byte_identical_for_any_shard_size(tmp_path: Path, fmt: str) -> None:
    one = run(tmp_path, fmt, 1_048_576).read_bytes()
    seven = run(tmp_path, fmt, 1433).read_bytes()
    assert one == seven


def test_parquet_output_is_equal_for_any_shard_size(tmp_path: Path) -> None:
    one = pq.read_table(run(tmp_path, "parquet", 1_048_576))
    seven_file = run(tmp_path, "parquet", 1433)
    seven = pq.read_table(seven_file)
    assert pq.ParquetFile(seven_file).metadata.num_row_groups == 7
    assert seven.equals(one)
    schema = parse_schema(SCHEMA)
    direct = pa.Table.from_batches(
        list(generate_batches(schema, "Person", 0, 10_000, seed=9, providers={}))
    )
    assert seven.cast(direct.schema).equals(direct)


def test_two_worker_processes_give_the_same_bytes(tmp_path: Path) -> None:
    local = run(tmp_path, "csv", 1433).read_bytes()
    cluster = run(tmp_path, "csv", 1433, workers=2).read_bytes()
    assert cluster == local


def job(tmp_path: Path, fmt: str) -> JobSpec:
    return JobSpec(
        job_id="j1",
        schema_text=SCHEMA,
        entity="Person",
        count=5000,
        seed=9,
        format=fmt,
        root_url=str(tmp_path / "job"),
        shard_rows=2000,
    )


def test_plan_covers_every_row_once(tmp_path: Path) -> None:
    shards = plan_shards(job(tmp_path, "csv"))
    assert [(s.index, s.start, s.stop) for s in shards] == [
        (0, 0, 2000),
        (1, 2000, 4000),
        (2, 4000, 5000),
    ]
    empty = plan_shards(msgspec.structs.replace(job(tmp_path, "csv"), count=0))
    assert [(s.start, s.stop) for s in empty] == [(0, 0)]


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_a_merge_retried_after_dying_halfway_makes_consumed_shards_again(
    tmp_path: Path, fmt: str
) -> None:
    whole = job(tmp_path / "whole", fmt)
    expected = Path(merge(whole, [write_shard(s) for s in plan_shards(whole)]).path).read_bytes()
    spec = job(tmp_path, fmt)
    results = [write_shard(s) for s in plan_shards(spec)]
    # A merge consumes shards as it copies them: one that died after two leaves only the third.
    for index in (0, 1):
        Path(shard_path(spec, index)).unlink()
    merged = merge(spec, results)
    assert Path(merged.path).read_bytes() == expected
    assert sorted(p.name for p in (tmp_path / "job").iterdir()) == [f"Person.{fmt}"]


@pytest.mark.parametrize("consume", [False, True])
def test_merging_files_refuses_a_missing_shard_and_consumes_only_when_asked(
    tmp_path: Path, consume: bool
) -> None:
    spec = job(tmp_path, "csv")
    results = [write_shard(s) for s in plan_shards(spec)]
    files = [ShardFile(r.path, r.rows) for r in results]
    fs = fsspec.filesystem("file")
    out = str(tmp_path / "out.csv")
    with pytest.raises(MergeError, match="nowhere"):
        merge_files("csv", fs, [*files, ShardFile(str(tmp_path / "nowhere.csv"), 1)], out)
    assert not Path(out).exists() and all(Path(f.path).exists() for f in files)
    size = merge_files("csv", fs, files, out, consume=consume)
    assert size == Path(out).stat().st_size
    assert all(Path(f.path).exists() != consume for f in files)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_merge_refuses_a_short_shard(tmp_path: Path, fmt: str) -> None:
    spec = job(tmp_path, fmt)
    results = [write_shard(s) for s in plan_shards(spec)]
    # Replace shard 2 by a whole file of too few rows, as a faulty writer might leave.
    short = msgspec.structs.replace(spec, root_url=str(tmp_path / "other"), count=4500)
    path = write_shard(plan_shards(short)[2]).path
    Path(shard_path(spec, 2)).write_bytes(Path(path).read_bytes())
    with pytest.raises(MergeError, match="000002"):
        merge(spec, results)


def test_shards_and_merge_are_idempotent(tmp_path: Path) -> None:
    spec = job(tmp_path, "parquet")
    shards = plan_shards(spec)
    first = [write_shard(s) for s in shards]
    stamp = Path(shard_path(spec, 0)).stat().st_mtime_ns
    again = [write_shard(s) for s in shards]
    assert again == first and Path(shard_path(spec, 0)).stat().st_mtime_ns == stamp
    merged = merge(spec, first)
    assert merge(spec, first) == merged
    assert not (tmp_path / "job" / "shards").exists()
    table = pq.read_table(merged.path)
    assert table.num_rows == 5000 and merged.rows == 5000


def test_generate_writes_through_fsspec_memory() -> None:
    result = generate(
        SCHEMA, "Person", 3000, format="json", out="memory://drafta-test/p.json", shard_rows=1000
    )
    fs = fsspec.filesystem("memory")
    assert result["bytes"] == fs.size("/drafta-test/p.json")
    assert fs.cat("/drafta-test/p.json").startswith(b'[{"id":')
    assert fs.ls("/drafta-test", detail=False) == ["/drafta-test/p.json"]
    fs.rm("/drafta-test", recursive=True)


def test_a_failed_write_behind_the_merge_is_raised() -> None:
    # /dev/full answers every write with ENOSPC, as a full disk does.
    with (
        pytest.raises(OSError, match="No space left"),
        open("/dev/full", "wb", buffering=0) as target,
        _BackgroundWrites(target) as out,
    ):
        for _ in range(5):
            out.write(b"x" * 1024)
