"""A job of several shards on a local disk keeps its shards and their layout instead of a
merged copy (storage/merge/laid_out.py): the download is byte for byte the merged file, in
every format, whole or by ranges across the shards' boundaries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline.local import generate
from storage.formats import FORMATS
from storage.merge import laid_out
from storage.merge.layout import Piece, Span
from tests.daskcluster import DaskCluster
from tests.jobhelpers import PEOPLE, make_project, wait_for
from tests.live import LiveServer

SHARD_ROWS = 1000
COUNT = 4500  # five shards, the last one short


@pytest.fixture
def live(tmp_path: Path, dask_cluster: DaskCluster) -> Iterator[LiveServer]:
    env = {"DRAFTA_SCHEDULER_ADDRESS": dask_cluster.address, "DRAFTA_SHARD_ROWS": "1000"}
    server = LiveServer(tmp_path / "home", env=env).start()
    yield server
    server.stop()


def test_a_laid_out_job_downloads_the_merged_bytes_in_every_format(
    live: LiveServer, tmp_path: Path
) -> None:
    auth = {"Authorization": f"Bearer {live.key}"}
    with httpx.Client(base_url=live.url, headers=auth, timeout=60) as http:
        project = make_project(http, {})
        for fmt in FORMATS:
            body = {"entity_name": "Customer", "count": COUNT, "format": fmt, "seed": 11}
            job = http.post(f"/data/{project}", json=body).json()["id"]
            assert wait_for(http, auth, job)["status"] == "completed"
            merged = tmp_path / f"merged.{fmt}"
            generate(
                PEOPLE,
                "Customer",
                COUNT,
                seed=11,
                format=fmt,
                out=str(merged),
                shard_rows=SHARD_ROWS,
            )
            expected = merged.read_bytes()
            whole = http.get(f"/data/{job}/download")
            assert whole.status_code == 200
            assert whole.content == expected, fmt
            assert int(whole.headers["content-length"]) == len(expected)
            # A range across shard boundaries, and the last bytes.
            start, end = len(expected) // 5, len(expected) * 3 // 5
            part = http.get(f"/data/{job}/download", headers={"Range": f"bytes={start}-{end}"})
            assert part.status_code == 206
            assert part.content == expected[start : end + 1]
            tail = http.get(f"/data/{job}/download", headers={"Range": "bytes=-7"})
            assert tail.content == expected[-7:]
            # No merged copy: the shards and the layout are the file.
            (root,) = [p for p in (live.home).rglob(job) if p.is_dir()]
            names = sorted(p.name for p in root.rglob("*") if p.is_file())
            assert names == sorted(
                [f"Customer.{fmt}.layout"] + [f"{i:06d}.{fmt}" for i in range(5)]
            )


def test_a_layout_reads_any_range_of_its_pieces(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"0123456789")
    (tmp_path / "b").write_bytes(b"abcdefghij")
    pieces: list[Piece] = [
        b"[",
        Span(str(tmp_path / "a"), 2, 8),
        b"|",
        Span(str(tmp_path / "b"), 0, 10),
    ]
    path = str(tmp_path / "f.txt.layout")
    assert laid_out.save(pieces, path) == 18
    whole = b"[234567|abcdefghij"
    assert laid_out.load(path)[0] == 18
    for start in range(18):
        for end in range(start, 18):
            assert b"".join(laid_out.read_range(path, start, end)) == whole[start : end + 1]


def test_a_layout_whose_shard_is_gone_says_which(tmp_path: Path) -> None:
    path = str(tmp_path / "f.csv.layout")
    laid_out.save([Span(str(tmp_path / "gone.csv"), 0, 5)], path)
    with pytest.raises(laid_out.MergeError, match=r"gone\.csv is missing"):
        list(laid_out.read_range(path, 0, 4))
