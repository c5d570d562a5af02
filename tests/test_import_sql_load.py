"""Imported SQL gives rows the source database accepts: DDL applied to a real database with
every constraint on, each generated table loaded into it, parents first, zero rows rejected."""

from __future__ import annotations

import csv
import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.engine.blocks import arrow_schema, generate_batches
from pipeline.importers import convert_with_warnings
from pipeline.importers.sql_derived import computed_by_database
from pipeline.plan import dependency_order
from pipeline.schema import load_schema
from pipeline.schema import model as m
from storage.formats.csv import write_csv
from tests.postgres import Postgres

LOAD = Path(__file__).parent / "corpus" / "load"
SEED = 7
ROWS = 300  # rows per table at most: enough to hit every key and check, fast to load


def _small(text: str) -> str:
    return re.sub(
        r"^(    count: )(\d+)$", lambda g: f"{g[1]}{min(int(g[2]), ROWS)}", text, flags=re.M
    )


def _parents_first(schema: m.Schema) -> list[str]:
    return dependency_order(schema, list(schema.entities))


def _csv(schema: m.Schema, entity: str) -> str:
    count = schema.entities[entity].count or ROWS
    assert isinstance(count, int)  # imported schemas have no per-parent counts
    out = io.BytesIO()
    batches = generate_batches(schema, entity, 0, count, seed=SEED, providers={})
    write_csv(
        batches, out, schema=arrow_schema(schema, entity, seed=SEED, providers={}), with_header=True
    )
    # The database computes generated columns and refuses values for them.
    fields = schema.entities[entity].fields
    rows = list(csv.reader(io.StringIO(out.getvalue().decode())))
    kept = [i for i, n in enumerate(rows[0]) if not computed_by_database(fields[n])]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([[r[i] for i in kept] for r in rows])
    return text.getvalue()


def _load(postgres: Postgres, database: str, ddl: str, schema: m.Schema) -> dict[str, int]:
    """Apply ``ddl`` to a new database and COPY every generated table into it, parents first;
    the rows each table holds afterwards."""
    postgres.create_database(database)
    applied = postgres.psql(database, stdin=ddl)
    assert applied.returncode == 0, applied.stderr
    loaded = {}
    for entity in _parents_first(schema):
        written = [
            f.output_name or n
            for n, f in schema.entities[entity].fields.items()
            if not f.hidden and not computed_by_database(f)
        ]
        columns = ", ".join(f'"{c}"' for c in written)
        copy = f'\\copy public."{entity}" ({columns}) FROM STDIN WITH (FORMAT csv, HEADER true)'
        done = postgres.psql(database, "-c", copy, stdin=_csv(schema, entity))
        assert done.returncode == 0, f"{entity}: {done.stderr}"
        # ONLY: an INHERITS parent's own rows; a partitioned table's rows are its partitions'.
        table = f'public."{entity}"'
        count = (
            f"SELECT CASE WHEN relkind = 'p' THEN (SELECT count(*) FROM {table}) "
            f"ELSE (SELECT count(*) FROM ONLY {table}) END FROM pg_class "
            f"WHERE oid = '{table}'::regclass"
        )
        counted = postgres.psql(database, "-At", "-c", count)
        loaded[entity] = int(counted.stdout)
    return loaded


def _import_and_load(postgres: Postgres, name: str) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """The script ``LOAD/<name>_pg_dump.sql`` imported, generated and loaded into database
    ``name``: the rows each table holds, and the importer's warnings."""
    ddl = (LOAD / f"{name}_pg_dump.sql").read_text()
    yaml_text, warnings = convert_with_warnings(ddl, "sql")
    return _load(postgres, name, ddl, load_schema(_small(yaml_text))), warnings


