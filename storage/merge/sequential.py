"""A merged file written shard after shard, as each shard is made, on a local disk.

One process that makes a job's shards one after the other (``drafta generate`` with one
worker) need not write shard files and copy them into the merged file: each shard's part of
the layout (``storage.merge``) goes straight into the file as the shard is made. The bytes are
those ``merge_files`` gives for the same shards: a text shard is written into the file
behind the framing that comes before it; a parquet shard is written after the row groups
before it (less its own magic), and its footer is read back, kept for the merged one and cut
off the file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from types import TracebackType
from typing import BinaryIO, cast

from storage.formats import temporary_name
from storage.merge.layout import MergeError, text_before, text_end
from storage.merge.parquet import Footer, check_footer, footer_of, group_bytes, merged_footer
from storage.write_behind import WINDOW, WriteBehind

# Given where to write a shard's bytes, writes them and returns its rows.
ShardWriter = Callable[[BinaryIO], int]


class _ShardSink:
    """Where a writer writes one shard: the end of the file, less the shard's first ``skip``
    bytes (a parquet shard's own magic, after the first shard); positions count from the
    shard's beginning, as in a file of its own, so a parquet shard's footer is the one its
    file would have."""

    closed = False

    def __init__(self, out: BinaryIO, skip: int, behind: WriteBehind) -> None:
        out.flush()
        self.out = out
        self.behind = behind
        self.skip = skip
        self.start = out.tell()  # where the shard's bytes begin in the file, past ``skip``
        self.position = 0
        self.head = b""

    def write(self, data: bytes | memoryview) -> int:
        view = memoryview(data).cast("B")
        cut = min(max(self.skip - self.position, 0), len(view))
        if cut:
            self.head += bytes(view[:cut])
        self.out.write(view[cut:])
        self.position += len(view)
        end = self.start + self.position - self.skip
        if end - self.behind.started >= WINDOW:
            self.out.flush()
            self.behind.wrote(end)
        return len(view)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        self.out.flush()

    def writable(self) -> bool:
        return True

    def read(self, start: int, count: int) -> bytes:
        """Bytes of the shard as its own file would hold them."""
        if start < self.skip:
            return self.head[start : start + count]
        self.out.flush()
        return os.pread(self.out.fileno(), count, self.start + start - self.skip)


class SequentialFile:
    """The file at ``path``, whole once closed (written under a temporary name renamed at the
    end), or not at all after an error."""

    def __init__(self, fmt: str, path: str) -> None:
        self.fmt = fmt
        self.path = path
        self._tmp = temporary_name(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        self._out = open(self._tmp, "x+b")  # noqa: SIM115 (closed by close or abort)
        self._behind = WriteBehind(self._out.fileno())
        self._shards = 0
        self._rows = 0
        self._wrote = False
        self._footers: list[Footer] = []

    def add(self, rows: int, write: ShardWriter) -> int:
        """Append the next shard, of ``rows`` rows planned, written by ``write``; returns the
        bytes the shard would have had as a file of its own."""
        name = f"{self._shards} of {self.path}"
        parquet = self.fmt == "parquet"
        if not parquet:
            self._out.write(text_before(self.fmt, self._wrote, rows))
        skip = group_bytes(len(self._footers)) if parquet else 0
        sink = _ShardSink(self._out, skip, self._behind)
        written = write(cast(BinaryIO, sink))  # it writes and tells as a file does
        size = sink.position
        if parquet:
            footer = footer_of(sink.read, size, name)
            check_footer(footer, self._footers, name, rows)
            # The shard's footer is in the merged one: cut it off the file.
            self._out.truncate(sink.start + footer.data_end - skip)
            self._out.seek(0, os.SEEK_END)
            self._footers.append(footer)
        if written != rows:
            raise MergeError(f"shard {name} has {written} rows, expected {rows}")
        self._shards += 1
        self._rows += rows
        self._wrote = self._wrote or rows > 0
        return size

    def close(self) -> int:
        """Finish the file and put it at its name; returns its size."""
        if self.fmt == "parquet":
            if not self._footers:
                raise MergeError("no shards to merge")
            self._out.write(merged_footer(self._footers, self._rows))
        else:
            self._out.write(text_end(self.fmt))
        size = self._out.tell()
        self._out.close()
        os.replace(self._tmp, self.path)
        return size

    def abort(self) -> None:
        self._out.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._tmp)

    def __enter__(self) -> SequentialFile:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self.abort()
