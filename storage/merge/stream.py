"""Writing a merged file by streaming its bytes through the process: the way for any file
system that offers no copy of its own (and for S3 jobs too small for part copies)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO

import fsspec

from storage.formats import temporary_name
from storage.merge.layout import Done, Piece, read_span


def write_streamed(
    fs: fsspec.AbstractFileSystem,
    pieces: Sequence[Piece],
    path: str,
    done: Done,
    *,
    source: fsspec.AbstractFileSystem | None = None,
) -> None:
    """Write ``pieces`` under a temporary name beside ``path``, then rename it there; the
    shards are read from ``source`` (default: ``fs``)."""
    tmp = temporary_name(path)
    try:
        with fs.open(tmp, "wb") as target, _BackgroundWrites(target) as out:
            for piece in pieces:
                if isinstance(piece, bytes):
                    out.write(piece)
                    continue
                for chunk in read_span(source or fs, piece):
                    out.write(chunk)
                if piece.last:
                    done(piece.path)
        fs.mv(tmp, path)
    except BaseException:
        if fs.exists(tmp):
            fs.rm(tmp)
        raise


class _BackgroundWrites:
    """A file's ``write`` done on a helper thread, at most two chunks behind the caller.

    File writes release the GIL, so reading the next chunk goes on while this one is written:
    the merge is then about as fast as the writes alone.
    """

    DEPTH = 2

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drafta-merge")
        self._pending: deque[Future[int]] = deque()

    def write(self, data: bytes) -> None:
        self._pending.append(self._pool.submit(self._target.write, data))
        while len(self._pending) > self.DEPTH:
            self._pending.popleft().result()

    def __enter__(self) -> _BackgroundWrites:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            while self._pending:  # every write ends, and the first failure is raised
                self._pending.popleft().result()
        finally:
            self._pool.shutdown(wait=True, cancel_futures=True)
