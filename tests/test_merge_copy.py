"""Merges that do not stream the shards through the process: the kernel's copy on a local disk
(and its fallback across file systems), server-side part copies on S3 (moto's server). Each
gives the same bytes as the streamed merge, for every format, one shard or several; a merge
that fails leaves no file and every shard in place."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pyarrow.parquet as pq
import pytest

from pipeline.plan import JobSpec, plan_shards
from pipeline.tasks import ShardResult, merge, write_shard
from storage.formats import FORMATS
from storage.merge import MergeError, ShardFile, merge_files
from storage.merge.layout import Piece, Span
from storage.merge.local import _Copier
from storage.merge.s3 import MIN_PART, Copied, Uploaded, plan_parts
from storage.write_behind import WriteBehind
from tests.s3server import S3Bucket, s3_bucket, s3_server  # noqa: F401

SCHEMA = """
seed: 4
entities:
  Row:
    fields:
      id:   {type: uuid}
      code: {type: pattern, pattern: "????????????????????????????????????????"}
      n:    {type: integer, min: 0, max: 1000000, null_rate: 0.1}
      note: {type: choice, values: ["plain", "with, comma", "with \\"quote\\"", "two\\nlines"]}
"""


def spec(root: str, fmt: str, count: int, shard_rows: int, **options: object) -> JobSpec:
    return JobSpec(
        job_id="j1",
        schema_text=SCHEMA,
        entity="Row",
        count=count,
        seed=4,
        format=fmt,
        root_url=root,
        shard_rows=shard_rows,
        storage_options=dict(options),
    )


def shard_files(job: JobSpec) -> list[ShardFile]:
    results = [write_shard(shard) for shard in plan_shards(job)]
    return [ShardFile(path_of(r), r.rows, r.bytes) for r in results]


def path_of(result: ShardResult) -> str:
    """The path of a shard on its file system (without an ``s3://``)."""
    return result.path.removeprefix("s3://")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("shard_rows", [2000, 1_000_000])
def test_a_kernel_copy_gives_the_streamed_bytes(tmp_path: Path, fmt: str, shard_rows: int) -> None:
    fs = fsspec.filesystem("file")
    files = shard_files(spec(str(tmp_path / "job"), fmt, 5000, shard_rows))
    assert len(files) == (3 if shard_rows == 2000 else 1)
    streamed, copied = str(tmp_path / f"s.{fmt}"), str(tmp_path / f"c.{fmt}")
    merge_files(fmt, fs, files, streamed, stream=True)
    size = merge_files(fmt, fs, files, copied, consume=True)
    assert Path(copied).read_bytes() == Path(streamed).read_bytes()
    assert size == Path(streamed).stat().st_size
    assert not any(Path(f.path).exists() for f in files)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_consumed_first_shard_becomes_the_file_by_a_rename(tmp_path: Path, fmt: str) -> None:
    fs = fsspec.filesystem("file")
    for shard_rows in (1_000_000, 2000):
        files = shard_files(spec(str(tmp_path / f"job{shard_rows}"), fmt, 5000, shard_rows))
        inode = Path(files[0].path).stat().st_ino
        out = tmp_path / f"{shard_rows}.{fmt}"
        merge_files(fmt, fs, files, str(out), consume=True)
        assert out.stat().st_ino == inode
    one, three = tmp_path / f"1000000.{fmt}", tmp_path / f"2000.{fmt}"
    if fmt == "csv":
        assert one.read_bytes() == three.read_bytes()
    else:  # other row groups, the same rows
        assert pq.read_table(one).equals(pq.read_table(three))


def test_json_framing_is_laid_between_the_copied_shards(tmp_path: Path) -> None:
    fs = fsspec.filesystem("file")
    parts = [b'[{"a":1},\n{"a":2}', b"", b'{"a":3}']  # the first shard opens the array
    files = []
    for i, data in enumerate(parts):
        (tmp_path / f"{i}.json").write_bytes(data)
        files.append(ShardFile(str(tmp_path / f"{i}.json"), [2, 0, 1][i], len(data)))
    out = tmp_path / "t.json"
    merge_files("json", fs, files, str(out))
    assert out.read_bytes() == b'[{"a":1},\n{"a":2},\n{"a":3}]'


def test_a_json_first_shard_without_its_bracket_still_merges_into_one_array(
    tmp_path: Path,
) -> None:
    # As first shards were written before they opened the array: a job resumed across that.
    fs = fsspec.filesystem("file")
    files = []
    for i, data in enumerate([b'{"a":1}', b'{"a":2}']):
        (tmp_path / f"{i}.json").write_bytes(data)
        files.append(ShardFile(str(tmp_path / f"{i}.json"), 1, len(data)))
    for stream in (False, True):
        out = tmp_path / f"t{stream}.json"
        merge_files("json", fs, files, str(out), stream=stream)
        assert out.read_bytes() == b'[{"a":1},\n{"a":2}]'


@pytest.fixture
def other_device(tmp_path: Path) -> Iterator[Path]:
    """A folder on another file system than ``tmp_path`` (memory's), where there is one."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("no memory file system")
    folder = Path(tempfile.mkdtemp(dir="/dev/shm"))
    try:
        if folder.stat().st_dev == tmp_path.stat().st_dev:
            pytest.skip("one file system only")
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_a_copy_across_file_systems_falls_back_and_gives_the_same_bytes(
    tmp_path: Path, other_device: Path, fmt: str
) -> None:
    fs = fsspec.filesystem("file")
    files = shard_files(spec(str(other_device / "job"), fmt, 5000, 2000))
    streamed, copied = str(tmp_path / f"s.{fmt}"), str(tmp_path / f"c.{fmt}")
    merge_files(fmt, fs, files, streamed, stream=True)
    merge_files(fmt, fs, files, copied)
    assert Path(copied).read_bytes() == Path(streamed).read_bytes()


def test_a_local_merge_failing_halfway_leaves_no_file_and_every_shard(tmp_path: Path) -> None:
    fs = fsspec.filesystem("file")
    files = shard_files(spec(str(tmp_path / "job"), "csv", 5000, 2000))
    # A folder where the third shard should be: the copy fails after two shards are written.
    broken = tmp_path / "job" / "shards" / "broken.csv"
    broken.mkdir()
    out = tmp_path / "job" / "Row.csv"
    with pytest.raises(IsADirectoryError):
        merge_files("csv", fs, [*files[:2], ShardFile(str(broken), 1000)], str(out))
    assert sorted(p.name for p in out.parent.iterdir()) == ["shards"]
    assert all(Path(f.path).exists() for f in files)
    # The rename that publishes the file fails last: still nothing at its name.
    out.mkdir()
    (out / "kept").write_bytes(b"x")
    with pytest.raises(OSError):
        merge_files("csv", fs, files, str(out))
    assert sorted(p.name for p in out.parent.iterdir()) == ["Row.csv", "shards"]
    assert [p.name for p in out.iterdir()] == ["kept"]


def test_a_shard_not_of_its_reported_size_is_counted() -> None:
    fs = fsspec.filesystem("memory")
    fs.pipe("/m/0.ndjson", b'{"a":1}\n{"a":2}\n')
    out = "/m/t.ndjson"
    # Of its reported size: the writer's count is taken as it is.
    merge_files("ndjson", fs, [ShardFile("/m/0.ndjson", 2, 16)], out)
    with pytest.raises(MergeError, match="has 2 rows, expected 3"):
        merge_files("ndjson", fs, [ShardFile("/m/0.ndjson", 3, 15)], out)


# Planning S3 parts ------------------------------------------------------------------------


def test_s3_parts_copy_big_shards_and_upload_framing_topped_up_from_the_next_shard() -> None:
    big, small = 3 * MIN_PART, 1000
    pieces: list[Piece] = [
        b"[",
        Span("a", 0, big),
        b",\n",
        Span("b", 0, small),
        Span("c", 0, big),
        b"]",
    ]
    assert plan_parts(pieces) == [
        Uploaded((b"[", Span("a", 0, MIN_PART - 1, last=False))),
        Copied(Span("a", MIN_PART - 1, big)),
        Uploaded((b",\n", Span("b", 0, small), Span("c", 0, MIN_PART - small - 2, last=False))),
        Copied(Span("c", MIN_PART - small - 2, big)),
        Uploaded((b"]",)),
    ]
    # Nothing big enough to copy: the caller streams instead.
    assert plan_parts([b"[", Span("a", 0, MIN_PART - 2), b"]"]) is None
    # Every part but the last is at least 5 MiB.
    sizes = [
        p.span.size
        if isinstance(p, Copied)
        else sum(len(x) if isinstance(x, bytes) else x.size for x in p.pieces)
        for p in plan_parts(pieces) or []
    ]
    assert min(sizes[:-1]) >= MIN_PART and sum(sizes) == 2 * big + small + 4


def test_s3_parts_stay_within_5_gib_and_10000() -> None:
    gib = 1 << 30
    assert plan_parts([Span("a", 0, 11 * gib)]) == [
        Copied(Span("a", 0, 3_937_053_355, last=False)),
        Copied(Span("a", 3_937_053_355, 7_874_106_710, last=False)),
        Copied(Span("a", 7_874_106_710, 11 * gib)),
    ]
    shards = [Span(f"{i}", 0, MIN_PART) for i in range(10_000)]
    assert len(plan_parts(shards) or []) == 10_000
    # One part more than S3 takes: the caller streams instead.
    assert plan_parts([*shards, Span("last", 0, MIN_PART)]) is None


# On S3 --------------------------------------------------------------------------------------


def s3_job(bucket: S3Bucket, fmt: str, count: int) -> JobSpec:
    # Rows of about 100 bytes: shards of 100,000 rows are over 10 MiB, so even json shards,
    # whose separators take the first 5 MiB of each into an uploaded part, are copied.
    return spec(f"{bucket.url}/job-{fmt}", fmt, count, 100_000, **bucket.server.options)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_s3_merge_copies_parts_on_the_server_and_gives_the_streamed_bytes(
    s3_bucket: S3Bucket,  # noqa: F811
    fmt: str,
) -> None:
    fs = s3_bucket.server.filesystem()
    job = s3_job(s3_bucket, fmt, 210_000)
    files = shard_files(job)
    streamed = f"{s3_bucket.name}/streamed.{fmt}"
    merge_files(fmt, fs, files, streamed, stream=True)
    merged = merge(job, [write_shard(s) for s in plan_shards(job)])
    key = merged.path.removeprefix("s3://")
    assert fs.cat_file(key) == fs.cat_file(streamed)
    assert merged.bytes == fs.size(streamed)
    # A multipart upload's ETag ends with its number of parts; a streamed file's has none.
    assert "-" in fs.info(key)["ETag"] and "-" not in fs.info(streamed)["ETag"]
    assert s3_bucket.objects() == sorted([key, streamed])


@pytest.mark.parametrize(("fmt", "count", "parts"), [("csv", 100_000, 1), ("json", 100_000, 2)])
def test_a_one_shard_s3_merge_gives_the_streamed_bytes(
    s3_bucket: S3Bucket,  # noqa: F811
    fmt: str,
    count: int,
    parts: int,
) -> None:
    fs = s3_bucket.server.filesystem()
    files = shard_files(s3_job(s3_bucket, fmt, count))
    assert len(files) == 1
    streamed, copied = f"{s3_bucket.name}/streamed.{fmt}", f"{s3_bucket.name}/copied.{fmt}"
    merge_files(fmt, fs, files, streamed, stream=True)
    merge_files(fmt, fs, files, copied)
    assert fs.cat_file(copied) == fs.cat_file(streamed)
    # csv: the shard copied as the one part; json: the shard (which opens the array) copied,
    # then "]" uploaded as the last part.
    assert fs.info(copied)["ETag"].strip('"').endswith(f"-{parts}")


def test_an_s3_merge_failing_halfway_leaves_no_object_and_no_upload(
    s3_bucket: S3Bucket,  # noqa: F811
) -> None:
    fs = s3_bucket.server.filesystem()
    files = shard_files(s3_job(s3_bucket, "csv", 210_000))
    fs.ls(files[0].path.rpartition("/")[0])  # this client now knows the shards' sizes
    # Another client cuts the last shard short: the merge reads it for an uploaded part.
    s3_bucket.server.filesystem().pipe(files[2].path, b"id,code\n")
    target = f"{s3_bucket.name}/job-csv/Row.csv"
    with pytest.raises(MergeError, match=r"000002\.csv ended early"):
        merge_files("csv", fs, files, target, consume=True)
    assert not fs.exists(target)
    uploads = fs.call_s3("list_multipart_uploads", Bucket=s3_bucket.name)
    assert uploads.get("Uploads", []) == []
    assert s3_bucket.objects() == [f.path for f in files]


def test_the_kernel_refusing_a_copy_across_file_systems_is_met_with_sendfile(
    tmp_path: Path, other_device: Path
) -> None:
    source = other_device / "s.bin"
    source.write_bytes(bytes(range(256)) * 1000)
    copier = _Copier()
    with (tmp_path / "t.bin").open("wb") as target:
        copier.copy(
            Span(str(source), 10, 256_000), target.fileno(), 0, WriteBehind(target.fileno())
        )
    assert copier.way == "sendfile"
    assert (tmp_path / "t.bin").read_bytes() == source.read_bytes()[10:]
