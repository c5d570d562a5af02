"""Generating one entity into one file on this machine, through the executors the service uses:
in this process with one worker, on a ``distributed.LocalCluster`` of worker processes with
more (``workers`` > 1)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

import fsspec
import msgspec
import yaml

from pipeline import WORKER_PRELOAD
from pipeline.capacity import uniqueness_problems
from pipeline.engine import EngineError
from pipeline.executor import Executor
from pipeline.executor.inprocess import InProcessExecutor
from pipeline.lifecycle import Event, ShardDone
from pipeline.plan import (
    DEFAULT_SHARD_ROWS,
    JobSpec,
    check_format,
    choose_seed,
    dependency_order,
    derived_count,
    entity_specs,
    plan_shards,
    scaled_counts,
    scaled_schema,
)
from pipeline.schema.model import Schema
from pipeline.schema.parse import SchemaError, parse_schema
from pipeline.tasks import MergeResult


def generate(
    schema: Schema | str,
    entity: str,
    count: int | None,
    *,
    seed: int | None = None,
    format: str = "json",
    dialect: str | None = None,
    out: str,
    workers: int = 1,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    progress: bool = False,
    providers: Mapping[str, Sequence[Any]] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``count`` rows of ``entity`` to ``out`` (a path or fsspec URL); returns
    ``{"path", "rows", "bytes", "seed", "format", "shards"}``. ``dialect`` is the sql format's
    (postgres, its default, mysql or sqlite) and refused with any other format. An entity made
    in groups per parent row has the count its groups sum to: ``count`` may be None, or must
    equal it."""
    (written,) = generate_files(
        schema,
        [(entity, count, out)],
        seed=seed,
        format=format,
        dialect=dialect,
        workers=workers,
        shard_rows=shard_rows,
        progress=progress,
        providers=providers,
        storage_options=storage_options,
    )
    return written


def generate_dataset(
    schema: Schema | str,
    entities: Sequence[str] | None,
    out: str,
    *,
    scale: float = 1.0,
    **options: Any,
) -> list[dict[str, Any]]:
    """Every entity named (None: all of them) into the folder ``out``, as ``{entity}.{format}``,
    each with its schema ``count`` times ``scale``, parents before children: each file equals a
    one-entity job of it with the same seed. Takes ``generate``'s keyword options."""
    model = _model(schema)
    names = list(model.entities) if entities is None else list(entities)
    for name in names:
        if name not in model.entities:
            raise EngineError(f"unknown entity {name}")
        if model.entities[name].count is None:
            raise EngineError(f"entity {name} has no count in the schema")
    fmt = options.get("format", "json")
    folder = out.rstrip("/")
    if scale != 1:
        # Every count is scaled in the schema itself, so references and groups per parent
        # draw among the parent rows this job really makes.
        schema = scaled_schema(_text(schema), scaled_counts(model, scale))
        model = _model(schema)
    counts = scaled_counts(model, 1.0)
    wanted: list[tuple[str, int | None, str]] = [
        (n, counts.get(n), f"{folder}/{n}.{fmt}") for n in dependency_order(model, names)
    ]
    return generate_files(schema, wanted, **options)


