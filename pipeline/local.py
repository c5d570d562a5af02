"""Generating one entity into one file on this machine, through the same shard and merge tasks
the service runs (on a ``distributed.LocalCluster`` of worker processes, or in-process)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import fsspec

from pipeline import WORKER_PRELOAD
from pipeline.capacity import uniqueness_problems
from pipeline.engine import EngineError
from pipeline.plan import DEFAULT_SHARD_ROWS, JobSpec, ShardSpec, plan_shards
from pipeline.schema.model import Schema
from pipeline.schema.parse import parse_schema
from pipeline.tasks import MergeResult, ShardResult, merge, write_shard

# Up to this many rows one worker runs in this process: a cluster costs more than it saves.
IN_PROCESS_ROWS = 4 * DEFAULT_SHARD_ROWS


def new_seed() -> int:
    return secrets.randbits(63)


def generate(
    schema: Schema | str,
    entity: str,
    count: int,
    *,
    seed: int | None = None,
    format: str = "json",
    out: str,
    workers: int = 1,
    shard_rows: int = DEFAULT_SHARD_ROWS,
    progress: bool = False,
    providers: Mapping[str, Sequence[Any]] | None = None,
    storage_options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Write ``count`` rows of ``entity`` to ``out`` (a path or fsspec URL); returns
    ``{"path", "rows", "bytes", "seed", "format", "shards"}``."""
    text = schema if isinstance(schema, str) else _schema_text(schema)
    model = parse_schema(text) if isinstance(schema, str) else schema
    if entity not in model.entities:
        raise EngineError(f"unknown entity {entity}")
    chosen = seed if seed is not None else model.seed if model.seed is not None else new_seed()
    data = {k: list(v) for k, v in (providers or {}).items()}
    problems = uniqueness_problems(model, entity, count, data)
    if problems:
        raise EngineError("; ".join(f"{p['path']}: {p['message']}" for p in problems))
    options = storage_options or {}
    fs, target = fsspec.core.url_to_fs(out, **options)
    folder, _, name = target.rpartition("/")
    root = f"{folder}/.{name}.parts-{uuid.uuid4().hex[:8]}" if folder else f".{name}.parts"
    job = JobSpec(
        job_id=uuid.uuid4().hex,
        schema_text=text,
        entity=entity,
        count=count,
        seed=chosen,
        format=format,
        root_url=fs.unstrip_protocol(root),
        storage_options=options,
        providers=data,
        shard_rows=shard_rows,
    )
    shards = plan_shards(job)
    try:
        if (workers <= 1 and count <= IN_PROCESS_ROWS) or fs.protocol in ("memory", ("memory",)):
            result = _run_here(job, shards, progress)
        else:
            result = _run_cluster(job, shards, workers, progress)
        produced = fsspec.core.url_to_fs(result.path, **options)[1]
        if fs.exists(target):
            fs.rm(target)
        fs.mv(produced, target)
    finally:
        if fs.exists(root):
            fs.rm(root, recursive=True)
    return {
        "path": out,
        "rows": result.rows,
        "bytes": int(fs.size(target)),
        "seed": chosen,
        "format": format,
        "shards": len(shards),
    }


def _schema_text(schema: Schema) -> str:
    import msgspec
    import yaml

    raw = msgspec.to_builtins(schema)
    return yaml.safe_dump(_retag(raw), sort_keys=False)


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


def _run_here(job: JobSpec, shards: list[ShardSpec], progress: bool) -> MergeResult:
    advance: Callable[[], None] = lambda: None  # noqa: E731
    if progress:
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task(f"{job.entity} ({job.count} rows)", total=len(shards))
        bar.start()
        advance = lambda: bar.advance(task)  # noqa: E731
    try:
        results: list[ShardResult] = []
        for shard in shards:
            results.append(write_shard(shard))
            advance()
        return merge(job, results)
    finally:
        if progress:
            bar.stop()


def _run_cluster(
    job: JobSpec, shards: list[ShardSpec], workers: int, progress: bool
) -> MergeResult:
    from distributed import Client, LocalCluster
    from distributed import progress as show_progress

    with (
        LocalCluster(
            n_workers=max(workers, 1),
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: another cluster may hold the usual one
            host="127.0.0.1",
            preload=[WORKER_PRELOAD],
        ) as cluster,
        Client(cluster) as client,
    ):
        if progress:
            print(f"Dask dashboard: {client.dashboard_link}", flush=True)
        futures = [
            client.submit(write_shard, s, key=f"shard-{job.job_id}-{s.index}", retries=2)
            for s in shards
        ]
        merged = client.submit(merge, job, futures, key=f"merge-{job.job_id}", retries=2)
        if progress:
            show_progress([*futures, merged])
        result: MergeResult = merged.result()
        return result
