"""The local `drafta` commands, each run as a subprocess: output and exit codes."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from service.cli import COMMANDS, build_parser
from tests.jobhelpers import PEOPLE

BAD = """\
version: 1
entities:
  A:
    fields:
      id: {type: sequence}
      x: {type: integr}
      y: person.frist_name
"""
SQL = """\
CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100) NOT NULL UNIQUE);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));
"""


def drafta(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("drafta")), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "people.yaml").write_text(PEOPLE)
    (tmp_path / "bad.yaml").write_text(BAD)
    (tmp_path / "tables.sql").write_text(SQL)
    return tmp_path


def _subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple]:
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _subcommands(child, (*prefix, name))
    return found


def test_every_command_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    commands = _subcommands(build_parser())
    assert {c[0] for c in commands if c} == set(COMMANDS)
    assert ("remote", "projects", "get") in commands and ("remote", "push") in commands
    mine = {
        ("validate",), ("convert",), ("preview",), ("generate",), ("remote",),
        ("remote", "groups", "create"), ("remote", "groups", "list"),
        ("remote", "projects", "create"), ("remote", "projects", "list"),
        ("remote", "projects", "get"), ("remote", "push"), ("remote", "run"),
        ("remote", "status"), ("remote", "download"), ("assemble",),
    }  # fmt: skip
    assert mine <= set(commands)
    for command in commands:
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args([*command, "--help"])
        assert done.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: drafta {' '.join(command)}".rstrip())
    top = drafta("--help")
    assert top.returncode == 0
    assert all(f"    {name} " in top.stdout for name in COMMANDS)


def test_the_command_line_loads_no_engine_cluster_or_database_until_a_command_needs_them() -> None:
    # `drafta remote ...` and `--help` are quick because these load only inside handlers.
    heavy = ["distributed", "sqlite_utils", "pandas", "pyarrow", "mimesis", "litestar"]
    code = (
        "import sys; from service.cli import build_parser; build_parser(); "
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_validate(files: Path) -> None:
    ok = drafta("validate", "people.yaml", cwd=files)
    assert (ok.returncode, ok.stderr) == (0, "")
    assert ok.stdout == "people.yaml: valid; entities: Customer (9 fields), Order (3 fields)\n"
    bad = drafta("validate", "bad.yaml", cwd=files)
    assert bad.returncode == 1 and bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "entities.A.fields.x.type (line 6): unknown type 'integr'; did you mean integer?",
        "entities.A.fields.y.type (line 7): unknown mimesis method 'person.frist_name'; did you "
        "mean person.first_name or person.last_name or person.full_name?",
        "bad.yaml: 2 problems",
    ]
    missing = drafta("validate", "nope.yaml", cwd=files)
    assert missing.returncode == 1 and missing.stderr.startswith("drafta: cannot read nope.yaml")
    usage = drafta("validate")
    assert usage.returncode == 2 and "required: SCHEMA.yaml" in usage.stderr


def test_convert(files: Path) -> None:
    done = drafta("convert", "--from", "sql", "tables.sql", cwd=files)
    assert done.returncode == 0, done.stderr
    assert "  orders:\n" in done.stdout
    assert "user_id: {type: reference, entity: users}" in done.stdout
    (files / "converted.yaml").write_text(done.stdout)
    assert drafta("validate", "converted.yaml", cwd=files).returncode == 0
    (files / "broken.sql").write_text("CREATE TABLE (")
    broken = drafta("convert", "--from", "sql", "broken.sql", cwd=files)
    assert broken.returncode == 1 and broken.stdout == ""
    assert broken.stderr.splitlines()[-1] == "broken.sql: cannot convert from sql"
    assert drafta("convert", "--from", "xml", "tables.sql", cwd=files).returncode == 2


def test_preview_table_json_and_errors(files: Path) -> None:
    table = drafta("preview", "people.yaml", "--entity", "Customer", "-n", "3", "--seed", "4",
                   cwd=files)  # fmt: skip
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].strip() == "Customer: 3 rows, seed 4"
    assert "┃ id ┃" in lines[2] and "first_name" in lines[2]
    assert [line.split("│")[1].strip() for line in lines[4:7]] == ["1", "2", "3"]
    as_json = drafta("preview", "people.yaml", "--entity", "Customer", "-n", "3", "--seed", "4",
                     "--json", cwd=files)  # fmt: skip
    body = json.loads(as_json.stdout)
    assert body["seed"] == 4 and [r["id"] for r in body["rows"]] == [1, 2, 3]
    assert all(r["first_name"] in table.stdout for r in body["rows"])
    unknown = drafta("preview", "people.yaml", "--entity", "Nope", cwd=files)
    assert unknown.returncode == 1
    assert unknown.stderr == (
        "drafta: entity 'Nope' is not in the schema; its entities are: Customer, Order\n"
    )
    assert drafta("preview", "bad.yaml", "--entity", "A", cwd=files).returncode == 1
    assert drafta("preview", "people.yaml", "--entity", "A", "-n", "0", cwd=files).returncode == 2


def test_generate_matches_preview(files: Path) -> None:
    done = drafta("generate", "people.yaml", "--entity", "Order", "--count", "2500",
                  "--format", "json", "--out", "orders.json", "--seed", "9", cwd=files)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote 2500 rows of Order (json, ")
    assert done.stdout.endswith("to orders.json with seed 9\n")
    rows = json.loads((files / "orders.json").read_text())
    assert len(rows) == 2500
    preview = drafta("preview", "people.yaml", "--entity", "Order", "-n", "100", "--seed", "9",
                     "--json", cwd=files)  # fmt: skip
    assert json.loads(preview.stdout)["rows"] == rows[:100]
    parquet = drafta("generate", "people.yaml", "--entity", "Customer", "--count", "1000",
                     "--format", "parquet", "--out", "c.parquet", "--workers", "2",
                     cwd=files)  # fmt: skip
    assert parquet.returncode == 0, parquet.stderr
    assert pq.read_table(files / "c.parquet").num_rows == 1000
    refused = drafta("generate", "people.yaml", "--entity", "Customer", "--count", "20000",
                     "--out", "x.json", cwd=files)  # fmt: skip
    assert refused.returncode == 1 and "10000" in refused.stderr
    assert not (files / "x.json").exists()
    usage = drafta("generate", "people.yaml", "--entity", "Customer", "--out", "x.json")
    assert usage.returncode == 2 and "--count" in usage.stderr


def test_providers_file(files: Path) -> None:
    schema = "entities:\n  A:\n    fields:\n      s: {type: provider, name: Segments}\n"
    (files / "p.yaml").write_text(schema)
    (files / "p.json").write_text('{"Segments": ["retail"]}')
    assert drafta("validate", "p.yaml", cwd=files).returncode == 0
    missing = drafta("validate", "p.yaml", "--providers", "p.json", cwd=files)
    assert missing.returncode == 0
    shown = drafta("preview", "p.yaml", "--entity", "A", "-n", "2", "--json",
                   "--providers", "p.json", cwd=files)  # fmt: skip
    assert [r["s"] for r in json.loads(shown.stdout)["rows"]] == ["retail", "retail"]
    without = drafta("preview", "p.yaml", "--entity", "A", cwd=files)
    assert without.returncode == 1 and "Segments" in without.stderr


def test_generate_several_entities_into_a_folder(files: Path) -> None:
    done = drafta("generate", "people.yaml", "--all", "--scale", "0.5", "--format", "csv",
                  "--out", "shop", "--seed", "3", cwd=files)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(" rows of ")[1].split(" ")[0] for line in lines] == ["Customer", "Order"]
    customers = (files / "shop" / "Customer.csv").read_text().splitlines()
    orders = (files / "shop" / "Order.csv").read_text().splitlines()
    assert (len(customers), len(orders)) == (501, 1501)
    one = drafta("generate", "people.yaml", "--entity", "Customer", "--count", "500",
                 "--format", "csv", "--out", "c.csv", "--seed", "3", cwd=files)  # fmt: skip
    assert one.returncode == 0, one.stderr
    assert (files / "c.csv").read_text().splitlines() == customers
    usage = drafta("generate", "people.yaml", "--entity", "Customer", "--out", "x", cwd=files)
    assert usage.returncode == 2
