"""A typed, synchronous Python client of the Drafta API.

with DraftaClient("http://127.0.0.1:8000", "dft_...") as drafta:
    job = drafta.submit(project_id, "Order", 100_000, format="csv", seed=42)
    drafta.wait(job.id)
    drafta.download(job.id, "orders.csv")
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote

import fsspec
import httpx
import msgspec

from pipeline.lifecycle import JobStatus
from service.dto import (
    Group,
    GroupDetail,
    JobAccepted,
    JobStatusBody,
    Preview,
    Project,
    ProjectCreated,
    Provider,
    ProviderRef,
    ProviderSummary,
)

T = TypeVar("T")
FINISHED = (JobStatus.COMPLETED, JobStatus.FAILED)
CHUNK = 1 << 20


class DraftaError(Exception):
    """An error answer of the service, with the fields of its problem+json document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        type: str = "about:blank",
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.field = field
        self.errors = errors or []
        where = f" (field {field})" if field else ""
        super().__init__(f"{status} {title}: {detail}{where}")

    @classmethod
    def from_response(cls, response: httpx.Response) -> DraftaError:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            body = {"detail": response.text or response.reason_phrase}
        return cls(
            int(body.get("status") or response.status_code),
            str(body.get("title") or response.reason_phrase),
            str(body.get("detail") or ""),
            type=str(body.get("type") or "about:blank"),
            field=body.get("field"),
            errors=body.get("errors"),
        )


class JobFailed(DraftaError):
    """``wait`` saw the job end ``failed``; ``job`` is its last status."""

    def __init__(self, job: JobStatusBody) -> None:
        self.job = job
        super().__init__(200, "Job failed", job.error or "the job failed")


def _project_path(project_id: str | None, group: str | None, name: str | None) -> str:
    if project_id is not None and group is None and name is None:
        return f"/project/{quote(project_id, safe='')}"
    if project_id is None and group is not None and name is not None:
        return f"/project/{quote(group, safe='')}/{quote(name, safe='')}"
    raise ValueError("name a project by project_id, or by group and name (not both)")


