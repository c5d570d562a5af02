"""The sql format in every dialect: sqlite output loaded into SQLite, postgres output into a
real PostgreSQL server, mysql output pinned as text; every value read back equals the json
format's, and the bytes do not depend on sharding."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlglot

from pipeline.local import generate
from storage.formats.sql import STATEMENT_ROWS, SqlFormatError, text_literals
from tests.postgres import Postgres, throwaway
from tests.test_formats_types import EVERY_TYPE, PROVIDERS

TRICKY = [
    "it's",
    "back\\slash",
    "two\nlines\r\n",
    "tab\tand\x01\x1f\x1a",
    "\\'",
    "E'x'",
    "ünïcode ✓ 😀",
    "-- not a comment",
    "a;b",
    "' || char(10) || '",
    '"quoted"',
    "`tick`",
]
# JSON is YAML: the tricky strings need no YAML escaping this way (non-ASCII kept as is: YAML
# reads an escaped surrogate pair as two characters).
TRICKY_SCHEMA = json.dumps(
    {
        "version": 1,
        "seed": 3,
        "entities": {
            "Order": {
                "fields": {
                    "id": {"type": "sequence"},
                    "order": {"type": "choice", "values": TRICKY},
                    "user": {"type": "provider", "name": "words"},
                    "obj": {
                        "type": "object",
                        "fields": {"s": {"type": "choice", "values": TRICKY}},
                    },
                    "maybe": {"type": "boolean", "null_rate": 0.3},
                    "at": {"type": "datetime"},
                }
            }
        },
    },
    ensure_ascii=False,
)
ROWS = 2 * STATEMENT_ROWS + 100  # three statements, the last one short


def make(tmp_path: Path, fmt: str, dialect: str | None = None, **kw: Any) -> Path:
    out = tmp_path / f"{dialect or 'x'}-{kw.get('shard_rows', 0)}.{fmt}"
    options: dict[str, Any] = {"providers": PROVIDERS, "shard_rows": 64, **kw}
    schema = options.pop("schema", EVERY_TYPE)
    entity = options.pop("entity", "T")
    count = options.pop("count", ROWS)
    generate(schema, entity, count, format=fmt, dialect=dialect, out=str(out), **options)
    return out


def json_rows(tmp_path: Path, **kw: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(make(tmp_path, "json", **kw).read_text())
    return rows


def sqlite_rows(path: Path, table: str, key: str) -> list[dict[str, Any]]:
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(path.read_text())
    cursor = db.execute(f'SELECT * FROM "{table}" ORDER BY "{key}"')
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def as_loaded(row: dict[str, Any], nested: tuple[str, ...], flags: tuple[str, ...]) -> dict:
    """A json row as a database gives it back: nested values as JSON text read back, booleans
    as 0/1 (SQLite) or true/false, datetimes as instants."""
    out = dict(row)
    for name in nested:
        out[name] = json.loads(out[name]) if isinstance(out[name], str) else out[name]
    for name in flags:
        out[name] = None if out[name] is None else bool(out[name])
    for name, value in out.items():
        if isinstance(value, str) and value.endswith(("Z", "+00:00")) and value[:2] in ("19", "20"):
            out[name] = dt.datetime.fromisoformat(value)
    return out


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with throwaway() as server:
        yield server


def load(server: Postgres, database: str, path: Path) -> None:
    server.create_database(database)
    done = server.psql(database, "-f", str(path))
    assert done.returncode == 0, done.stderr


def query_json(server: Postgres, database: str, sql: str) -> Any:
    """The one JSON value a query returns, decoded."""
    done = server.psql(database, "-A", "-t", "-c", sql)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_sqlite_dialect_loads_with_foreign_keys_on_and_keeps_every_value(tmp_path: Path) -> None:
    path = make(tmp_path, "sql", "sqlite")
    text = path.read_text()
    assert text.count("INSERT INTO ") == 3
    assert text.count(");\n") == 1 + 3  # the CREATE TABLE and each statement's last row
    loaded = sqlite_rows(path, "T", "seq")
    expected = json_rows(tmp_path)
    assert len(loaded) == ROWS
    flags = ("flag",)
    assert [as_loaded(r, ("obj", "arr"), flags) for r in loaded] == [
        as_loaded(r, (), flags) for r in expected
    ]


def test_sqlite_dialect_keeps_quotes_backslashes_and_control_characters(tmp_path: Path) -> None:
    kw = {"schema": TRICKY_SCHEMA, "entity": "Order", "providers": {"words": TRICKY}}
    loaded = sqlite_rows(make(tmp_path, "sql", "sqlite", **kw), "Order", "id")
    expected = json_rows(tmp_path, **kw)
    assert {r["order"] for r in loaded} == set(TRICKY)
    flags = ("maybe",)
    assert [as_loaded(r, ("obj",), flags) for r in loaded] == [
        as_loaded(r, (), flags) for r in expected
    ]


def test_postgres_dialect_loads_into_postgresql(tmp_path: Path, postgres: Postgres) -> None:
    load(postgres, "every_type", make(tmp_path, "sql", "postgres"))
    loaded = query_json(postgres, "every_type", 'SELECT json_agg(t ORDER BY seq) FROM "T" t')
    expected = json_rows(tmp_path)
    assert len(loaded) == ROWS
    assert [as_loaded(r, (), ()) for r in loaded] == [as_loaded(r, (), ()) for r in expected]
    key = query_json(
        postgres,
        "every_type",
        "SELECT json_agg(a.attname) FROM pg_index i JOIN pg_attribute a "
        "ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        """WHERE i.indrelid = '"T"'::regclass AND i.indisprimary""",
    )
    assert key == ["seq"]


def test_postgres_dialect_keeps_quotes_backslashes_and_control_characters(
    tmp_path: Path, postgres: Postgres
) -> None:
    kw = {"schema": TRICKY_SCHEMA, "entity": "Order", "providers": {"words": TRICKY}}
    load(postgres, "tricky", make(tmp_path, "sql", "postgres", **kw))
    loaded = query_json(postgres, "tricky", 'SELECT json_agg(t ORDER BY id) FROM "Order" t')
    expected = json_rows(tmp_path, **kw)
    assert {r["order"] for r in loaded} == set(TRICKY)
    assert [as_loaded(r, (), ()) for r in loaded] == [as_loaded(r, (), ()) for r in expected]


def test_postgres_text_cannot_hold_nul_and_says_which_column() -> None:
    with pytest.raises(SqlFormatError, match=r"NUL character \(column note\)"):
        text_literals(pa.array(["a\x00b"]), "postgres", "note")
    assert text_literals(pa.array(["a\x00b"]), "mysql").to_pylist() == ["'a\\0b'"]
    sqlite = text_literals(pa.array(["a\x00b"]), "sqlite").to_pylist()
    assert sqlite == ["'a' || char(0) || 'b'"]
    assert sqlite3.connect(":memory:").execute(f"SELECT {sqlite[0]}").fetchone() == ("a\x00b",)


SMALL = """
seed: 5
entities:
  User:
    fields:
      id: {type: sequence}
      note: {type: choice, values: ["it's", "a\\\\b", "x\\ny"]}
      ok: {type: boolean, null_rate: 0.5}
      at: {type: datetime, start: 2021-01-01T00:00:00Z, end: 2021-12-31T00:00:00Z}
      day: {type: date, start: 2021-01-01, end: 2021-12-31}
      price: {type: float, min: 0, max: 10, decimals: 2}
      tags: {type: array, of: {type: choice, values: [x]}, min_items: 1, max_items: 1}
