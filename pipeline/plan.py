"""Planning a job: (job spec, shard size) -> shard specs. Pure."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import msgspec
import yaml

from pipeline.destinations import Destination
from pipeline.engine.groups import entity_rows
from pipeline.schema.model import PerParent, Schema
from pipeline.schema.resolved import resolve
from pipeline.shard_size import shard_rows_for
from storage.formats import FormatError, extension
from storage.formats.sql import DEFAULT_DIALECT, check_dialect

# A multiple of the engine's block, so a shard never generates a block it only partly covers.
DEFAULT_SHARD_ROWS = 1_048_576


class JobSpec(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a shard task needs; shipped to workers as is."""

    job_id: str
    schema_text: str
    entity: str
    count: int
    seed: int
    format: str
    dialect: str | None = None  # the sql format's: postgres (its default), mysql or sqlite
    root_url: str
    storage_options: dict[str, Any] = {}
    providers: dict[str, list[Any]] = {}
    shard_rows: int = DEFAULT_SHARD_ROWS
    # The entities made before this one in the same job: an sql file may declare foreign keys
    # to their tables, which are loaded first.
    made_before: tuple[str, ...] = ()
    # Where the rows go instead of files (the same in every entity's spec of a job).
    destination: Destination | None = None
    # On a local disk: a file of several shards is kept as the shards and their layout, read
    # from them when downloaded (storage/merge/laid_out.py), instead of copied into one file.
    laid_out: bool = False


def entity_specs(job: JobSpec, entities: Sequence[tuple[str, int, str]]) -> list[JobSpec]:
    """One spec per (entity, rows, root URL) of a job, in the job's order (parents first):
    ``job`` with each entity's own fields, and the entities made before it."""
    names = [entity for entity, _, _ in entities]
    return [
        msgspec.structs.replace(
            job, entity=entity, count=count, root_url=root, made_before=tuple(names[:number])
        )
        for number, (entity, count, root) in enumerate(entities)
    ]


class ShardSpec(msgspec.Struct, frozen=True, kw_only=True):
    job: JobSpec
    index: int
    start: int
    stop: int

    @property
    def rows(self) -> int:
        return self.stop - self.start


def plan_shards(job: JobSpec) -> list[ShardSpec]:
    """Consecutive row ranges of ``shard_rows`` rows at most, fewer for wide rows (see
    ``pipeline.shard_size``); the last may be shorter; at least one."""
    if job.count < 0:
        raise ValueError("count must not be negative")
    if job.shard_rows < 1:
        raise ValueError("shard_rows must be positive")
    rows = shard_rows_for(job.schema_text, job.entity, job.shard_rows)
    starts = range(0, max(job.count, 1), rows)
    return [
        ShardSpec(job=job, index=i, start=start, stop=min(start + rows, job.count))
        for i, start in enumerate(starts)
    ]


def shard_path(job: JobSpec, index: int) -> str:
    return f"{job.root_url.rstrip('/')}/shards/{index:06d}.{job.format}"


def output_path(job: JobSpec) -> str:
    return f"{job.root_url.rstrip('/')}/{job.entity}.{job.format}"


def check_format(fmt: str, dialect: str | None) -> str | None:
    """The job's dialect: the sql format's (postgres unless given); None for the other
    formats, which take none. Raises FormatError naming what is wrong."""
    extension(fmt)
    if fmt != "sql":
        if dialect is not None:
            raise FormatError(f"a dialect applies to the sql format only, not to {fmt}")
        return None
    return check_dialect(dialect or DEFAULT_DIALECT)


def choose_seed(requested: int | None, default: int | None) -> int:
    """The request's seed, else the schema's, else a new one (reported so it can be repeated)."""
    if requested is not None:
        return requested
    return default if default is not None else secrets.randbelow(2**31)


def dependency_order(schema: Schema, names: Sequence[str]) -> list[str]:
    """``names`` with every entity after the entities it references (the schema's order among
    equals), so files loaded in this order satisfy foreign keys. Self-references do not count;
    cycles are refused when the schema is validated."""
    resolved = resolve(schema)
    wanted = [n for n in schema.entities if n in set(names)]
    parents = {
        name: {
            f.reference.entity
            for f in resolved.entities[name].fields
            if f.reference is not None and f.reference.entity != name
        }
        for name in wanted
    }
    ordered: list[str] = []
    placed: set[str] = set()
    while len(ordered) < len(wanted):
        ready = [n for n in wanted if n not in placed and parents[n] & set(wanted) <= placed]
        if not ready:  # a cycle: validation refuses it, so keep the schema's order
            ready = [n for n in wanted if n not in placed]
        ordered.append(ready[0])
        placed.add(ready[0])
    return ordered


def scaled_schema(text: str, counts: dict[str, int]) -> str:
    """The schema with these entities' counts: a job made at a ``scale`` generates from it, so
    references draw among the parent rows the job really makes."""
    document = yaml.safe_load(text)
    for name, count in counts.items():
        document["entities"][name]["count"] = count
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def derived_count(schema: Schema, entity: str, seed: int) -> int | None:
    """The rows of an entity made in groups per parent row (``count: {per: ...}``) with this
    seed: the sum of its group sizes; None for an entity whose count is given."""
    if not isinstance(schema.entities[entity].count, PerParent):
        return None
    return entity_rows(schema, entity, seed)


def scaled_counts(schema: Schema, scale: float) -> dict[str, int]:
    """Every given count times ``scale`` (at least 1); counts per parent follow their parents."""
    return {
        name: max(1, round(entity.count * scale))
        for name, entity in schema.entities.items()
        if isinstance(entity.count, int)
    }
