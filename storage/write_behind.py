"""Writing a large file on a local disk without the page cache growing by its size.

Written bytes wait in the page cache until the kernel writes them out, so a file of a few
gigabytes takes as many gigabytes of memory pages the kernel must find, and every page it
takes that was free is faulted in and zeroed first: on these machines that cost four times
what writing the same bytes did with the cache kept small (docs/performance.md). As a file
grows, each full window has its writeback started, and the window two before it, written out
by then, is dropped from the cache, so the same few pages serve the whole file (databases
flush behind their writes for the same reason).
"""

from __future__ import annotations

import os

WINDOW = 32 << 20  # bytes
_ADVISE = getattr(os, "posix_fadvise", None)  # not on every system: then nothing is done


class WriteBehind:
    """Follows one open file's written length (``wrote``), from ``start`` on."""

    def __init__(self, fd: int, start: int = 0) -> None:
        self.fd = fd
        self.started = start  # the windows before this have their writeback started

    def wrote(self, position: int) -> None:
        """The file holds its bytes up to ``position`` (written to the kernel, not buffered)."""
        if _ADVISE is None:
            return
        while position - self.started >= WINDOW:
            # On a dirty range the advice starts its writeback; on a clean one it drops it.
            _ADVISE(self.fd, self.started, WINDOW, os.POSIX_FADV_DONTNEED)
            earlier = self.started - 2 * WINDOW
            if earlier >= 0:
                _ADVISE(self.fd, earlier, WINDOW, os.POSIX_FADV_DONTNEED)
            self.started += WINDOW


class BehindFile:
    """A new local file opened for writing, written behind as it grows."""

    closed = False

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        self._behind = WriteBehind(self._fd)
        self._position = 0

    def write(self, data: bytes | memoryview) -> int:
        view = memoryview(data).cast("B")
        while view:
            written = os.write(self._fd, view)
            view = view[written:]
            self._position += written
        self._behind.wrote(self._position)
        return len(data)

    def tell(self) -> int:
        return self._position

    def flush(self) -> None:
        return None

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self._fd)

    def __enter__(self) -> BehindFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