def generate_files(
    schema: Schema | str,
    wanted: Sequence[tuple[str, int | None, str]],
    *,
    seed: int | None = None,
    format: str = "json",
    dialect: str | None = None,
    workers: int = 1,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    progress: bool = False,
    providers: Mapping[str, Sequence[Any]] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Each (entity, count, output path or URL) of ``wanted``, as one job."""
    dialect = check_format(format, dialect)
    text = _text(schema)
    model = _model(schema)
    chosen = choose_seed(seed, model.seed)
    data = {k: list(v) for k, v in (providers or {}).items()}
    made = [(e, _count(model, e, c, chosen), out) for e, c, out in wanted]
    for entity, count, _ in made:
        problems = uniqueness_problems(model, entity, count, data)
        if problems:
            raise SchemaError(problems)
    options = storage_options or {}
    job_id = uuid.uuid4().hex
    places, entities = [], []
    for entity, count, out in made:
        fs, target = fsspec.core.url_to_fs(out, **options)
        folder, _, name = target.rpartition("/")
        root = f"{folder}/.{name}.parts-{job_id[:8]}" if folder else f".{name}.parts"
        places.append((fs, target, root))
        entities.append((entity, count, fs.unstrip_protocol(root)))
    job = JobSpec(
        job_id=job_id,
        schema_text=text,
        entity="",
        count=0,
        seed=chosen,
        format=format,
        dialect=dialect,
        root_url="",
        storage_options=options,
        providers=data,
        shard_rows=shard_rows,
    )
    parts = entity_specs(job, entities)
    shards = [len(plan_shards(part)) for part in parts]
    # A cluster's worker processes cannot see this process's memory:// files.
    in_memory = any(fs.protocol in ("memory", ("memory",)) for fs, _, _ in places)
    # One worker does the same work in this process as in a cluster's one worker process, less
    # the seconds a cluster takes to start (docs/performance.md).
    here = workers <= 1 or in_memory
    try:
        results = _wait(_run(parts, sum(shards), workers, here, progress))
        for (fs, target, _), result in zip(places, results, strict=True):
            produced = fsspec.core.url_to_fs(result.path, **options)[1]
            if fs.exists(target):
                fs.rm(target)
            fs.mv(produced, target)
    finally:
        for fs, _, root in places:
            if fs.exists(root):
                fs.rm(root, recursive=True)
    return [
        {
            "path": out,
            "entity": entity,
            "rows": result.rows,
            "bytes": int(fs.size(target)),
            "seed": chosen,
            "format": format,
            "shards": count,
        }
        for (entity, _, out), (fs, target, _), result, count in zip(
            made, places, results, shards, strict=True
        )
    ]


def _count(model: Schema, entity: str, count: int | None, seed: int) -> int:
    """The rows to make: the count asked for, checked against the groups of an entity made
    per parent row."""
    if entity not in model.entities:
        raise EngineError(f"unknown entity {entity}")
    derived = derived_count(model, entity, seed)
    if derived is None:
        if count is None:
            raise EngineError(f"{entity} needs a count")
        return count
    if count is not None and count != derived:
        raise EngineError(
            f"{entity} is made in groups per parent row: with seed {seed} it has {derived} "
            f"rows, not {count}; leave the count out"
        )
    return derived


def _text(schema: Schema | str) -> str:
    return schema if isinstance(schema, str) else _schema_text(schema)


def _model(schema: Schema | str) -> Schema:
    return parse_schema(schema) if isinstance(schema, str) else schema


async def _run(
    parts: list[JobSpec], shards: int, workers: int, here: bool, progress: bool
) -> list[MergeResult]:
    executor: Executor
    if here:
        executor = InProcessExecutor()
    else:
        # Imported here: distributed takes a sixth of a second to import, which a run in this
        # process never needs.
        from pipeline.executor.dask import DaskExecutor

        executor = DaskExecutor(await LocalSource.start(workers))
        if progress:
            print(f"Dask dashboard: {executor.dashboard_link}", flush=True)
    try:
        title = ", ".join(f"{p.entity} ({p.count} rows)" for p in parts)
        with _progress_bar(title, shards, progress) as advance:
            return await executor.run(parts, advance)
    finally:
        await executor.close()


class _NoBar:
    def __enter__(self) -> Callable[[Event], None]:
        return lambda event: None

    def __exit__(self, *exc: object) -> None:
        return None


class _Bar:
    def __init__(self, title: str, total: int) -> None:
        from rich.progress import Progress

        self.bar = Progress(transient=True)
        self.task = self.bar.add_task(title, total=total)

    def __enter__(self) -> Callable[[Event], None]:
        self.bar.start()
        return self.advance

    def advance(self, event: Event) -> None:
        if isinstance(event, ShardDone):
            self.bar.advance(self.task)

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _progress_bar(title: str, total: int, shown: bool) -> _Bar | _NoBar:
    return _Bar(title, total) if shown else _NoBar()


class LocalSource:
    """A ``distributed.LocalCluster`` of worker processes on this machine, for one run."""

    def __init__(self, cluster: Any, client: Any) -> None:
        self._cluster = cluster
        self._client = client
        self.address: str = cluster.scheduler_address
        self.dashboard_link: str | None = cluster.dashboard_link

    @classmethod
    async def start(cls, workers: int) -> LocalSource:
        from distributed import Client, LocalCluster

        cluster = await LocalCluster(
            n_workers=max(workers, 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: another cluster may hold the usual one
            host="127.0.0.1",
            preload=[WORKER_PRELOAD],
            asynchronous=True,
        )
        client = await Client(cluster, asynchronous=True)
        return cls(cluster, client)

    @property
    def running(self) -> bool:
        return bool(self._client.status == "running")

    async def client(self) -> Any:
        return self._client

    async def close(self) -> None:
        await self._client.close()
        await self._cluster.close()


def _wait(work: Coroutine[Any, Any, list[MergeResult]]) -> list[MergeResult]:
    """Run ``work`` to its end from synchronous code, also where an event loop already runs
    in this thread (a notebook's kernel)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def _schema_text(schema: Schema) -> str:
    return yaml.safe_dump(_retag(msgspec.to_builtins(schema)), sort_keys=False)


def _retag(node: Any) -> Any:
    """Builtins of the model back to the schema language (mimesis fields by their method)."""
    if isinstance(node, dict):
        out = {k: _retag(v) for k, v in node.items()}
        if out.get("type") == "mimesis":
            out["type"] = out.pop("method")
        return out
    if isinstance(node, list):
        return [_retag(v) for v in node]
    return node
