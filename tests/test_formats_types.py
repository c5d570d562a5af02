"""Every type of the schema language in every format, read back with real parsers."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.local import generate

EVERY_TYPE = """
seed: 11
entities:
  Parent:
    count: 50
    fields:
      id: {type: sequence}
  T:
    fields:
      seq:      {type: sequence, start: 5}
      uid:      {type: uuid}
      int:      {type: integer, min: -5, max: 5}
      flt:      {type: float, min: 0, max: 10, decimals: 3}
      flag:     {type: boolean}
      pick:     {type: choice, values: [a, "b,c", "d\\"e"]}
      nums:     {type: choice, values: [1, 2, 3]}
      prov:     {type: provider, name: seg}
      day:      {type: date, start: 2020-01-01, end: 2020-12-31}
      moment:   {type: datetime, start: 2020-01-01T00:00:00Z, end: 2020-12-31T00:00:00Z}
      pat:      {type: pattern, pattern: "X-##?*"}
      tpl:      {type: template, template: "{pat|lower}-{seq}"}
      const:    {type: constant, value: "line1\\nline2\\t\\u0001\\\\ \\"q\\""}
      nothing:  {type: constant}
      ref:      {type: reference, entity: Parent}
      obj:      {type: object, fields: {a: {type: integer, min: 1, max: 1}, when: {type: datetime}}}
      arr:      {type: array, of: {type: choice, values: [x, y]}, min_items: 0, max_items: 3}
      name:     person.first_name
      maybe:    {type: integer, null_rate: 0.5}
"""

PARQUET_TYPES = {
    "seq": "int64",
    "uid": "string",
    "int": "int64",
    "flt": "double",
    "flag": "bool",
    "pick": "string",
    "nums": "int64",
    "prov": "string",
    "day": "date32[day]",
    "moment": "timestamp[us, tz=UTC]",
    "pat": "string",
    "tpl": "string",
    "const": "string",
    "nothing": "null",
    "ref": "int64",
    "obj": "struct<a: int64, when: timestamp[us, tz=UTC]>",
    "arr": "list<element: string>",  # parquet names list items "element"
    "name": "string",
    "maybe": "int64",
}
PROVIDERS = {"seg": ["north", "south"]}
CONST = 'line1\nline2\t\x01\\ "q"'


def make(tmp_path: Path, fmt: str) -> Path:
    out = tmp_path / f"t.{fmt}"
    generate(EVERY_TYPE, "T", 300, format=fmt, out=str(out), providers=PROVIDERS, shard_rows=128)
    return out


def test_parquet_types_match_the_contract(tmp_path: Path) -> None:
    table = pq.read_table(make(tmp_path, "parquet"))
    assert {f.name: str(f.type) for f in table.schema} == PARQUET_TYPES
    assert table.num_rows == 300
    assert table.column("seq").to_pylist()[:3] == [5, 6, 7]
    assert table.column("const")[0].as_py() == CONST


def test_json_values_have_json_types(tmp_path: Path) -> None:
    rows = json.loads(make(tmp_path, "json").read_text())
    assert len(rows) == 300 and list(rows[0]) == list(PARQUET_TYPES)
    first = rows[0]
    assert first["seq"] == 5 and isinstance(first["int"], int)
    assert isinstance(first["flt"], int | float) and isinstance(first["flag"], bool)
    assert dt.date.fromisoformat(first["day"]).year == 2020
    assert first["moment"].endswith("Z") and len(first["moment"]) == 27
    assert first["const"] == CONST and first["nothing"] is None
    assert isinstance(first["obj"], dict) and first["obj"]["a"] == 1
    assert first["obj"]["when"].endswith("Z")
    assert isinstance(first["arr"], list)
    assert first["pick"] in ("a", "b,c", 'd"e')
    assert 1 <= first["ref"] <= 50
    assert any(r["maybe"] is None for r in rows) and any(r["maybe"] is not None for r in rows)


def test_csv_is_rfc4180_with_one_header(tmp_path: Path) -> None:
    with make(tmp_path, "csv").open(newline="") as handle:
        records = list(csv.reader(handle))
    assert records[0] == list(PARQUET_TYPES)
    body = [dict(zip(records[0], r, strict=True)) for r in records[1:]]
    assert len(body) == 300
    first = body[0]
    assert first["seq"] == "5" and first["flag"] in ("true", "false")
    assert first["const"] == CONST and first["nothing"] == ""
    assert dt.date.fromisoformat(first["day"]).year == 2020
    assert first["moment"].endswith("Z") and "T" in first["moment"]
    assert json.loads(first["obj"])["a"] == 1 and isinstance(json.loads(first["arr"]), list)
    assert {r["pick"] for r in body} == {"a", "b,c", 'd"e'}
    assert any(r["maybe"] == "" for r in body)


def test_parquet_json_and_csv_hold_the_same_values(tmp_path: Path) -> None:
    table = pq.read_table(make(tmp_path, "parquet"))
    rows = json.loads(make(tmp_path, "json").read_text())
    assert [r["uid"] for r in rows] == table.column("uid").to_pylist()
    assert [r["tpl"] for r in rows] == table.column("tpl").to_pylist()
    assert [r["flt"] for r in rows] == table.column("flt").to_pylist()
    assert pa.array([r["maybe"] for r in rows]).equals(table.column("maybe").combine_chunks())
