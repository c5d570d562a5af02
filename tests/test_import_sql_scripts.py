"""Whole SQL scripts as dumps and clients write them: statements cut right, the irrelevant and
the unreadable skipped with warnings naming their line, the dialect recognised or given."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pipeline.engine.blocks import generate_batches
from pipeline.importers import convert_with_warnings
from pipeline.importers.sql_statements import split_statements
from pipeline.importers.sql_tables import detect_dialect
from pipeline.schema import SchemaError, load_schema
from pipeline.schema import model as m

LOAD = Path(__file__).parent / "corpus" / "load"


def _fields(yaml_text: str, entity: str) -> dict[str, m.Field]:
    return load_schema(yaml_text).entities[entity].fields


def _without_warnings(script: str) -> m.Schema:
    """The schema imported from ``script``, which must give no warning."""
    text, warnings = convert_with_warnings(script, "sql")
    assert warnings == []
    return load_schema(text)


def test_statements_are_cut_as_a_client_would() -> None:
    script = (
        "SELECT 'a;b' AS x; -- a ; in a comment\n"
        "source load_departments.dump ;\n"
        "DELIMITER //\n"
        "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\n"
        "DELIMITER ;\n"
        "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
        "CREATE TABLE t (a INT)\n"
        "GO\n"
        "/* a ; in a block\n comment */ CREATE TABLE u (b INT);\n"
    )
    cut = [(s.line, s.text.split()[0:2]) for s in split_statements(script)]
    assert cut == [
        (1, ["SELECT", "'a;b'"]),
        (2, ["source", "load_departments.dump"]),
        (4, ["CREATE", "PROCEDURE"]),
        (6, ["CREATE", "FUNCTION"]),
        (7, ["CREATE", "TABLE"]),
        (10, ["CREATE", "TABLE"]),
    ]


def test_one_unreadable_statement_costs_only_that_statement() -> None:
    script = (
        "CREATE TABLE a (id INT PRIMARY KEY);\n"
        "CREATE TABLE b (id INT, x VARCHAR(10 NOT NULL);\n"
        "CREATE TABLE c (id INT PRIMARY KEY, a_id INT REFERENCES a(id));\n"
    )
    text, warnings = convert_with_warnings(script, "sql")
    assert list(load_schema(text).entities) == ["a", "c"]
    assert len(warnings) == 1
    assert warnings[0]["line"] == 2
    assert warnings[0]["message"].startswith(
        "skipped CREATE TABLE b: cannot read it (line 2, column"
    )


def test_nothing_readable_is_an_error_with_the_line() -> None:
    with pytest.raises(SchemaError) as caught:
        convert_with_warnings(
            "SELECT 1;\nCREATE TABLE t (\n a INT,\n b VARCHAR(10 NOT NULL\n)", "sql"
        )
    problem = caught.value.problems[0]
    assert problem["line"] == 4
    assert "line 4, column" in problem["message"]


@pytest.mark.parametrize(
    ("script", "dialect"),
    [
        ("CREATE TABLE t (id INT NOT NULL IDENTITY, PRIMARY KEY (id))\nGO\n", "tsql"),
        ("CREATE TABLE t (id INT) ;\nALTER TABLE t OWNER TO app;", "postgres"),
        ("CREATE TABLE `t` (id INT AUTO_INCREMENT PRIMARY KEY) ENGINE=InnoDB;", "mysql"),
        ("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT);", "sqlite"),
        ("CREATE TABLE t (id INTEGER NOT NULL);", "ansi"),
    ],
)
def test_dialect_is_recognised(script: str, dialect: str) -> None:
    assert detect_dialect(script) == dialect
    assert convert_with_warnings(script, "sql").text.startswith(f"# Imported from SQL ({dialect})")


def test_dialect_can_be_given() -> None:
    text, _ = convert_with_warnings("CREATE TABLE t (id INTEGER NOT NULL);", "sql", "mysql")
    assert text.startswith("# Imported from SQL (mysql)")
    with pytest.raises(SchemaError, match="unknown SQL dialect 'oracle'"):
        convert_with_warnings("CREATE TABLE t (id INT);", "sql", "oracle")


def test_sql_server_script_with_go_identity_and_default_constraints() -> None:
    script = (
        "CREATE DATABASE shop;\nGO\nUSE shop;\n"
        "CREATE TABLE store (\n  store_id INT NOT NULL IDENTITY ,\n"
        "  manager VARCHAR(20) NOT NULL,\n"
        "  grade VARCHAR(2) CHECK (grade IN ('A','B')),\n"
        "  PRIMARY KEY NONCLUSTERED (store_id)\n)\nGO\n"
        " ALTER TABLE store ADD CONSTRAINT [DF_store_grade] DEFAULT ('A') FOR grade\nGO\n"
    )
    text, warnings = convert_with_warnings(script, "sql")
    fields = _fields(text, "store")
    assert fields["store_id"] == m.Sequence()
    assert fields["grade"] == m.Choice(
        values=["A", "B"], null_rate=0.1, description="VARCHAR(2); DEFAULT ('A')"
    )
    assert [w["line"] for w in warnings] == [1, 3]


def test_mysql_key_widths_and_declared_types_win_over_names() -> None:
    script = (
        "CREATE TABLE `language` (\n"
        "  `language_id` TINYINT UNSIGNED NOT NULL AUTO_INCREMENT,\n"
        "  `name` CHAR(20) NOT NULL,\n  PRIMARY KEY (`language_id`)\n) ENGINE=InnoDB;\n"
        "CREATE TABLE `meal` (\n  `id` SMALLINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n"
        "  `t_meal_time` CHAR(20),\n  `email` VARCHAR(20) NOT NULL UNIQUE,\n"
        "  `city` VARCHAR(12),\n  `level` TINYINT NOT NULL,\n  `released` YEAR NOT NULL,\n"
        "  `extras` SET('Trailers','Commentaries') NOT NULL\n);\n"
    )
    schema = load_schema(convert_with_warnings(script, "sql").text)
    assert schema.entities["language"].count == 255
    meal = schema.entities["meal"]
    assert meal.count == 1000
    assert meal.fields["t_meal_time"] == m.Pattern(
        pattern="?" * 20, null_rate=0.1, description="CHAR(20)"
    )
    assert meal.fields["email"] == m.Pattern(
        pattern="************", unique=True, description="VARCHAR(20)"
    )
    assert meal.fields["city"] == m.Mimesis(
        method="address.city", max_length=12, null_rate=0.1, description="VARCHAR(12)"
    )
    assert meal.fields["level"] == m.Integer(max=127, width=8)
    assert meal.fields["released"] == m.Integer(min=1901, max=2155)
    assert meal.fields["extras"] == m.Choice(values=["Trailers", "Commentaries"])


def test_postgres_alter_table_keys_enums_domains_and_any_array() -> None:
    script = (
        "CREATE TYPE public.kind AS ENUM ('a', 'b');\n"
        "CREATE DOMAIN public.year AS integer\n"
        "  CONSTRAINT y CHECK (((VALUE >= 1901) AND (VALUE <= 2155)));\n"
        "CREATE TABLE public.parent (parent_id integer NOT NULL, k public.kind NOT NULL);\n"
        "CREATE TABLE public.child (\n  parent_id integer NOT NULL,\n  y public.year NOT NULL,\n"
        "  r text NOT NULL,\n"
        "  CONSTRAINT r_check CHECK ((r = ANY (ARRAY['x'::text, 'z'::text])))\n);\n"
        "ALTER TABLE ONLY public.parent ADD CONSTRAINT parent_pkey PRIMARY KEY (parent_id);\n"
        "ALTER TABLE ONLY public.child ADD CONSTRAINT child_pkey PRIMARY KEY (parent_id);\n"
        "ALTER TABLE ONLY public.child\n    ADD CONSTRAINT child_fk FOREIGN KEY (parent_id) "
        "REFERENCES public.parent(parent_id);\n"
    )
    schema = _without_warnings(script)
    assert schema.entities["parent"].fields == {
        "parent_id": m.Sequence(),
        "k": m.Choice(values=["a", "b"]),
    }
    child = schema.entities["child"].fields
    assert child["parent_id"] == m.Reference(
        entity="parent", unique=True
    )  # a key and a foreign key: 1:1
    assert child["y"] == m.Integer(min=1901, max=2155, width=32, description="DOMAIN year")
    assert child["r"] == m.Choice(values=["x", "z"])


def test_inherits_takes_the_parents_columns() -> None:
    script = (
        "CREATE TABLE public.event (event_id integer NOT NULL, at date NOT NULL);\n"
        "CREATE TABLE public.event_2024 (note varchar(40)) INHERITS (public.event);\n"
    )
    fields = _fields(convert_with_warnings(script, "sql").text, "event_2024")
    assert list(fields) == ["event_id", "at", "note"]


def test_composite_keys_become_tuples_and_hidden_references_with_lookups() -> None:
    script = (
        "CREATE TABLE a (x BOOLEAN NOT NULL, y BOOLEAN NOT NULL, PRIMARY KEY (x, y));\n"
        "CREATE TABLE b (p BOOLEAN, q BOOLEAN, note TEXT,\n"
        "  CONSTRAINT b_a_fk FOREIGN KEY (p, q) REFERENCES a (x, y));\n"
        "CREATE TABLE c (b_a_fk INT, p BOOLEAN NOT NULL, q BOOLEAN NOT NULL, n INT NOT NULL,\n"
        "  PRIMARY KEY (p, q, n), FOREIGN KEY (p, q) REFERENCES a);\n"
    )
    schema = _without_warnings(script)
    a = schema.entities["a"]
    # Two booleans make four pairs: the key's value space bounds the table.
    assert (a.unique, a.count) == ([["x", "y"]], 4)
    b = schema.entities["b"].fields
    assert list(b) == ["b_a_fk", "p", "q", "note"]
    assert b["b_a_fk"] == m.Reference(
        entity="a",
        hidden=True,
        null_rate=0.1,
        description="FOREIGN KEY (p, q) REFERENCES a: picks the parent row",
    )
    part = "part of FOREIGN KEY (p, q) REFERENCES a"
    assert b["p"] == m.Lookup(via="b_a_fk", field="x", description=part)
    assert b["q"] == m.Lookup(via="b_a_fk", field="y", description=part)
    # Named after the parent when the constraint has no name, beside a column of that name;
    # the key holds the whole foreign key, so its tuple holds the reference (last: see below).
    c = schema.entities["c"]
    assert list(c.fields)[:3] == ["b_a_fk", "a", "p"]
    assert c.unique == [["n", "a"]]


def test_a_key_over_a_reference_and_long_text_names_many_parents() -> None:
    """A tuple's first field varies slowest: a reference first, before a text of 62**12
    values, would name one parent in every row."""
    schema = _without_warnings(
        "CREATE TABLE e (id INT PRIMARY KEY);\n"
        "CREATE TABLE t (e_id INT NOT NULL REFERENCES e (id), title VARCHAR(50) NOT NULL,\n"
        "  PRIMARY KEY (e_id, title));\n"
    )
    assert schema.entities["t"].unique == [["title", "e_id"]]
    batches = generate_batches(schema, "t", 0, 200, seed=1, providers={})
    parents = {r["e_id"] for b in batches for r in b.to_pylist()}
    assert len(parents) > 100


def test_composite_keys_the_language_cannot_say_are_reported() -> None:
    script = (
        "CREATE TABLE a (u DOUBLE PRECISION NOT NULL, v JSON NOT NULL, PRIMARY KEY (u, v));\n"
        "CREATE TABLE b (p INT, q INT, FOREIGN KEY (p, q) REFERENCES elsewhere (x, y));\n"
        "CREATE TABLE c (p INT, q INT, FOREIGN KEY (p, q) REFERENCES b);\n"
    )
    _, warnings = convert_with_warnings(script, "sql")
    assert warnings == [
        {
            "line": 1,
            "message": "a: PRIMARY KEY (u, v) is not enforced: the language cannot make these "
            "fields unique together",
        },
        {
            "line": 2,
            "message": "b: FOREIGN KEY (p, q) REFERENCES elsewhere is not generated as a "
            "reference: table elsewhere is not in the input",
        },
        {
            "line": 3,
            "message": "c: FOREIGN KEY (p, q) REFERENCES b is not generated as a reference: it "
            "names no columns of b, which has no primary key",
        },
    ]


def test_composite_foreign_keys_closing_a_cycle_or_onto_their_own_key_stay_plain() -> None:
    script = (
        "CREATE TABLE a (a1 INT NOT NULL, a2 INT NOT NULL, b_id INT NOT NULL REFERENCES b (id),\n"
        "  PRIMARY KEY (a1, a2));\n"
        "CREATE TABLE b (id INT PRIMARY KEY, x INT, y INT, FOREIGN KEY (x, y) REFERENCES a);\n"
        "CREATE TABLE e (org INT NOT NULL, id INT NOT NULL, boss INT, PRIMARY KEY (org, id),\n"
        "  FOREIGN KEY (org, boss) REFERENCES e (org, id));\n"
    )
    text, warnings = convert_with_warnings(script, "sql")
    assert [w["message"] for w in warnings] == [
        "b: FOREIGN KEY (x, y) REFERENCES a is not generated as a reference: it would close a "
        "reference cycle",
        "e: FOREIGN KEY (org, boss) REFERENCES e is not generated as a reference: it maps the "
        "table's own key columns onto themselves",
    ]
    b = _fields(text, "b")
    assert list(b) == ["id", "x", "y"]
    assert b["x"] == m.Integer(
        width=32,
        null_rate=0.1,
        description="part of FOREIGN KEY (x, y) REFERENCES a; not generated as a reference: a "
        "reference cycle",
    )
    assert load_schema(text).entities["e"].unique == [["org", "id"]]


def test_partitions_date_checks_and_like_lists() -> None:
    script = (LOAD / "club_pg_dump.sql").read_text()
    schema = load_schema(convert_with_warnings(script, "sql").text)
    assert "payment_2024_01" not in schema.entities
    payment = schema.entities["payment"].fields
    # The partitions' foreign key holds for the parent's rows.
    assert payment["member_id"] == m.Reference(entity="member")
    paid_at = payment["paid_at"]
    assert isinstance(paid_at, m.Datetime)
    assert (paid_at.start.isoformat(), paid_at.end.isoformat()) == (
        "2024-01-01T00:00:00+00:00",
        "2024-02-29T23:59:59.999999+00:00",
    )
    event = schema.entities["event_2024"].fields
    assert event["note"] == m.Choice(
        values=["fair", "Cup x"], null_rate=0.1, description="VARCHAR(40)"
    )


def _rows(schema: m.Schema, entity: str) -> list[dict[str, object]]:
    return [
        row
        for batch in generate_batches(schema, entity, 0, 200, seed=3, providers={})
        for row in batch.to_pylist()
    ]


def test_generated_columns_of_mysql_and_tsql_become_expressions() -> None:
    mysql = _without_warnings(
        "CREATE TABLE `line` (id INT AUTO_INCREMENT PRIMARY KEY, first VARCHAR(20) NOT NULL,\n"
        "  last VARCHAR(20) NOT NULL,\n"
        "  full_name VARCHAR(41) GENERATED ALWAYS AS (CONCAT(first, ' ', last)) VIRTUAL,\n"
        "  price DECIMAL(6,2) NOT NULL, qty INT NOT NULL,\n"
        "  total DECIMAL(8,2) AS (price * qty) STORED) ENGINE=InnoDB;"
    )
    fields = mysql.entities["line"].fields
    assert fields["full_name"] == m.Expression(
        expr='"first" || \' \' || "last"',
        description="GENERATED ALWAYS AS (CONCAT(first, ' ', last)); VARCHAR(41)",
    )
    for row in _rows(mysql, "line"):
        assert row["full_name"] == f"{row['first']} {row['last']}"
        assert row["total"] == round(row["price"] * row["qty"], 2)  # type: ignore[operator]
    tsql = _without_warnings(
        "CREATE TABLE [dbo].[Orders] ([Id] INT IDENTITY(1,1) PRIMARY KEY,\n"
        "  [Price] DECIMAL(8,2) NOT NULL, [Qty] INT NOT NULL,\n"
        "  [Total] AS ([Price] * [Qty]) PERSISTED, [Hired] DATE NOT NULL, [Left] DATE NULL,\n"
        "  CONSTRAINT CK_Left CHECK ([Left] >= [Hired]))\nGO\n"
    )
    fields = tsql.entities["Orders"].fields
    assert isinstance(fields["Total"], m.Expression)
    assert fields["Left_offset"].hidden
    rows = _rows(tsql, "Orders")
    assert all(r["Left"] >= r["Hired"] for r in rows)  # type: ignore[operator]
    offset = fields["Left_offset"]
    assert isinstance(offset, m.Integer) and (offset.min, offset.max) == (0, 365)  # >= : 0 days


def test_generated_column_sqlite_computes_equals_the_files(tmp_path: Path) -> None:
    ddl = (
        "CREATE TABLE box (id INTEGER PRIMARY KEY AUTOINCREMENT, w INTEGER NOT NULL,\n"
        "  h INTEGER NOT NULL, area INTEGER GENERATED ALWAYS AS (w * h) VIRTUAL,\n"
        "  label TEXT GENERATED ALWAYS AS ('box ' || volume) STORED,\n"
        "  volume INTEGER GENERATED ALWAYS AS (area * 2) STORED);"
    )
    schema = _without_warnings(ddl)
    db = sqlite3.connect(tmp_path / "box.db")
    db.executescript(ddl)
    rows = _rows(schema, "box")
    db.executemany("INSERT INTO box (id, w, h) VALUES (?, ?, ?)", [
        (r["id"], r["w"], r["h"]) for r in rows
    ])  # fmt: skip
    stored = db.execute("SELECT id, w, h, area, label FROM box ORDER BY id").fetchall()
    assert stored == [(r["id"], r["w"], r["h"], r["area"], r["label"]) for r in rows]