def test_pg_dump_script_loads_into_postgresql_with_every_constraint_on(postgres: Postgres) -> None:
    loaded, warnings = _import_and_load(postgres, "club")
    assert loaded == {
        "country": 300, "city": 300, "member": 300, "member_detail": 300, "membership": 300,
        "event": 300, "event_2024": 300, "payment": 300,
    }  # fmt: skip
    assert not [w for w in warnings if "doubled" in w["message"]]
    # The generated column is computed by the database; the file's expression agrees.
    differ = postgres.psql(
        "club", "-At", "-c", "SELECT count(*) FROM member WHERE doubled <> balance * 2"
    )
    assert differ.stdout.split() == ["0"]


def test_composite_keys_load_into_postgresql_and_parents_repeat(postgres: Postgres) -> None:
    """Keys over several columns: each row's columns are one parent row's key, and a link
    table's pairs are unique while each side repeats."""
    loaded, _ = _import_and_load(postgres, "school")
    assert loaded == {
        "room": 300, "subject": 300, "teacher": 300, "pupil": 300, "class": 300,
        "teaching": 300, "enrolment": 300, "favourite": 300,
    }  # fmt: skip
    most = postgres.psql(
        "school",
        "-At",
        "-c",
        "SELECT (SELECT max(n) FROM (SELECT count(*) AS n FROM favourite GROUP BY pupil_id) p) "
        "> 1, (SELECT max(n) FROM (SELECT count(*) AS n FROM teaching GROUP BY code, term, "
        "year) c) > 1, (SELECT count(*) FROM class WHERE building IS NOT NULL) > 200",
    )
    assert most.stdout.split() == ["t|t|t"]


SQLITE_DDL = """
PRAGMA foreign_keys = ON;
CREATE TABLE language (
  language_id INTEGER PRIMARY KEY AUTOINCREMENT,
  name CHAR(20) NOT NULL CHECK (length(name) <= 20)
);
CREATE TABLE film (
  film_id INTEGER NOT NULL,
  title VARCHAR(25) NOT NULL CHECK (length(title) <= 25),
  description BLOB SUB_TYPE TEXT DEFAULT NULL,
  language_id SMALLINT NOT NULL,
  rating VARCHAR(10) DEFAULT 'G' CHECK (rating IN ('G','PG','PG-13','R','NC-17')),
  length SMALLINT CHECK (length BETWEEN 1 AND 300),
  rental_rate DECIMAL(4,2) NOT NULL CHECK (rental_rate >= 0 AND rental_rate < 100),
  PRIMARY KEY (film_id),
  CONSTRAINT fk_film_language FOREIGN KEY (language_id) REFERENCES language (language_id)
);
CREATE TABLE film_text (
  film_id INTEGER NOT NULL PRIMARY KEY REFERENCES film (film_id),
  body TEXT
);
CREATE TABLE film_actor (
  actor_name VARCHAR(45) NOT NULL CHECK (length(actor_name) <= 45),
  film_id INTEGER NOT NULL REFERENCES film (film_id),
  PRIMARY KEY (actor_name, film_id)
);
CREATE UNIQUE INDEX film_title_idx ON film (title);
CREATE TRIGGER film_touch AFTER UPDATE ON film FOR EACH ROW
BEGIN
  UPDATE film SET length = length WHERE film_id = NEW.film_id;
END;
CREATE VIEW film_list AS SELECT film_id, title FROM film;
"""


def _rows(schema: m.Schema, entity: str) -> Iterator[tuple[object, ...]]:
    count = schema.entities[entity].count or ROWS
    assert isinstance(count, int)  # imported schemas have no per-parent counts
    for batch in generate_batches(schema, entity, 0, count, seed=SEED, providers={}):
        for row in batch.to_pylist():
            yield tuple(
                str(v) if not isinstance(v, int | float | str | None) else v for v in row.values()
            )


