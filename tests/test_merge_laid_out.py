"""A layout read back (storage/merge/laid_out.py): what is not a layout is refused naming the
file, its shards are checked before anything is written, the one file it describes is
written whole or not at all, and a folder copied whole still reads."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import fsspec
import pytest
from fsspec.implementations.local import LocalFileSystem

from storage.errors import StorageError
from storage.merge import laid_out
from storage.merge.layout import MergeError, Span

WHOLE = b"[234567|abcdefghij"


def two_shards(folder: Path) -> str:
    """A layout of 18 bytes in ``folder``, over two shards in ``folder/shards``."""
    (folder / "shards").mkdir(parents=True)
    (folder / "shards" / "a").write_bytes(b"0123456789")
    (folder / "shards" / "b").write_bytes(b"abcdefghij")
    a, b = str(folder / "shards" / "a"), str(folder / "shards" / "b")
    path = str(folder / "f.txt.layout")
    assert laid_out.save([b"[", Span(a, 2, 8), b"|", Span(b, 0, 10)], path) == 18
    return path


def test_shards_in_the_layouts_folder_are_named_from_it_and_a_copy_reads(tmp_path: Path) -> None:
    path = two_shards(tmp_path / "job")
    saved = json.loads(Path(path).read_text())
    assert [p.get("shard") for p in saved["pieces"]] == [None, "shards/a", None, "shards/b"]
    shutil.copytree(tmp_path / "job", tmp_path / "copy")
    shutil.rmtree(tmp_path / "job")
    copy = str(tmp_path / "copy" / "f.txt.layout")
    assert b"".join(laid_out.read_range(copy, 0, 17)) == WHOLE
    assert laid_out.check(copy)[0] == 18


def test_a_shard_outside_the_layouts_folder_keeps_its_absolute_name(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").write_bytes(b"xyz")
    (tmp_path / "job").mkdir()
    path = str(tmp_path / "job" / "f.layout")
    laid_out.save([Span(str(tmp_path / "elsewhere"), 1, 3)], path)
    saved = json.loads(Path(path).read_text())
    assert saved["pieces"] == [{"shard": str(tmp_path / "elsewhere"), "start": 1, "stop": 3}]
    assert b"".join(laid_out.read_range(path, 0, 1)) == b"yz"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"size: 3", "is not JSON"),
        (b"\xff\xfe{}", "is not JSON"),
        (b"[]", "is not a layout: a file's size and pieces"),
        (b'{"size": 3}', "is not a layout: a file's size and pieces"),
        (b'{"size": "3", "pieces": []}', "is not a layout: a file's size and pieces"),
        (b'{"size": 1, "pieces": [7]}', "is not a layout: a file's size and pieces"),
        (b'{"size": 1, "pieces": [{"bytes": "!!"}]}', "is not a layout: a file's size and pieces"),
        (
            b'{"size": 0, "pieces": [{"shard": "a", "start": 2, "stop": 1}]}',
            "is not a layout: a file's size and pieces",
        ),
        (
            b'{"size": 5, "pieces": [{"bytes": "YQ=="}]}',
            "is not a layout: its pieces do not add up to its size",
        ),
    ],
)
def test_what_is_not_a_layout_is_refused_naming_the_file(
    tmp_path: Path, text: bytes, problem: str
) -> None:
    path = tmp_path / "f.csv.layout"
    path.write_bytes(text)
    with pytest.raises(MergeError) as error:
        laid_out.load(str(path))
    assert str(error.value) == f"{path} {problem}"


def test_a_missing_layout_or_a_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(MergeError) as error:
        laid_out.load(str(tmp_path / "gone.layout"))
    assert str(error.value) == f"{tmp_path}/gone.layout is missing"
    with pytest.raises(MergeError) as error:
        laid_out.load(str(tmp_path))
    assert str(error.value) == f"{tmp_path} cannot be read: Is a directory"


def test_check_names_a_missing_or_a_short_shard(tmp_path: Path) -> None:
    path = two_shards(tmp_path)
    assert laid_out.check(path)[0] == 18
    (tmp_path / "shards" / "b").write_bytes(b"abcdefghi")
    with pytest.raises(MergeError) as error:
        laid_out.check(path)
    assert str(error.value) == f"shard {tmp_path}/shards/b holds 9 bytes; the layout reads 10"
    (tmp_path / "shards" / "a").unlink()
    with pytest.raises(MergeError) as error:
        laid_out.check(path)
    assert str(error.value) == f"shard {tmp_path}/shards/a is missing"


def test_write_file_gives_the_bytes_a_download_reads_on_a_disk_and_elsewhere(
    tmp_path: Path,
) -> None:
    path = two_shards(tmp_path / "job")
    target = tmp_path / "out" / "f.txt"
    target.parent.mkdir()
    assert laid_out.write_file(path, LocalFileSystem(), str(target)) == 18
    assert target.read_bytes() == WHOLE == b"".join(laid_out.read_range(path, 0, 17))
    assert sorted(p.name for p in target.parent.iterdir()) == ["f.txt"]
    assert sorted(p.name for p in (tmp_path / "job" / "shards").iterdir()) == ["a", "b"]
    memory = fsspec.filesystem("memory")
    assert laid_out.write_file(path, memory, "/laid/f.txt") == 18
    assert memory.cat("/laid/f.txt") == WHOLE
    assert memory.ls("/laid", detail=False) == ["/laid/f.txt"]
    memory.rm("/laid", recursive=True)


def test_write_file_refuses_a_target_that_exists_has_no_folder_or_is_read(tmp_path: Path) -> None:
    path = two_shards(tmp_path)
    local = LocalFileSystem()
    target = tmp_path / "f.txt"
    target.write_bytes(b"kept")
    with pytest.raises(StorageError) as error:
        laid_out.write_file(path, local, str(target))
    assert str(error.value) == f"{target} exists"
    assert target.read_bytes() == b"kept"
    assert laid_out.write_file(path, local, str(target), replace=True) == 18
    assert target.read_bytes() == WHOLE
    with pytest.raises(StorageError) as error:
        laid_out.write_file(path, local, str(tmp_path / "no" / "f.txt"))
    assert str(error.value) == f"{tmp_path}/no/f.txt: its folder {tmp_path}/no does not exist"
    for read in (f"{tmp_path}/shards/a", path):
        with pytest.raises(StorageError) as error:
            laid_out.write_file(path, local, read, replace=True)
        assert str(error.value) == f"{read} is read by the layout {path}"
    assert (tmp_path / "shards" / "a").read_bytes() == b"0123456789"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt", "f.txt.layout", "shards"]


def test_write_file_checks_the_shards_before_it_writes(tmp_path: Path) -> None:
    path = two_shards(tmp_path / "job")
    (tmp_path / "job" / "shards" / "b").write_bytes(b"abc")
    with pytest.raises(MergeError, match="holds 3 bytes; the layout reads 10"):
        laid_out.write_file(path, LocalFileSystem(), str(tmp_path / "f.txt"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job"]
