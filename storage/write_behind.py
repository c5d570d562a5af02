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
