"""`drafta assemble`: the file a laid-out job's shards make, written from its folder without the
service, byte for byte the download and the merged file; every bad input one line naming the
path at fault, exit code 1, nothing left behind."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import msgspec
import pyarrow.parquet as pq
import pytest

from pipeline.plan import plan_shards
from pipeline.tasks import merge, write_shard
from service.cli import main
from storage import files
from tests.test_merge_copy import spec


def job_file(root: Path, fmt: str, *, laid: bool) -> str:
    """A 5000-row job of three shards made as the service makes it: its layout when ``laid``,
    else its merged file."""
    job = msgspec.structs.replace(spec(str(root), fmt, 5000, 2000), laid_out=laid)
    return merge(job, [write_shard(shard) for shard in plan_shards(job)]).path


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "sql"])
def test_assemble_writes_the_merged_file(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = job_file(tmp_path / "laid", fmt, laid=True)
    assert layout == f"{tmp_path}/laid/Row.{fmt}.layout"
    merged = Path(job_file(tmp_path / "merged", fmt, laid=False)).read_bytes()
    out = tmp_path / "out" / f"Row.{fmt}"
    out.parent.mkdir()
    assert main(["assemble", layout, "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"wrote {len(merged)} bytes to {out}\n"
    assert out.read_bytes() == merged
    assert b"".join(files.read_range(layout, 0, len(merged) - 1)) == merged
    assert listing(out.parent) == [f"Row.{fmt}"]
    shards = [f"shards/{i:06d}.{fmt}" for i in range(3)]
    assert listing(tmp_path / "laid") == sorted([f"Row.{fmt}.layout", "shards", *shards])
    if fmt == "parquet":
        table = pq.read_table(out)
        assert table.num_rows == 5000
        assert table.column_names == ["id", "code", "n", "note"]


def test_assemble_as_a_command_to_a_file_and_to_stdout(tmp_path: Path) -> None:
    layout = job_file(tmp_path / "laid", "parquet", laid=True)
    merged = Path(job_file(tmp_path / "merged", "parquet", laid=False)).read_bytes()
    command = [sys.executable, "-m", "service.cli", "assemble", layout]
    out = tmp_path / "Row.parquet"
    done = subprocess.run([*command, "--out", str(out)], capture_output=True, timeout=120)
    assert (done.returncode, done.stderr) == (0, b"")
    assert out.read_bytes() == merged
    piped = subprocess.run([*command, "--out", "-"], capture_output=True, timeout=120)
    assert (piped.returncode, piped.stderr) == (0, b"")
    assert piped.stdout == merged
    drafta = Path(sys.executable).with_name("drafta")
    checked = subprocess.run([str(drafta), "assemble", layout, "--check"], capture_output=True)
    assert checked.returncode == 0
    assert checked.stdout == f"{layout}: {len(merged)} bytes from 3 shards, all whole\n".encode()


def test_a_job_folder_copied_whole_assembles_from_the_copy(tmp_path: Path) -> None:
    job_file(tmp_path / "laid", "csv", laid=True)
    merged = Path(job_file(tmp_path / "merged", "csv", laid=False)).read_bytes()
    shutil.copytree(tmp_path / "laid", tmp_path / "copy")
    shutil.rmtree(tmp_path / "laid")
    out = tmp_path / "Row.csv"
    assert main(["assemble", str(tmp_path / "copy" / "Row.csv.layout"), "--out", str(out)]) == 0
    assert out.read_bytes() == merged


def test_check_says_whether_every_shard_is_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = job_file(tmp_path, "csv", laid=True)
    assert main(["assemble", layout, "--check"]) == 0
    assert capsys.readouterr().out == f"{layout}: 482815 bytes from 3 shards, all whole\n"
    shard = tmp_path / "shards" / "000001.csv"
    shard.write_bytes(shard.read_bytes()[:-1])
    assert main(["assemble", layout, "--check"]) == 1
    assert capsys.readouterr().err == (
        f"drafta: shard {shard} holds 193040 bytes; the layout reads 193041\n"
    )


def test_every_bad_input_is_one_line_naming_the_path_and_leaves_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = job_file(tmp_path / "job", "csv", laid=True)
    shards = tmp_path / "job" / "shards"
    out = tmp_path / "out" / "Row.csv"
    out.parent.mkdir()

    def fails(path: str, target: Path = out) -> str:
        assert main(["assemble", path, "--out", str(target)]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert listing(tmp_path / "out") == (["Row.csv"] if out.exists() else [])
        return captured.err

    assert fails(f"{tmp_path}/nowhere.layout") == f"drafta: {tmp_path}/nowhere.layout is missing\n"
    (tmp_path / "text.layout").write_text("id,name\n")
    assert fails(f"{tmp_path}/text.layout") == f"drafta: {tmp_path}/text.layout is not JSON\n"
    (tmp_path / "other.layout").write_text('{"rows": 3}')
    assert fails(f"{tmp_path}/other.layout") == (
        f"drafta: {tmp_path}/other.layout is not a layout: a file's size and pieces\n"
    )
    assert fails(layout, tmp_path / "no" / "Row.csv") == (
        f"drafta: {tmp_path}/no/Row.csv: its folder {tmp_path}/no does not exist\n"
    )
    out.write_bytes(b"earlier")
    assert fails(layout) == f"drafta: {out} exists\n"
    assert out.read_bytes() == b"earlier"
    shard = shards / "000002.csv"
    whole = shard.read_bytes()
    shard.write_bytes(whole[:100])
    assert fails(layout) == f"drafta: shard {shard} holds 100 bytes; the layout reads 96450\n"
    shard.unlink()
    assert fails(layout) == f"drafta: shard {shard} is missing\n"
    assert out.read_bytes() == b"earlier"
    shard.write_bytes(whole)
    assert main(["assemble", layout, "--out", str(out), "--force"]) == 0
    assert out.read_bytes() == b"".join(files.read_range(layout, 0, 482814))
    assert main(["assemble", layout, "--out", str(shards / "000000.csv"), "--force"]) == 1
    assert capsys.readouterr().err.endswith(f"000000.csv is read by the layout {layout}\n")
    assert listing(tmp_path / "job") == sorted(
        ["Row.csv.layout", "shards", *(f"shards/{i:06d}.csv" for i in range(3))]
    )


def test_assemble_needs_out_or_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for args in ([], ["--out", "f.csv", "--check"]):
        with pytest.raises(SystemExit) as done:
            main(["assemble", str(tmp_path / "f.csv.layout"), *args])
        assert done.value.code == 2
        assert capsys.readouterr().err.splitlines()[-1].startswith("drafta assemble: error: ")


def test_a_write_failing_at_its_rename_leaves_nothing_at_the_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    layout = job_file(tmp_path / "job", "csv", laid=True)
    # A folder at FILE's name: every byte is copied, then the rename that publishes it fails.
    (tmp_path / "Row.csv").mkdir()
    (tmp_path / "Row.csv" / "kept").write_bytes(b"x")
    assert main(["assemble", layout, "--out", str(tmp_path / "Row.csv"), "--force"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("drafta: [Errno 21] Is a directory: ")
    assert err.endswith(f" -> '{tmp_path}/Row.csv'\n") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Row.csv", "job"]
    assert listing(tmp_path / "Row.csv") == ["kept"]


def test_a_reader_of_stdout_that_stops_early_ends_it_without_a_traceback(tmp_path: Path) -> None:
    layout = job_file(tmp_path, "parquet", laid=True)  # far more than a pipe holds
    command = [sys.executable, "-m", "service.cli", "assemble", layout, "--out", "-"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as running:
        assert running.stdout is not None and running.stderr is not None
        assert running.stdout.read(4) == b"PAR1"
        running.stdout.close()
        assert running.wait(timeout=120) == 1
        assert running.stderr.read() == b""