"""

MYSQL_DDL = r"""CREATE TABLE `User` (
  `id` BIGINT NOT NULL PRIMARY KEY,
  `note` VARCHAR(4) NOT NULL CHECK (`note` IN ('it''s', 'a\\b', 'x\ny')),
  `ok` BOOLEAN,
  `at` DATETIME(6) NOT NULL,
  `day` DATE NOT NULL,
  `price` DECIMAL(4, 2) NOT NULL CHECK (`price` BETWEEN 0.0 AND 10.0),
  `tags` JSON NOT NULL
);

"""
MYSQL_ROWS = (
    "INSERT INTO `User` (`id`, `note`, `ok`, `at`, `day`, `price`, `tags`) VALUES "
    r"""(1, 'x\ny', FALSE, '2021-06-23 16:26:42.328055', '2021-08-23', 1.1, '["x"]'),"""
    "\n"
    r"""(2, 'it''s', NULL, '2021-03-28 19:18:42.985831', '2021-10-02', 0.07, '["x"]'),"""
    "\n"
    r"""(3, 'x\ny', FALSE, '2021-07-06 11:59:39.478302', '2021-08-13', 7.06, '["x"]');"""
    "\n"
)


def test_mysql_dialect_text_is_exact(tmp_path: Path) -> None:
    path = make(tmp_path, "sql", "mysql", schema=SMALL, entity="User", count=3, providers={})
    assert path.read_text() == MYSQL_DDL + MYSQL_ROWS


def test_mysql_dialect_of_every_type_parses_as_mysql(tmp_path: Path) -> None:
    text = make(tmp_path, "sql", "mysql", count=1100).read_text()
    statements = [s for s in sqlglot.parse(text, read="mysql") if s is not None]
    assert [type(s).__name__ for s in statements] == ["Create", "Insert", "Insert"]


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "sqlite"])
def test_sql_bytes_do_not_depend_on_sharding(tmp_path: Path, dialect: str) -> None:
    one = make(tmp_path, "sql", dialect, count=300, shard_rows=1_048_576).read_bytes()
    five = make(tmp_path, "sql", dialect, count=300, shard_rows=64).read_bytes()
    assert one == five
    assert one.count(b"INSERT INTO") == 1


def test_a_dialect_needs_the_sql_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dialect applies to the sql format only"):
        make(tmp_path, "csv", "sqlite", count=3)
    with pytest.raises(ValueError, match="unknown SQL dialect 'oracle'"):
        make(tmp_path, "sql", "oracle", count=3)


def test_fields_the_schema_leaves_untyped_take_their_values_type(tmp_path: Path) -> None:
    schema = """
