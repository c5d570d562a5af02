"""Loading a job's rows straight into PostgreSQL with ADBC's driver (binary ``COPY`` of Arrow
batches).

Three kinds of task, each safe to run again:

- ``prepare``: create the job's tables (or check or drop them, per ``if_exists``) without
  foreign keys, parents first, and the bookkeeping table ``_drafta_loaded``.
- ``load_shard``: generate one shard and copy it in one transaction that also records the shard
  in the bookkeeping table; a shard already recorded is skipped, so a retried shard never loads
  its rows twice.
- ``complete``: add the foreign keys (PostgreSQL checks every row as it adds them), then remove
  the job's bookkeeping.

Every connection goes to the address checked when the job was submitted (libpq's ``hostaddr``),
with the host name kept for TLS.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import adbc_driver_postgresql.dbapi as pgdb
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.destinations import Destination, DestinationError, scrub, table_url
from pipeline.engine import arrow_schema, generate_batches
from pipeline.engine.uuids import parse_uuids
from pipeline.exporters.sql import create_table, foreign_keys, ident
from pipeline.plan import JobSpec, ShardSpec
from pipeline.schema.model import Schema
from pipeline.schema.parse import parse_schema
from pipeline.schema.resolved import ResolvedSchema, resolve
from pipeline.tasks import MergeResult, ShardResult
from storage.formats.text import nested_json

BOOKKEEPING = "_drafta_loaded"
SETUP = -1  # the bookkeeping row of an entity whose table ``prepare`` made ready
CONNECT_TIMEOUT = 10  # seconds


@functools.lru_cache(maxsize=32)
def _schema(text: str) -> tuple[Schema, ResolvedSchema]:
    schema = parse_schema(text)
    return schema, resolve(schema)


def connection_uri(destination: Destination) -> str:
    """The URL with the checked address as ``hostaddr``: libpq connects there and keeps the
    host name for TLS and for the server's certificate."""
    parts = urlsplit(destination.url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
    if destination.hostaddr:
        query["hostaddr"] = destination.hostaddr
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextmanager
def _connect(destination: Destination) -> Iterator[Any]:
    connection = pgdb.connect(connection_uri(destination))
    try:
        yield connection
    finally:
        connection.close()


def _table(destination: Destination, name: str) -> str:
    return f"{ident(destination.schema)}.{ident(name)}"


def _failure(destination: Destination, entity: str, rows: int, exc: BaseException) -> str:
    reason = " ".join(str(exc).split()) or type(exc).__name__
    where = f"{destination.schema}.{entity}"
    return f"loading table {where} failed after {rows} rows: {scrub(reason, destination)}"


def _exists(cursor: Any, destination: Destination, name: str) -> bool:
    cursor.execute("SELECT to_regclass($1) IS NOT NULL", (_table(destination, name),))
    return bool(cursor.fetchone()[0])


def _marked(
    cursor: Any, destination: Destination, job_id: str, entity: str, shard: int
) -> int | None:
    """The rows a shard recorded (``SETUP``: the entity's table is ready), or None."""
    cursor.execute(
        f"SELECT rows FROM {_book(destination)} WHERE job_id = $1 AND entity = $2 AND shard = $3",
        (job_id, entity, shard),
    )
    found = cursor.fetchone()
    return None if found is None else int(found[0])


def _loaded(cursor: Any, destination: Destination, job_id: str, entity: str) -> int:
    cursor.execute(
        f"SELECT coalesce(sum(rows), 0) FROM {_book(destination)} "
        "WHERE job_id = $1 AND entity = $2 AND shard >= 0",
        (job_id, entity),
    )
    return int(cursor.fetchone()[0])


def _use_schema(cursor: Any, destination: Destination) -> None:
    # Created only when missing: a user may lack the right to create schemas, and need none.
    cursor.execute("SELECT to_regnamespace($1) IS NULL", (ident(destination.schema),))
    if cursor.fetchone()[0]:
        cursor.execute(f"CREATE SCHEMA {ident(destination.schema)}")


def prepare(parts: Sequence[JobSpec]) -> None:
    """Make every table of the job ready to load, parents first, in one transaction."""
    first = parts[0]
    destination = _destination(first)
    schema, _ = _schema(first.schema_text)
    entity = first.entity
    try:
        with _connect(destination) as connection, connection.cursor() as cursor:
            _use_schema(cursor, destination)
            cursor.execute(f"SET search_path TO {ident(destination.schema)}")
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {_book(destination)} (job_id TEXT NOT NULL, "
                "entity TEXT NOT NULL, shard BIGINT NOT NULL, rows BIGINT NOT NULL, "
                "PRIMARY KEY (job_id, entity, shard))"
            )
            for part in parts:
                entity = part.entity
                if _marked(cursor, destination, part.job_id, entity, SETUP) is not None:
                    continue  # made ready by an earlier run of this job
                exists = _exists(cursor, destination, entity)
                if exists and destination.if_exists == "fail":
                    raise DestinationError(
                        f"table {destination.schema}.{entity} already exists (if_exists is "
                        '"fail": use "append" or "replace")'
                    )
                if exists and destination.if_exists == "replace":
                    cursor.execute(f"DROP TABLE {_table(destination, entity)} CASCADE")
                    exists = False
                if not exists:
                    # In the destination's schema (the search path): the DDL names tables alone.
                    columns = arrow_schema(schema, entity, seed=part.seed, providers=part.providers)
                    cursor.execute(create_table(schema, entity, "postgres", columns))
                cursor.execute(
                    f"INSERT INTO {_book(destination)} VALUES ($1, $2, $3, 0)",
                    (part.job_id, entity, SETUP),
                )
            connection.commit()
    except DestinationError:
        raise
    except Exception as exc:
        raise DestinationError(_failure(destination, entity, 0, exc)) from None


def load_shard(shard: ShardSpec) -> ShardResult:
    """Copy one shard's rows into its table, once: the shard's bookkeeping row commits with
    them, and a shard found recorded is not loaded again."""
    job = shard.job
    destination = _destination(job)
    schema, _ = _schema(job.schema_text)
    url = table_url(destination, job.entity)
    before = 0
    try:
        with _connect(destination) as connection, connection.cursor() as cursor:
            before = _loaded(cursor, destination, job.job_id, job.entity)
            # Recorded first: a second copy of this task running at once waits on the key's
            # lock, then fails, instead of loading the rows twice.
            cursor.execute(
                f"INSERT INTO {_book(destination)} VALUES ($1, $2, $3, $4) "
                "ON CONFLICT DO NOTHING RETURNING 1",
                (job.job_id, job.entity, shard.index, shard.rows),
            )
            if cursor.fetchone() is None:
                connection.rollback()
                return ShardResult(shard.index, shard.rows, 0, url)
            batches = generate_batches(
                schema, job.entity, shard.start, shard.stop, seed=job.seed, providers=job.providers
            )
            columns = _column_types(cursor, destination, job.entity)
            for batch in batches:
                cursor.adbc_ingest(
                    job.entity,
                    _for_table(batch, columns),
                    mode="append",
                    db_schema_name=destination.schema,
                )
            connection.commit()
    except Exception as exc:
        raise DestinationError(_failure(destination, job.entity, before, exc)) from None
    return ShardResult(shard.index, shard.rows, 0, url)


def complete(parts: Sequence[JobSpec]) -> list[MergeResult]:
    """Add the foreign keys, which PostgreSQL checks against every row, and drop the job's
    bookkeeping; one result per entity, naming its table."""
    first = parts[0]
    destination = _destination(first)
    _, resolved = _schema(first.schema_text)
    entity = first.entity
    results = []
    try:
        with _connect(destination) as connection, connection.cursor() as cursor:
            _use_schema(cursor, destination)
            for part in parts:
                entity = part.entity
                for column, parent, parent_column in foreign_keys(resolved, entity):
                    if not _exists(cursor, destination, parent):
                        continue  # a parent this job did not load, nor anyone before it
                    name = f"{entity}_{column}_fkey"[:63]
                    cursor.execute(
                        "SELECT 1 FROM pg_constraint WHERE conname = $1 AND conrelid = "
                        "to_regclass($2)",
                        (name, _table(destination, entity)),
                    )
                    if cursor.fetchone() is None:
                        cursor.execute(
                            f"ALTER TABLE {_table(destination, entity)} ADD CONSTRAINT "
                            f"{ident(name)} FOREIGN KEY ({ident(column)}) REFERENCES "
                            f"{_table(destination, parent)} ({ident(parent_column)})"
                        )
                results.append(MergeResult(table_url(destination, entity), part.count, 0))
            book = _book(destination)
            cursor.execute(f"DELETE FROM {book} WHERE job_id = $1", (first.job_id,))
            cursor.execute(f"SELECT count(*) FROM {book}")
            if cursor.fetchone()[0] == 0:  # no other job is loading into this schema
                cursor.execute(f"DROP TABLE {book}")
            connection.commit()
    except Exception as exc:
        # Every shard is in by now: the count is the whole table's rows of this job.
        rows = next((p.count for p in parts if p.entity == entity), 0)
        raise DestinationError(_failure(destination, entity, rows, exc)) from None
    return results


def _destination(job: JobSpec) -> Destination:
    if job.destination is None:
        raise DestinationError(f"job {job.job_id} has no destination")
    return job.destination


def _book(destination: Destination) -> str:
    return _table(destination, BOOKKEEPING)


def _column_types(cursor: Any, destination: Destination, table: str) -> dict[str, str]:
    cursor.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
        (_table(destination, table),),
    )
    return {str(name): str(kind) for name, kind in cursor.fetchall()}


def _for_table(batch: pa.RecordBatch, columns: dict[str, str]) -> pa.RecordBatch:
    """The batch in the Arrow types whose binary form PostgreSQL reads into the table's
    column types: nested values as JSON text, uuids as 16 bytes, decimals as decimals."""
    arrays = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        kind = columns.get(name, "")
        if pa.types.is_nested(column.type):
            column = nested_json(column)
        elif kind == "uuid" and pa.types.is_string(column.type):
            column = parse_uuids(column, name)
        elif kind.startswith("numeric(") and pa.types.is_floating(column.type):
            precision, scale = (int(n) for n in kind[len("numeric(") : -1].split(","))
            column = pc.round(column, scale).cast(pa.decimal128(precision, scale), safe=False)
        arrays.append(column)
    return pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
