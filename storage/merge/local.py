"""Writing a merged file on a local disk without its bytes passing through the process.

Each shard's range is copied by the kernel (``copy_file_range``: on a file system with
reflinks, such as XFS or Btrfs, the kernel shares the blocks instead where the offsets allow);
the few bytes of framing between shards are written at their offsets. Where the kernel refuses
(another file system, a kernel without the call) the copy falls back to ``sendfile`` and then
to reads and writes.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Sequence

from storage.formats import temporary_name
from storage.merge.layout import CHUNK, Done, MergeError, Piece, Span
from storage.write_behind import WINDOW, WriteBehind

# What a kernel answers when it cannot copy between these two files, as opposed to a failure
# of the disk: the next, plainer way is tried.
_REFUSED = {errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EINVAL}


def write_local(pieces: Sequence[Piece], path: str, done: Done, *, adopt: bool = False) -> None:
    """Write ``pieces`` under a temporary name beside ``path``, then rename it there.

    With ``adopt``, a first shard that begins the file is renamed to the temporary name (and
    cut to its range) instead of copied: a one-shard csv, ndjson, sql or parquet merge is a
    rename. The shard is gone then, as a consumed shard would be.
    """
    tmp = temporary_name(path)
    copier = _Copier()
    try:
        target, position, rest = _begin(pieces, tmp, adopt)
        behind = WriteBehind(target)
        try:
            for piece in rest:
                if isinstance(piece, bytes):
                    _write_at(target, piece, position)
                    position += len(piece)
                    continue
                copier.copy(piece, target, position, behind)
                position += piece.size
                if piece.last:
                    done(piece.path)
        finally:
            os.close(target)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _begin(pieces: Sequence[Piece], tmp: str, adopt: bool) -> tuple[int, int, Sequence[Piece]]:
    """The open temporary file, where writing goes on in it, and the pieces left to write."""
    first = pieces[0] if pieces else None
    if adopt and isinstance(first, Span) and first.start == 0 and first.last:
        try:
            os.rename(first.path, tmp)
        except OSError:  # another file system: copied like the others
            pass
        else:
            os.truncate(tmp, first.stop)
            return os.open(tmp, os.O_WRONLY | os.O_CLOEXEC), first.stop, pieces[1:]
    target = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    return target, 0, pieces


def _write_at(target: int, data: bytes, position: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(target, view, position)
        view, position = view[written:], position + written


class _Copier:
    """Copies ranges of files into the target, by the best way the kernel has accepted."""

    def __init__(self) -> None:
        self.way = "copy_file_range" if hasattr(os, "copy_file_range") else "sendfile"

    def copy(self, span: Span, target: int, position: int, behind: WriteBehind) -> None:
        source = os.open(span.path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            start = span.start
            while start < span.stop:
                count = min(span.stop - start, WINDOW)  # the target written behind as it grows
                copied = self._copy_some(source, target, start, count, position)
                if copied == 0:
                    raise MergeError(f"shard {span.path} ended early")
                start, position = start + copied, position + copied
                behind.wrote(position)
        finally:
            os.close(source)

    def _copy_some(self, source: int, target: int, start: int, count: int, at: int) -> int:
        if self.way == "copy_file_range":
            try:
                return os.copy_file_range(source, target, count, start, at)
            except OSError as error:
                if error.errno not in _REFUSED:
                    raise
                self.way = "sendfile"
        if self.way == "sendfile":
            try:
                os.lseek(target, at, os.SEEK_SET)
                return os.sendfile(target, source, start, count)
            except OSError as error:
                if error.errno not in _REFUSED:
                    raise
                self.way = "read"
        data = os.pread(source, min(CHUNK, count), start)
        _write_at(target, data, at)
        return len(data)
