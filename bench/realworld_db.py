"""Loading generated rows into the database a SQL script was written for, constraints on.

PostgreSQL scripts go to a throwaway PostgreSQL server (the tests' one), SQLite scripts to the
standard library's SQLite with foreign keys on. The whole script is applied as written, except
that ``VIRTUAL`` generated columns (PostgreSQL 18) are made ``STORED`` for older servers; a
statement the server refuses is not an importer problem and is only counted. Each generated
table is then loaded, parents first (``COPY`` for PostgreSQL): a rejected load is a problem.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from typing import Any

from pipeline.engine.blocks import generate_batches
from pipeline.importers.sql_derived import computed_by_database
from pipeline.plan import dependency_order
from pipeline.schema import model as m
from tests.postgres import Postgres

SEED = 20240601


def parents_first(schema: m.Schema) -> list[str]:
    return dependency_order(schema, list(schema.entities))


def _source_names(schema: m.Schema, entity: str) -> tuple[str, list[str]]:
    """The table and column names the importer read: a column's is the name its field writes
    (``output_name``), a renamed table's is kept in its description."""

    def source(name: str, description: str | None) -> str:
        found = re.search(r"source name: ([^;]+)", description or "")
        return found.group(1) if found else name

    spec = schema.entities[entity]
    columns = [
        f.output_name or source(n, f.description)
        for n, f in spec.fields.items()
        if not f.hidden and not computed_by_database(f)
    ]
    return source(entity, spec.description), columns


def _rows(schema: m.Schema, entity: str) -> Iterator[list[Any]]:
    count = schema.entities[entity].count or 200
    assert isinstance(count, int)  # imported schemas have no per-parent counts
    written = [f for f in schema.entities[entity].fields.values() if not f.hidden]
    for batch in generate_batches(schema, entity, 0, count, seed=SEED, providers={}):
        for row in batch.to_pylist():  # keyed by the names written: paired with the fields
            values = zip(written, row.values(), strict=True)
            yield [v for f, v in values if not computed_by_database(f)]


def _pg_text(value: Any, top: bool = True) -> str:
    """One value in COPY's text format (arrays as PostgreSQL array literals)."""
    if value is None:
        return "\\N" if top else "NULL"
    if isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, list):
        text = "{" + ",".join(_pg_array_item(v) for v in value) + "}"
    elif isinstance(value, dict):
        text = json.dumps(value, default=str)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        text = value.isoformat()
    elif isinstance(value, bytes):  # bytea's hex input; its backslash is escaped below
        text = "\\x" + value.hex()
    else:
        text = str(value)
    if not top:
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _pg_array_item(value: Any) -> str:
    if value is None:
        return "NULL"
    text = _pg_text(value, top=False)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Features of newer PostgreSQL servers than the one at hand, and their older equivalents: a
# VIRTUAL generated column (computed when read) is left out; loads leave generated columns out.
_NEWER = [
    (re.compile(r",\s*\n[^\n]*\bGENERATED\s+ALWAYS\s+AS\b[^\n]*\bVIRTUAL\b", re.I), ""),
    (re.compile(r"\buuidv7\(\)"), "gen_random_uuid()"),
]
# Foreign keys are checked when the load commits, so tables that reference each other (a store
# and its manager among the staff) load in one transaction, as a dump restores them.
_DEFER = """DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint WHERE contype = 'f' LOOP
    EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY DEFERRED',
                   r.t, r.conname);
  END LOOP;
END $$;"""


def postgres_problems(
    server: Postgres, database: str, script: str, schema: m.Schema
) -> tuple[list[str], list[str]]:
    """Rows the server rejects, and tables it could not create (a feature it lacks, such as
    an extension's type): those are left out of the load."""
    server.create_database(database)
    for pattern, older in _NEWER:
        script = pattern.sub(older, script)
    server.psql(database, stdin=script, stop_on_error=False)
    listed = server.psql(
        database,
        "-At",
        "-c",
        "SELECT lower(table_name), quote_ident(table_schema) || '.' || quote_ident(table_name) "
        "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
        "AND table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    tables = dict(line.split("|", 1) for line in listed.stdout.splitlines() if "|" in line)
    # Unquoted names are folded to lower case by the server: match columns without case.
    described = server.psql(
        database,
        "-At",
        "-c",
        "SELECT lower(table_name), column_name FROM information_schema.columns "
        "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
    )
    actual: dict[tuple[str, str], str] = {}
    for line in described.stdout.splitlines():
        table_name, _, column = line.partition("|")
        actual[(table_name, column.lower())] = column
    problems: list[str] = []
    missing: list[str] = []
    load = [_DEFER, "BEGIN;"]
    for entity in parents_first(schema):
        table, columns = _source_names(schema, entity)
        qualified = tables.get(table.lower())
        if qualified is None:
            missing.append(table)
            continue
        found = [actual.get((table.lower(), c.lower()), c) for c in columns]
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in found)
        load.append(f"COPY {qualified} ({names}) FROM STDIN;")
        load.extend("\t".join(_pg_text(v) for v in row) for row in _rows(schema, entity))
        load.append("\\.")
    load.append("COMMIT;")
    done = server.psql(database, stdin="\n".join(load) + "\n")
    if done.returncode:
        lines = [line for line in done.stderr.splitlines() if "ERROR" in line or "CONTEXT" in line]
        problems.append(" ".join(lines)[:240] or done.stderr[:240])
    return problems, missing


def sqlite_problems(script: str, schema: m.Schema) -> tuple[list[str], list[str]]:
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys = ON")
    try:
        db.executescript(script)
    except sqlite3.Error as exc:
        return [f"the script does not run: {exc}"], []
    problems: list[str] = []
    db.isolation_level = None
    db.execute("BEGIN")
    db.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT, as a dump restores
    for entity in parents_first(schema):
        table, columns = _source_names(schema, entity)
        names = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" for _ in columns)
        rows = [[_sqlite_value(v) for v in row] for row in _rows(schema, entity)]
        try:
            db.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        except sqlite3.Error as exc:
            problems.append(f"{table}: {exc}")
    try:
        db.execute("COMMIT")
    except sqlite3.Error as exc:
        problems.append(f"at commit: {exc}")
    return problems, []


def _sqlite_value(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str | bytes):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, default=str)
    return str(value)
