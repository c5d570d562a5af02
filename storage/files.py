"""Job files on any fsspec storage: where they live, reading ranges, removing them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import fsspec
from fsspec import AbstractFileSystem
from fsspec.implementations.local import LocalFileSystem

from storage.merge import laid_out

CHUNK = 1024 * 1024


def job_root(storage_url: str, workspace_id: str, job_id: str) -> str:
    """The folder of one job's files; only server-made ids ever become path parts."""
    return f"{storage_url.rstrip('/')}/{workspace_id}/{job_id}"


def filesystem(url: str, options: dict[str, Any] | None = None) -> tuple[AbstractFileSystem, str]:
    fs, path = fsspec.core.url_to_fs(url, **(options or {}))
    return fs, path


def is_local(url: str, options: dict[str, Any] | None = None) -> bool:
    """Whether ``url`` is on this machine's file system (a local disk, or one mounted)."""
    return isinstance(filesystem(url, options)[0], LocalFileSystem)


def size(url: str, options: dict[str, Any] | None = None) -> int:
    fs, path = filesystem(url, options)
    return int(fs.size(path))


def read_range(
    url: str, start: int, end: int, options: dict[str, Any] | None = None
) -> Iterator[bytes]:
    """Bytes [start, end] (inclusive) in chunks, never the whole file in memory; a file kept
    as its shards (``storage.merge.laid_out``) is read from them."""
    fs, path = filesystem(url, options)
    if laid_out.is_laid_out(path):
        yield from laid_out.read_range(path, start, end)
        return
    with fs.open(path, "rb") as handle:
        handle.seek(start)
        left = end - start + 1
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def remove_tree(url: str, options: dict[str, Any] | None = None) -> None:
    fs, path = filesystem(url, options)
    if fs.exists(path):
        fs.rm(path, recursive=True)


def signed_url(url: str, ttl: int, options: dict[str, Any] | None = None) -> str | None:
    """A time-limited URL straight to the file, when the backend can sign one."""
    fs, path = filesystem(url, options)
    if laid_out.is_laid_out(path):
        return None
    try:
        return str(fs.sign(path, expiration=ttl))
    except NotImplementedError:
        return None