class DraftaClient:
    """The API of one workspace (the one ``api_key`` belongs to)."""

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=timeout,
            transport=transport,
            follow_redirects=True,
        )

    def __enter__(self) -> DraftaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # Plumbing -----------------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise DraftaError.from_response(response)
        return response

    def _call(self, kind: type[T], method: str, path: str, **kwargs: Any) -> T:
        response = self._request(method, path, **kwargs)
        return msgspec.json.decode(response.content, type=kind)

    @staticmethod
    def _page(limit: int | None, offset: int, **query: Any) -> dict[str, Any]:
        params = {k: v for k, v in query.items() if v is not None}
        if limit is not None:
            params["limit"] = limit
        if offset:
            params["offset"] = offset
        return params

    def health(self) -> dict[str, Any]:
        body: dict[str, Any] = self._request("GET", "/health").json()
        return body

    def types(self) -> dict[str, Any]:
        """Every built-in field type and every mimesis provider.method, with their options."""
        body: dict[str, Any] = self._request("GET", "/types").json()
        return body

    # Project groups -----------------------------------------------------------------------

    def list_groups(self, *, limit: int | None = None, offset: int = 0) -> list[Group]:
        return self._call(list[Group], "GET", "/project-group", params=self._page(limit, offset))

    def create_group(self, name: str) -> Group:
        return self._call(Group, "POST", "/project-group", json={"name": name})

    def get_group(self, ref: str) -> GroupDetail:
        """A group by id or name, with its projects."""
        return self._call(GroupDetail, "GET", f"/project-group/{quote(ref, safe='')}")

    def delete_group(self, ref: str) -> None:
        self._request("DELETE", f"/project-group/{quote(ref, safe='')}")

    # Projects -----------------------------------------------------------------------------

    def create_project(
        self, group_id: str, name: str, data: str | None = None, *, format: str = "yaml"
    ) -> ProjectCreated:
        body = {"project_group_id": group_id, "name": name, "data": data, "format": format}
        return self._call(ProjectCreated, "POST", "/project", json=body)

    def get_project(
        self, project_id: str | None = None, *, group: str | None = None, name: str | None = None
    ) -> Project:
        return self._call(Project, "GET", _project_path(project_id, group, name))

    def export_project(
        self,
        project_id: str | None = None,
        *,
        group: str | None = None,
        name: str | None = None,
        format: str = "json_schema",
    ) -> str:
        """The project's schema in another language (``json_schema`` or ``sql``)."""
        path = _project_path(project_id, group, name)
        return self._request("GET", path, params={"format": format}).text

    def update_project(
        self,
        project_id: str | None = None,
        *,
        group: str | None = None,
        name: str | None = None,
        data: str,
        format: str = "yaml",
    ) -> Project:
        path = _project_path(project_id, group, name)
        return self._call(Project, "PUT", path, json={"data": data, "format": format})

    def delete_project(
        self, project_id: str | None = None, *, group: str | None = None, name: str | None = None
    ) -> None:
        self._request("DELETE", _project_path(project_id, group, name))

    def preview(
        self,
        project_id: str | None = None,
        *,
        group: str | None = None,
        name: str | None = None,
        entity: str,
        count: int = 10,
        seed: int | None = None,
    ) -> Preview:
        """The first ``count`` rows (1 to 100) a json job with the same seed would produce."""
        path = _project_path(project_id, group, name) + "/preview"
        body: dict[str, Any] = {"entity_name": entity, "count": count}
        if seed is not None:
            body["seed"] = seed
        return self._call(Preview, "POST", path, json=body)

    # Providers ----------------------------------------------------------------------------

    def list_providers(self, *, limit: int | None = None, offset: int = 0) -> list[ProviderSummary]:
        params = self._page(limit, offset)
        return self._call(list[ProviderSummary], "GET", "/provider", params=params)

    def create_provider(self, name: str, data: list[Any]) -> ProviderRef:
        refs = self._call(list[ProviderRef], "POST", "/provider", json={"name": name, "data": data})
        return refs[0]

    def get_provider(self, provider_id: str) -> Provider:
        return self._call(Provider, "GET", f"/provider/{quote(provider_id, safe='')}")

    def update_provider(
        self, provider_id: str, data: list[Any], *, name: str | None = None
    ) -> Provider:
        body: dict[str, Any] = {"data": data}
        if name is not None:
            body["name"] = name
        return self._call(Provider, "PUT", f"/provider/{quote(provider_id, safe='')}", json=body)

    def delete_provider(self, provider_id: str) -> None:
        self._request("DELETE", f"/provider/{quote(provider_id, safe='')}")

    # Jobs ---------------------------------------------------------------------------------

    def submit(
        self,
        project_id: str,
        entity: str | None = None,
        count: int | None = None,
        *,
        entities: list[str] | str | None = None,
        scale: float | None = None,
        format: str = "json",
        dialect: str | None = None,
        seed: int | None = None,
        webhook_url: str | None = None,
        destination: dict[str, str] | None = None,
    ) -> JobAccepted:
        """Start a job: ``entity`` and ``count``, or ``entities`` (names, or "*" for all) each
        with its schema count (times ``scale``). ``dialect`` (postgres, mysql, sqlite) is the
        sql format's. ``destination`` loads the rows into a database instead of files:
        ``{"kind": "postgres", "url": "postgresql://...", "schema": "public",
        "if_exists": "fail" | "append" | "replace"}``."""
        given = {
            "format": format,
            "dialect": dialect,
            "entity_name": entity,
            "count": count,
            "entities": entities,
            "scale": scale,
            "seed": seed,
            "webhook_url": webhook_url,
            "destination": destination,
        }
        body = {key: value for key, value in given.items() if value is not None}
        return self._call(JobAccepted, "POST", f"/data/{quote(project_id, safe='')}", json=body)

    def status(self, job_id: str) -> JobStatusBody:
        return self._call(JobStatusBody, "GET", f"/data/{quote(job_id, safe='')}/status")

    def list_jobs(
        self,
        *,
        project_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[JobStatusBody]:
        params = self._page(limit, offset, project_id=project_id, status=status)
        return self._call(list[JobStatusBody], "GET", "/data", params=params)

    def cancel(self, job_id: str) -> JobStatusBody | None:
        """Cancel a running job (its status after) or remove a finished one (None)."""
        response = self._request("DELETE", f"/data/{quote(job_id, safe='')}")
        if response.status_code == 204 or not response.content:
            return None
        return msgspec.json.decode(response.content, type=JobStatusBody)

    def wait(
        self,
        job_id: str,
        timeout: float = 600.0,
        *,
        on_progress: Callable[[JobStatusBody], None] | None = None,
        first_interval: float = 0.05,
        max_interval: float = 2.0,
        raise_on_failure: bool = True,
    ) -> JobStatusBody:
        """Poll the status until the job ends, the interval doubling up to ``max_interval``.

        Raises TimeoutError after ``timeout`` seconds and JobFailed when the job failed (unless
        ``raise_on_failure`` is false).
        """
        deadline = time.monotonic() + timeout
        interval = first_interval
        while True:
            job = self.status(job_id)
            if on_progress is not None:
                on_progress(job)
            if job.status in FINISHED:
                if job.status == JobStatus.FAILED and raise_on_failure:
                    raise JobFailed(job)
                return job
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"job {job_id} is still {job.status} after {timeout} s")
            time.sleep(min(interval, left))
            interval = min(interval * 2, max_interval)

    def download(
        self,
        job_id: str,
        dest: str,
        *,
        entity: str | None = None,
        storage_options: dict[str, Any] | None = None,
    ) -> int:
        """Stream the job's file (``entity``'s, for a job of several) to ``dest`` (a local path
        or any fsspec URL); returns bytes."""
        written = 0
        path = f"/data/{quote(job_id, safe='')}/download"
        if entity is not None:
            path += f"/{quote(entity, safe='')}"
        with self._http.stream("GET", path) as response:
            if response.status_code >= 400:
                response.read()
                raise DraftaError.from_response(response)
            with fsspec.open(dest, "wb", **(storage_options or {})) as out:
                for chunk in response.iter_bytes(CHUNK):
                    out.write(chunk)
                    written += len(chunk)
        return written