def test_sqlite_script_loads_with_foreign_keys_on(tmp_path: Path) -> None:
    yaml_text, warnings = convert_with_warnings(SQLITE_DDL, "sql")
    assert yaml_text.startswith("# Imported from SQL (sqlite)")
    # PRAGMA, the three length CHECKs (VARCHAR lengths keep them), the trigger, the view.
    assert [w["line"] for w in warnings] == [2, 3, 7, 22, 28, 32]
    assert warnings[1]["message"] == (
        "language.name: CHECK (LENGTH(name) <= 20) is kept as text, not enforced"
    )
    schema = load_schema(_small(yaml_text))
    db = sqlite3.connect(tmp_path / "films.db")
    db.executescript(SQLITE_DDL)
    assert db.execute("PRAGMA foreign_keys").fetchone() == (1,)
    for entity in _parents_first(schema):
        names = list(schema.entities[entity].fields)
        marks = ", ".join("?" for _ in names)
        db.executemany(
            f"INSERT INTO {entity} ({', '.join(names)}) VALUES ({marks})", _rows(schema, entity)
        )
    db.commit()
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in schema.entities}
    assert counts == {"language": 300, "film": 300, "film_text": 300, "film_actor": 300}
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []


DERIVED_DDL = """
CREATE TABLE item (
  id serial PRIMARY KEY,
  price numeric(8,2) NOT NULL CHECK (price >= 0),
  qty integer NOT NULL CHECK (qty BETWEEN 1 AND 20),
  total numeric(10,2) GENERATED ALWAYS AS (price * qty) STORED,
  name varchar(30) NOT NULL,
  label text GENERATED ALWAYS AS (upper(name) || '#' || qty) STORED,
  digest text GENERATED ALWAYS AS (md5(name)) STORED,
  starts_on date NOT NULL,
  ends_on date,
  low_price numeric(6,2) CHECK (low_price >= 0),
  high_price numeric(6,2) CHECK (high_price <= 5000),
  opened timestamp NOT NULL,
  closed timestamp NOT NULL,
  first_lap integer NOT NULL CHECK (first_lap >= 1),
  last_lap smallint NOT NULL,
  deposit numeric(8,2) NOT NULL CHECK (deposit >= 10),
  cap numeric(4,2),
  CHECK (cap > deposit),
  CHECK (ends_on > starts_on),
  CHECK (high_price >= low_price),
  CONSTRAINT item_open CHECK (opened < closed),
  CONSTRAINT item_laps CHECK (first_lap <= last_lap)
);
"""


def test_generated_columns_and_two_column_checks_load_into_postgresql(
    postgres: Postgres,
) -> None:
    """Generated columns carry the values PostgreSQL computes; CHECKs between two columns
    hold on every row (the load is refused otherwise)."""
    yaml_text, warnings = convert_with_warnings(DERIVED_DDL, "sql")
    assert warnings == [
        {
            "line": 2,
            "message": "item.digest: generated column left out (its expression (md5(name)) "
            "cannot be computed: md5() is not a function of the expression language)",
        }
    ]
    schema = load_schema(_small(yaml_text))
    fields = schema.entities["item"].fields
    assert [n for n, f in fields.items() if isinstance(f, m.Expression)] == [
        "ends_on", "high_price", "closed", "last_lap", "cap", "total", "label",
    ]  # fmt: skip
    assert _load(postgres, "derived", DERIVED_DDL, schema) == {"item": 300}
    stored = postgres.psql(
        "derived", "-At", "-F", "|", "-c", "SELECT id, total, label FROM item ORDER BY id"
    )
    ours = [
        f"{row['id']}|{row['total']:.2f}|{row['label']}"
        for batch in generate_batches(schema, "item", 0, 300, seed=SEED, providers={})
        for row in batch.to_pylist()
    ]
    assert stored.stdout.splitlines() == ours
    kept = postgres.psql(
        "derived",
        "-At",
        "-c",
        "SELECT count(ends_on), count(*) FILTER (WHERE high_price > low_price), "
        "count(*) FILTER (WHERE closed > opened), count(*) FILTER (WHERE last_lap >= first_lap), "
        "count(*) FILTER (WHERE cap > deposit) FROM item",
    )
    assert kept.stdout.split("|")[2:] == ["300", "300", "300\n"]
    assert int(kept.stdout.split("|")[0]) > 200
    assert int(kept.stdout.split("|")[1]) > 200
