"""Serving a job's merged file: streamed in chunks, with ETag and single byte ranges."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import anyio
from litestar import Response
from litestar.response import Redirect, Stream

from pipeline.destinations import is_table_url
from pipeline.lifecycle import JobStatus
from service.errors import ResourceNotFound, ServiceError
from service.jobs import MEDIA_TYPES
from service.settings import Settings
from storage import files, jobs
from storage.db import Database

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(ServiceError):
    status, slug = 416, "range-not-satisfiable"


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, end) inclusive of one ``bytes=`` range, None for the whole file."""
    if not header:
        return None
    match = RANGE_RE.match(header.strip())
    if match is None or (not match.group(1) and not match.group(2)):
        raise RangeNotSatisfiable(
            "only one byte range is supported, e.g. bytes=0-1023",
            headers={"Content-Range": f"bytes */{size}"},
        )
    first, last = match.groups()
    if first:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
    else:
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        raise RangeNotSatisfiable(
            f"the range is outside the file of {size} bytes",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return start, end


async def _stream(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    sentinel = b""
    while True:
        chunk = await anyio.to_thread.run_sync(next, chunks, sentinel)
        if not chunk:
            return
        yield chunk


def serve_file(
    db: Database,
    settings: Settings,
    ws: str,
    job_id: str,
    entity: str | None,
    range_header: str | None,
    if_none_match: str | None,
) -> Response | Stream | Redirect:
    """A job's file (``entity``'s, for a job of several entities): streamed (whole or one
    range), 304 for a matching ETag, or a redirect to a signed URL."""
    row = jobs.get_job(db, ws, job_id)
    if row.status != JobStatus.COMPLETED or not row.outputs:
        raise ResourceNotFound(f"job {row.id} has no file yet (status {row.status})")
    loaded = next((path for path, _ in row.outputs.values() if is_table_url(path)), None)
    if loaded is not None:
        raise ResourceNotFound(
            f"job {row.id} loaded its rows into a database ({loaded.partition('#')[0]}): it "
            "made no file to download; its status lists each table"
        )
    if entity is None and len(row.outputs) > 1:
        names = ", ".join(row.outputs)
        raise ResourceNotFound(
            f"job {row.id} made a file per entity ({names}): download each at "
            f"/data/{row.id}/download/{{entity}}"
        )
    name = entity if entity is not None else next(iter(row.outputs))
    if name not in row.outputs:
        raise ResourceNotFound(f"job {row.id} made no file of entity {name!r}")
    url, size = row.outputs[name]
    if settings.signed_urls:
        signed = files.signed_url(url, settings.signed_url_ttl, settings.storage_options)
        if signed:
            return Redirect(signed, status_code=307)
    # One file's ETag stays what it was before jobs made several.
    etag = f'"{row.id}-{size}"' if len(row.outputs) == 1 else f'"{row.id}-{name}-{size}"'
    filename = f"{name}.{row.format}"
    base_headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Content-Disposition": f'attachment; filename="{filename}"',
    }
    if if_none_match and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(b"", status_code=304, headers=base_headers)
    span = parse_range(range_header, size)
    start, end = span if span else (0, size - 1)
    headers = {**base_headers, "Content-Length": str(end - start + 1)}
    if span:
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    chunks = files.read_range(url, start, end, settings.storage_options) if size else iter(())
    return Stream(
        _stream(chunks),
        status_code=206 if span else 200,
        media_type=MEDIA_TYPES[row.format],
        headers=headers,
    )
