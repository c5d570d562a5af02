"""Write-behind on a growing local file (storage/write_behind.py): the bytes are the file's,
and each full window, and only a full one, has its writeback started."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from storage.write_behind import WINDOW, WriteBehind


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="no posix_fadvise here")
def test_a_file_written_behind_keeps_its_bytes_and_advances_by_whole_windows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "big.bin"
    chunk = bytes(range(256)) * (WINDOW // 1024)  # a quarter window
    with path.open("wb") as out:
        behind = WriteBehind(out.fileno())
        behind.wrote(WINDOW - 1)
        assert behind.started == 0
        for _ in range(25):  # six windows and a quarter
            out.write(chunk)
            out.flush()
            behind.wrote(out.tell())
    assert behind.started == 6 * WINDOW
    assert path.read_bytes() == chunk * 25
