"""``drafta convert`` prints the YAML on stdout and the import's warnings on stderr."""

from __future__ import annotations

from pathlib import Path

from tests.test_tools_cli import drafta

SCRIPT = (
    "SET client_encoding = 'UTF8';\n"
    "CREATE TABLE t (id INTEGER NOT NULL, code CHAR(3));\n"
    "CREATE VIEW v AS SELECT id FROM t;\n"
)


def test_warnings_go_to_stderr_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "t.sql").write_text(SCRIPT)
    done = drafta("convert", "--from", "sql", "--dialect", "postgres", "t.sql", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith("# Imported from SQL (postgres).")
    assert done.stderr.splitlines() == [
        "t.sql:1: warning: skipped SET client_encoding =: not about tables, types, keys or "
        "constraints",
        "t.sql:3: warning: skipped CREATE VIEW v: not about tables, types, keys or constraints",
    ]


def test_dialect_needs_sql(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"type": "object", "properties": {"a": {"type": "string"}}}')
    done = drafta("convert", "--from", "json_schema", "--dialect", "mysql", "s.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "--dialect applies to --from sql only"
