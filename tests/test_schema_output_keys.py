"""absent_rate and output_name: keys left out of json objects, and names that are not
identifiers, in every output format and export."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from pipeline.engine import arrow_schema, generate_batches
from pipeline.exporters import export
from pipeline.importers import convert
from pipeline.local import generate
from pipeline.schema import load_schema
from pipeline.schema import model as m
from storage.formats.csv import write_csv
from storage.formats.json import write_json
from storage.formats.ndjson import write_ndjson

SCHEMA = """
version: 1
seed: 11
entities:
  Job:
    count: 300
    fields:
      id: sequence
      run_name: {type: pattern, pattern: "run-###", output_name: run-name}
      note: {type: text.word, absent_rate: 0.4}
      steps:
        type: array
        min_items: 1
        max_items: 3
        of:
          type: object
          fields:
            uses: {type: pattern, pattern: "act/??", absent_rate: 0.5}
            working_directory:
              {type: choice, values: [src, docs], output_name: working-directory, absent_rate: 0.3}
      label: {type: template, template: "{run_name}/{id}"}
      loud: {type: expression, expr: "upper(run_name)"}
"""


def _json(schema_text: str, fmt: str = "json", count: int = 300) -> list[dict[str, Any]]:
    schema = load_schema(schema_text)
    out = io.BytesIO()
    batches = generate_batches(schema, "Job", 0, count, seed=11, providers={})
    if fmt == "json":
        write_json(batches, out)
        return list(json.loads(b"[" + out.getvalue() + b"]"))
    write_ndjson(batches, out)
    return [json.loads(line) for line in out.getvalue().decode().splitlines()]


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_absent_keys_are_left_out_and_never_written_as_null(fmt: str) -> None:
    rows = _json(SCHEMA, fmt)
    assert len(rows) == 300
    with_note = [r for r in rows if "note" in r]
    assert 150 < len(with_note) < 210  # 0.4 absent: about 180 of 300 keep the key
    assert all(isinstance(r["note"], str) for r in with_note)
    items = [s for r in rows for s in r["steps"]]
    assert all(s.get("uses", "") is not None for s in items)
    assert 0.35 < sum("uses" in s for s in items) / len(items) < 0.65
    assert 0.55 < sum("working-directory" in s for s in items) / len(items) < 0.85
    assert all(set(s) <= {"uses", "working-directory"} for s in items)
    assert any(s == {} for s in items)  # both keys absent: an empty object


def test_output_name_is_written_while_expressions_and_templates_use_the_field_name() -> None:
    rows = _json(SCHEMA)
    first = rows[0]
    assert list(first)[:2] == ["id", "run-name"]
    assert first["label"] == f"{first['run-name']}/{first['id']}"
    assert first["loud"] == first["run-name"].upper()


def test_the_first_column_may_be_absent() -> None:
    text = "entities:\n  Job:\n    fields:\n      a: {type: integer, max: 5, absent_rate: 0.5}\n"
    text += "      b: {type: integer, max: 5, absent_rate: 0.5}\n"
    rows = _json(text, count=200)
    assert {tuple(r) for r in rows} == {(), ("a",), ("b",), ("a", "b")}


def test_other_formats_write_absent_values_as_null_under_the_output_name(tmp_path: Path) -> None:
    schema = load_schema(SCHEMA)
    columns = arrow_schema(schema, "Job", seed=11, providers={})
    csv = io.BytesIO()
    write_csv(
        generate_batches(schema, "Job", 0, 300, seed=11, providers={}),
        csv,
        schema=columns,
        with_header=True,
    )
    text = csv.getvalue().decode()
    assert text.splitlines()[0] == "id,run-name,note,steps,label,loud"
    # Nested objects are JSON text with the absent keys left out, as in json.
    assert '""uses""' in text and ":null" not in text and "{}" in text
    generate(schema, "Job", 300, seed=11, format="parquet", out=str(tmp_path / "j.parquet"))
    table = pq.read_table(tmp_path / "j.parquet")
    assert table.column_names == ["id", "run-name", "note", "steps", "label", "loud"]
    assert 90 < table.column("note").null_count < 150
    generate(
        schema, "Job", 20, seed=11, format="sql", dialect="sqlite", out=str(tmp_path / "j.sql")
    )
    db = sqlite3.connect(":memory:")
    db.executescript((tmp_path / "j.sql").read_text())
    names = [row[1] for row in db.execute('PRAGMA table_info("Job")')]
    assert names == ["id", "run-name", "note", "steps", "label", "loud"]
    assert db.execute('SELECT count(*) FROM "Job" WHERE note IS NULL').fetchone()[0] > 0


def test_same_bytes_on_one_and_five_shards(tmp_path: Path) -> None:
    for fmt in ("json", "ndjson", "csv"):
        one, five = tmp_path / f"one.{fmt}", tmp_path / f"five.{fmt}"
        generate(SCHEMA, "Job", 300, seed=11, format=fmt, out=str(one))
        generate(SCHEMA, "Job", 300, seed=11, format=fmt, out=str(five), shard_rows=64)
        assert one.read_bytes() == five.read_bytes(), fmt
    # Parquet keeps a row group per shard: the same table.
    generate(SCHEMA, "Job", 300, seed=11, format="parquet", out=str(tmp_path / "one.parquet"))
    generate(
        SCHEMA, "Job", 300, seed=11, format="parquet", out=str(tmp_path / "five.parquet"),
        shard_rows=64,
    )  # fmt: skip
    assert pq.read_table(tmp_path / "one.parquet").equals(pq.read_table(tmp_path / "five.parquet"))


def test_the_options_change_no_other_column() -> None:
    plain = SCHEMA.replace(", absent_rate: 0.4", "").replace(", output_name: run-name", "")
    with_options = _json(SCHEMA)
    without = _json(plain)
    for a, b in zip(with_options, without, strict=True):
        assert a["id"] == b["id"] and a["steps"] == b["steps"] and a["loud"] == b["loud"]
        assert a["run-name"] == b["run_name"]
        if "note" in a:
            assert a["note"] == b["note"]


def test_exports_say_which_keys_may_be_absent_and_write_output_names() -> None:
    schema = load_schema(SCHEMA)
    doc = json.loads(export(schema, "json_schema"))
    job = doc["$defs"]["Job"]
    assert job["required"] == ["id", "run-name", "steps", "label"]  # an expression may be null
    assert job["properties"]["note"]["type"] == "string"  # absent, never null
    step = job["properties"]["steps"]["items"]
    assert set(step["properties"]) == {"uses", "working-directory"}
    assert step["required"] == []
    ddl = export(schema, "sql")
    assert '"run-name" VARCHAR(7) NOT NULL' in ddl
    assert '  "note" TEXT,  -- text.word\n' in ddl  # may be absent: no NOT NULL


def test_a_reference_copies_the_parent_key_under_its_output_name(tmp_path: Path) -> None:
    text = """
