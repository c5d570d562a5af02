"""Writing a merged file on S3 as one multipart upload whose parts are, wherever they can be,
server-side copies of the shards (``UploadPartCopy``): the job's bytes never leave the store.

S3 takes parts of 5 MiB to 5 GiB, every one but the last at least 5 MiB. A shard that big is one
copied part (or a few); framing bytes and shards smaller than that are gathered into an
uploaded part, topped up to 5 MiB from the head of the next shard, so only those bytes are read
and sent again (about 5 MiB per separator for json, none for csv, ndjson and sql). The object
appears at its name only when the upload completes; on any failure the upload is aborted, and
nothing is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import fsspec
from fsspec.asyn import sync

from storage.merge.layout import MergeError, Piece, Span

MIN_PART = 5 << 20
MAX_PART = 5 << 30
MAX_PARTS = 10_000
CONCURRENCY = 8  # parts in flight; each uploaded part holds at most 10 MiB in memory


@dataclass(frozen=True)
class Copied:
    """A part the store copies from a range of one shard."""

    span: Span


@dataclass(frozen=True)
class Uploaded:
    """A part sent from the process: framing bytes and ranges read from shards."""

    pieces: tuple[Piece, ...]


Part = Copied | Uploaded


def can_copy(fs: fsspec.AbstractFileSystem) -> bool:
    """Whether ``fs`` is S3 through s3fs, whose client makes part copies."""
    protocols = (fs.protocol,) if isinstance(fs.protocol, str) else fs.protocol
    return "s3" in protocols and hasattr(fs, "_call_s3") and hasattr(fs, "split_path")


def plan_parts(pieces: Sequence[Piece]) -> list[Part] | None:
    """The parts of the upload, or None when no part would be a copy (a small job) or S3's
    10,000 parts would not do."""
    parts: list[Part] = []
    buffer: list[Piece] = []
    filled = 0
    for piece in pieces:
        if isinstance(piece, Span) and not piece.size:
            continue
        if isinstance(piece, bytes):
            buffer.append(piece)
            filled += len(piece)
        else:
            span = piece
            if 0 < filled < MIN_PART:
                head = min(span.size, MIN_PART - filled)
                buffer.append(span.cut(0, head))
                filled += head
                span = span.cut(head, span.size)
            if span.size >= MIN_PART:
                if buffer:  # exactly MIN_PART: the span was big enough to top it up
                    parts.append(Uploaded(tuple(buffer)))
                    buffer, filled = [], 0
                parts.extend(Copied(s) for s in _split(span))
            elif span.size:
                buffer.append(span)
                filled += span.size
        if filled >= MIN_PART:
            parts.append(Uploaded(tuple(buffer)))
            buffer, filled = [], 0
    if buffer:
        parts.append(Uploaded(tuple(buffer)))
    if not any(isinstance(p, Copied) for p in parts) or len(parts) > MAX_PARTS:
        return None
    return parts


def _split(span: Span) -> list[Span]:
    """``span`` in as few parts of at most 5 GiB as it takes, of about one size."""
    count = -(-span.size // MAX_PART)
    step = -(-span.size // count)
    edges = [*range(0, span.size, step), span.size]
    return [span.cut(a, b) for a, b in itertools.pairwise(edges)]


def write_copied(fs: Any, parts: Sequence[Part], path: str) -> bool:
    """Upload ``parts`` as the object at ``path``; False (and nothing written) from a store
    that does not copy parts (an S3 look-alike answering NotImplemented)."""
    try:
        sync(fs.loop, _upload, fs, parts, path)
    except OSError as error:
        if error.errno != errno.ENOSYS:
            raise
        return False
    fs.invalidate_cache(path)
    return True


async def _upload(fs: Any, parts: Sequence[Part], path: str) -> None:
    bucket, key, _ = fs.split_path(path)
    target = {"Bucket": bucket, "Key": key}
    upload = (await fs._call_s3("create_multipart_upload", **target))["UploadId"]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def send(number: int, part: Part) -> dict[str, Any]:
        async with gate:
            where = {**target, "UploadId": upload, "PartNumber": number}
            if isinstance(part, Copied):
                span = part.span
                source_bucket, source_key, _ = fs.split_path(span.path)
                answer = await fs._call_s3(
                    "upload_part_copy",
                    **where,
                    CopySource={"Bucket": source_bucket, "Key": source_key},
                    CopySourceRange=f"bytes={span.start}-{span.stop - 1}",
                )
                return {"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]}
            body = b"".join([await _read(fs, piece) for piece in part.pieces])
            answer = await fs._call_s3("upload_part", **where, Body=body)
            return {"PartNumber": number, "ETag": answer["ETag"]}

    try:
        try:
            # A task group: the first part that fails cancels the others before the abort.
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(send(i + 1, part)) for i, part in enumerate(parts)]
        except BaseExceptionGroup as failed:
            raise failed.exceptions[0] from None
        await fs._call_s3(
            "complete_multipart_upload",
            **target,
            UploadId=upload,
            MultipartUpload={"Parts": [task.result() for task in tasks]},
        )
    except BaseException:
        # The failure that stopped the upload is the one to report, not the abort's.
        with contextlib.suppress(Exception):
            await asyncio.shield(fs._call_s3("abort_multipart_upload", **target, UploadId=upload))
        raise


async def _read(fs: Any, piece: Piece) -> bytes:
    if isinstance(piece, bytes):
        return piece
    data: bytes = await fs._cat_file(piece.path, start=piece.start, end=piece.stop)
    if len(data) != piece.size:
        raise MergeError(f"shard {piece.path} ended early")
    return data
