"""The bytes a fixed schema and seed give, pinned: any change to the engine, the writers or the
merge that alters output shows here. Output is a promise (same seed, same bytes), so a digest
that changes is a release note, never a silent update."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from service.cli import main

SCHEMA = """
version: 1
seed: 7
entities:
  Parent:
    count: 40
    fields:
      id: {type: sequence, start: 100, step: 3}
      code: {type: pattern, pattern: "P-####", unique: true}
      uid: uuid
  Row:
    count: 300
    fields:
      seq:     {type: sequence, start: 5}
      uid:     {type: uuid}
      int:     {type: integer, min: -5, max: 50, distribution: {kind: normal, mean: 10, stddev: 8}}
      uint:    {type: integer, min: 0, max: 100000, unique: true}
      flt:     {type: float, min: 0, max: 10, decimals: 3}
      lgn:     {type: float, min: 1, max: 500, decimals: 2,
                distribution: {kind: lognormal, mean: 3, sigma: 0.8}}
      flag:    {type: boolean, true_rate: 0.3}
      pick:    {type: choice, values: [a, "b,c", "d\\"e"], weights: [5, 3, 2]}
      nums:    {type: choice, values: [1, 2, 3]}
      prov:    {type: provider, name: seg}
      day:     {type: date, start: 2020-01-01, end: 2020-12-31}
      moment:  {type: datetime, start: 2020-01-01T00:00:00Z, end: 2020-12-31T00:00:00Z}
      pat:     {type: pattern, pattern: "X-##?*", unique: true}
      tpl:     {type: template, template: "{pat|lower}-{seq}"}
      email:   {type: template, template: "{name|lower}@example.com", unique: true}
      const:   {type: constant, value: "line1\\nline2\\t\\u0001\\\\ \\"q\\""}
      nothing: {type: constant}
      ref:     {type: reference, entity: Parent}
      refz:    {type: reference, entity: Parent, field: code, distribution: {kind: zipf, s: 1.2}}
      obj:     {type: object, fields: {a: {type: integer, min: 1, max: 9}, at: {type: datetime}}}
      arr:     {type: array, of: {type: choice, values: [x, y]}, min_items: 0, max_items: 3}
      name:    person.first_name
      city:    {type: address.city, locale: de}
      phone:   {type: person.phone_number, args: {mask: "+1-(###)-###-####"}}
      maybe:   {type: integer, null_rate: 0.5}
"""

PROVIDERS = '{"seg": ["retail", "b2b", "gov"]}'

CSV = "774d21c93dfcbc064d8f1172ddf9713393635d26a1a0ec8e1463b038b231c116"
JSON = "fe42e2d6e7bffd59496e0a3e3dc2f522b318f4df34ec02cad24377bb74ec886e"
# sha256 of the output by (format, shard rows): 1 shard of all rows, or 5 shards of 64 rows.
# csv and json bytes do not depend on sharding; parquet keeps a row group per shard.
DIGESTS = {
    ("csv", 1_048_576): CSV,
    ("csv", 64): CSV,
    ("json", 1_048_576): JSON,
    ("json", 64): JSON,
    ("parquet", 1_048_576): "2fbfd16fc2fd10c3213e71b90325e941df750227003c73789924aa503b311ba6",
    ("parquet", 64): "84de893458218240463a37f63078a6bb2b83f9485439faff36ff4dc1e56f3c47",
}


@pytest.mark.parametrize(("fmt", "shard_rows"), sorted(DIGESTS))
def test_output_bytes_are_pinned(
    fmt: str, shard_rows: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "s.yaml").write_text(SCHEMA)
    (tmp_path / "p.json").write_text(PROVIDERS)
    out = tmp_path / f"out.{fmt}"
    monkeypatch.setenv("DRAFTA_SHARD_ROWS", str(shard_rows))
    args = ["generate", str(tmp_path / "s.yaml"), "--entity", "Row", "--count", "300"]
    args += ["--format", fmt, "--out", str(out), "--providers", str(tmp_path / "p.json")]
    assert main([*args, "--quiet"]) == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == DIGESTS[fmt, shard_rows]
