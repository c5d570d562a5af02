"""Request and response bodies of the resource API (the contract of the seed document)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from pipeline.lifecycle import JobStatus

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Name = Annotated[
    str,
    msgspec.Meta(
        pattern=NAME_PATTERN,
        description="letters, digits, '.', '_', '-'; starts with a letter or digit; <= 64 chars",
        examples=["data-analysis"],
    ),
]
Value = str | int | float | bool
# A provider's item: a plain value, or a record (the same keys in every item of one provider).
Item = Value | dict[str, Value]
SchemaFormat = Literal["yaml", "json_schema", "json_parquet", "sql"]
SchemaExport = Literal["yaml", "json_schema", "sql"]
DataFormat = Literal["json", "ndjson", "csv", "parquet", "sql"]
Dialect = Literal["postgres", "mysql", "sqlite"]


class In(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A request body: unknown keys are refused, naming them."""


class Out(msgspec.Struct, kw_only=True):
    """A response body."""


class GroupIn(In):
    name: Name


class Group(Out):
    id: str
    name: str
    created_at: str


class ProjectSummary(Out):
    id: str
    name: str
    created_at: str
    updated_at: str


class GroupDetail(Out):
    id: str
    name: str
    created_at: str
    updated_at: str
    projects: list[ProjectSummary]


class ProjectIn(In):
    project_group_id: str
    name: Name
    data: str | None = None
    format: SchemaFormat = "yaml"


class ImportWarning(Out, kw_only=True):
    """Something an imported schema said that the conversion skipped or could not keep."""

    line: int | None = None
    message: str


class ProjectCreated(Out, omit_defaults=True):
    id: str
    name: str
    project_group_id: str
    created_at: str
    warnings: list[ImportWarning] | None = None  # only when `data` was imported (not YAML)


class Project(Out, omit_defaults=True):
    id: str
    name: str
    project_group_id: str
    data: str | None
    created_at: str
    updated_at: str
    warnings: list[ImportWarning] | None = None  # only in the answer to an import (PUT)


class ProjectUpdate(In):
    data: str
    format: SchemaFormat = "yaml"


class ProviderIn(In):
    name: Name
    data: Annotated[list[Item], msgspec.Meta(min_length=1)]


class ProviderRef(Out):
    id: str
    name: str


class ProviderSummary(Out):
    id: str
    name: str
    created_at: str
    updated_at: str


class Provider(Out):
    id: str
    name: str
    data: list[Item]
    created_at: str
    updated_at: str


class ProviderUpdate(In):
    data: Annotated[list[Item], msgspec.Meta(min_length=1)]
    name: Name | None = None


class Health(Out):
    status: Literal["ok"]
    version: str


class DestinationIn(In):
    """A database the job loads its rows into instead of writing files."""

    kind: Literal["postgres"]
    url: str  # postgresql://user:password@host:port/database
    schema: str = "public"
    if_exists: Literal["fail", "append", "replace"] = "fail"


class DataRequest(In):
    """One entity (``entity_name`` and ``count``), or several (``entities``: names or "*" for
    all, each with its schema ``count`` times ``scale``)."""

    entity_name: str | None = None
    count: Annotated[int, msgspec.Meta(ge=1)] | None = None
    entities: list[str] | Literal["*"] | None = None
    scale: Annotated[float, msgspec.Meta(gt=0)] | None = None
    format: DataFormat = "json"
    dialect: Dialect | None = None  # the sql format's; postgres when not given
    webhook_url: str | None = None
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | None = None
    destination: DestinationIn | None = None


class JobAccepted(Out):
    id: str
    status: JobStatus


class Progress(Out):
    rows_done: int
    rows_total: int
    shards_done: int
    shards_total: int


class JobStatusBody(Out):
    id: str
    status: JobStatus
    project_id: str
    entity_name: str | None  # the entity of a one-entity job
    entities: list[str]  # every entity of the job, parents before children
    format: str
    dialect: str | None  # the sql format's; None for the other formats
    count: int
    seed: int
    progress: Progress
    created_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    data: dict[str, str] | None = None
    size_bytes: int | None = None
    dashboard_link: str | None = None
    notice: str | None = None  # why a running job makes no progress now, while it waits


class WebhookSettings(Out):
    secret: str
    signature_scheme: str = "Standard Webhooks v1 (HMAC-SHA256 of id.timestamp.body)"


MAX_PREVIEW_ROWS = 100


class PreviewRequest(In):
    entity_name: str
    count: Annotated[int, msgspec.Meta(ge=1, le=MAX_PREVIEW_ROWS)] = 10
    seed: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | None = None


class Preview(Out):
    entity_name: str
    seed: int
    rows: list[dict[str, Any]]
