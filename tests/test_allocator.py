"""The C allocator's setting for processes that generate (pipeline/allocator.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from pipeline.allocator import keep_freed_memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_glibc_takes_the_setting_once() -> None:
    assert keep_freed_memory() is True
    assert keep_freed_memory() is True  # asked again: the first answer


def test_a_worker_sets_it_when_it_starts() -> None:
    # drafta generate calls it too, before making rows in its own process.
    code = (
        "import pipeline.allocator as a, pipeline.warm as w\n"
        "w.dask_setup(None)\n"
        "print(a.keep_freed_memory.cache_info().currsize)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"