seed: 1
entities:
  P:
    fields:
      year: datetime.year
      level: {type: provider, name: levels}
      word: {type: provider, name: words}
"""
    kw = {"schema": schema, "entity": "P", "count": 5}
    providers = {"levels": [1, 2, 3], "words": ["a"]}
    text = make(tmp_path, "sql", "sqlite", providers=providers, **kw).read_text()
    assert text.startswith(
        'CREATE TABLE "P" (\n'
        '  "year" BIGINT NOT NULL,  -- datetime.year\n'
        '  "level" BIGINT NOT NULL,  -- provider levels\n'
        '  "word" TEXT NOT NULL  -- provider words\n'
        ");\n\n"
    )


def test_a_dataset_of_several_entities_loads_file_by_file_in_one_database(tmp_path: Path) -> None:
    from pipeline.local import generate_dataset
    from tests.jobhelpers import PEOPLE

    written = generate_dataset(
        PEOPLE, None, str(tmp_path), scale=0.1, format="sql", dialect="sqlite", shard_rows=64
    )
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA foreign_keys=ON")
    for file in written:
        db.executescript(Path(file["path"]).read_text())
    counts = [db.execute(f'SELECT count(*) FROM "{f["entity"]}"').fetchone()[0] for f in written]
    assert [(f["entity"], n) for f, n in zip(written, counts, strict=True)] == [
        ("Customer", 100),
        ("Order", 300),
    ]
    # The child's table declares its key to the parent loaded before it in the same job.
    keys = db.execute('SELECT "table", "from", "to" FROM pragma_foreign_key_list(\'Order\')')
    assert keys.fetchall() == [("Customer", "customer_id", "id")]


def test_a_dataset_in_postgres_declares_and_keeps_its_foreign_keys(
    tmp_path: Path, postgres: Postgres
) -> None:
    from pipeline.local import generate_dataset
    from tests.jobhelpers import PEOPLE

    written = generate_dataset(
        PEOPLE, ["Order", "Customer"], str(tmp_path), scale=0.1, format="sql", shard_rows=64
    )
    assert [f["entity"] for f in written] == ["Customer", "Order"]
    postgres.create_database("shop")
    for file in written:
        done = postgres.psql("shop", "-v", "ON_ERROR_STOP=1", "-f", file["path"])
        assert done.returncode == 0, done.stderr
    keys = postgres.psql(
        "shop",
        "-A",
        "-t",
        "-c",
        "SELECT conrelid::regclass, confrelid::regclass FROM pg_constraint WHERE contype = 'f'",
    )
    assert keys.stdout.split() == ['"Order"|"Customer"']
