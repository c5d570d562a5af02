"""Use cases of jobs the web app needs and service.jobs does not hold yet.

The JSON API keeps removing a finished job in its controller; this is the same rule, here
until it moves to a use-case module both share.
"""

from __future__ import annotations

import asyncio

from service.errors import ConflictError
from service.settings import Settings
from storage import files, jobs
from storage.db import Database


async def remove_finished_job(db: Database, settings: Settings, ws: str, job_id: str) -> None:
    """Delete a completed or failed job and its files; a running one must be cancelled first."""
    row = jobs.get_job(db, ws, job_id)
    if row["status"] in ("pending", "processing"):
        raise ConflictError("the job is still running: cancel it first", field="job_id")
    # Off the event loop: on object storage a delete is a request per file.
    await asyncio.to_thread(
        files.remove_tree, files.job_root(settings.storage, ws, row["id"]), settings.storage_options
    )
    jobs.delete_job(db, ws, row["id"])