entities:
  P:
    count: 5
    fields:
      key_id: {type: sequence, output_name: key-id}
  C:
    count: 10
    fields:
      p: {type: reference, entity: P}
"""
    ddl = export(load_schema(text), "sql")
    assert 'REFERENCES "P" ("key-id")' in ddl
    db = sqlite3.connect(":memory:")
    db.executescript(ddl)


def test_absent_rate_zero_with_when_leaves_the_key_out_where_the_condition_fails() -> None:
    text = """
entities:
  Job:
    fields:
      status: {type: choice, values: [queued, done]}
      finished: {type: integer, max: 9, when: "status = 'done'", absent_rate: 0}
"""
    rows = _json(text, count=100)
    assert {r["status"] for r in rows if "finished" in r} == {"done"}
    assert {r["status"] for r in rows if "finished" not in r} == {"queued"}


def test_a_lookup_through_an_absent_reference_is_null() -> None:
    text = """
entities:
  P:
    count: 5
    fields:
      id: sequence
      name: {type: choice, values: [a, b]}
  Job:
    fields:
      p: {type: reference, entity: P, absent_rate: 0.5}
      p_name: {type: lookup, via: p, field: name}
"""
    rows = _json(text, count=100)
    assert {r["p_name"] is None for r in rows if "p" not in r} == {True}
    assert {r["p_name"] in ("a", "b") for r in rows if "p" in r} == {True}


def test_an_exported_json_schema_imports_back_with_its_keys() -> None:
    back = load_schema(convert(export(load_schema(SCHEMA), "json_schema"), "json_schema"))
    job = back.entities["Job"].fields
    assert job["run_name"].output_name == "run-name"
    assert job["note"].absent_rate == 0.2 and job["note"].null_rate == 0
    steps = job["steps"]
    assert isinstance(steps, m.Array) and isinstance(steps.of, m.Object)
    assert steps.of.fields["working_directory"].output_name == "working-directory"
