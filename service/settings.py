"""The service's settings: one typed object read from ``DRAFTA_*`` environment variables.

Every setting is documented in the README's configuration table (a test checks that).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

DEFAULT_WEBHOOK_RETRY = (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    home: str = ".drafta"
    db: str | None = None
    storage_url: str | None = None
    storage_options: dict[str, Any] = {}
    executor: Literal["dask", "inprocess"] = "dask"
    inprocess_rows: int = 10_000
    scheduler_address: str | None = None
    workers: int | None = None
    dashboard_address: str = ":8787"
    scheduler_grace: float = 300.0
    scheduler_timeout: float = 10.0
    public_url: str | None = None
    max_rows: int = 100_000_000
    max_body: int = 4 * 1024 * 1024
    max_schema_bytes: int = 1_000_000
    max_entities: int = 100
    max_fields: int = 2_000
    max_provider_items: int = 100_000
    shard_rows: int = 1_048_576
    max_jobs_in_flight: int = 20
    rate_limit: int = 1200
    page_size: int = 50
    max_page_size: int = 500
    webhook_allow: tuple[str, ...] = ()
    destination_allow: tuple[str, ...] = ()
    webhook_retry: tuple[float, ...] = DEFAULT_WEBHOOK_RETRY
    webhook_timeout: float = 15.0
    signed_urls: bool = False
    signed_url_ttl: int = 3600

    @property
    def db_path(self) -> Path:
        return Path(self.db) if self.db else Path(self.home) / "drafta.db"

    @property
    def storage(self) -> str:
        """The fsspec URL under which job files live."""
        return self.storage_url or str((Path(self.home) / "data").resolve())


def _parse(name: str, raw: str, kind: Any) -> Any:
    if kind in ("tuple[str, ...]",):
        return tuple(p.strip() for p in raw.split(",") if p.strip())
    if kind in ("tuple[float, ...]",):
        return tuple(float(p) for p in raw.split(",") if p.strip())
    if kind == "dict[str, Any]":
        return json.loads(raw)
    if kind == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return raw


def env_names() -> dict[str, str]:
    """Setting name -> its environment variable."""
    return {f: f"DRAFTA_{f.upper()}" for f in Settings.__struct_fields__}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Settings from the environment (``DRAFTA_*``), then explicit overrides."""
    environ = os.environ if environ is None else environ
    annotations = Settings.__annotations__
    raw: dict[str, Any] = {}
    for field, var in env_names().items():
        if var in environ and environ[var] != "":
            try:
                raw[field] = _parse(field, environ[var], annotations[field])
            except ValueError as exc:
                raise SystemExit(f"{var}: cannot read {environ[var]!r}: {exc}") from exc
    raw.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SystemExit(f"invalid setting: {exc}") from exc
