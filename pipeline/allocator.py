"""The C allocator told to keep the memory it frees for the next block, not give it back.

Generation frees and allocates arrays of the same sizes block after block. glibc's malloc
hands large freed chunks and the free top of its heaps back to the kernel, so the next block's
arrays are fresh pages that the kernel faults in and zeroes again: about a seventh of the CPU
of ``drafta generate`` went there (docs/performance.md). Processes that generate (the command
line's, the workers) call ``keep_freed_memory`` once; with another C library it does nothing.
"""

from __future__ import annotations

import ctypes
import functools

# mallopt's parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# Chunks below this come from the heap and are reused; larger ones (a shard's whole text)
# still map and unmap their own pages.
MMAP_THRESHOLD = 32 << 20
# Free memory kept at the top of a heap before it is returned: a few blocks' arrays.
TRIM_THRESHOLD = 128 << 20


@functools.cache
def keep_freed_memory() -> bool:
    """Whether the allocator took the setting (glibc's does)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
