"""Parquet shards write strings drawn from a pool from their dictionary: the values read back
are the plain ones, whatever the shards, and the merged file reads in pyarrow and DuckDB."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.engine import EngineError, generate_batches
from pipeline.engine.uuids import uuid_values
from pipeline.local import generate
from pipeline.schema.parse import parse_schema
from storage.formats.parquet import write_parquet

SCHEMA = """
seed: 3
entities:
  Person:
    fields:
      seq:   {type: sequence}
      first: person.first_name
      tier:  {type: choice, values: [free, pro, free, team], weights: [5, 3, 1, 1]}
      seg:   {type: provider, name: seg}
      city:  {type: address.city, null_rate: 0.2}
      id:    {type: uuid}
"""
PROVIDERS = {"seg": ["retail", None, "gov", "retail"]}
POOLED = ["first", "tier", "seg", "city"]


def make(tmp_path: Path, shard_rows: int) -> Path:
    out = tmp_path / str(shard_rows) / "people.parquet"
    generate(
        SCHEMA,
        "Person",
        2000,
        format="parquet",
        out=str(out),
        shard_rows=shard_rows,
        providers=PROVIDERS,
    )
    return out


def _select(query: str) -> list[tuple[Any, ...]]:
    relation = duckdb.sql(query)
    assert relation is not None  # a SELECT always gives a relation
    return relation.fetchall()


def plain_rows() -> list[dict[str, object]]:
    batches = generate_batches(parse_schema(SCHEMA), "Person", 0, 2000, seed=3, providers=PROVIDERS)
    return pa.Table.from_batches(list(batches)).to_pylist()


def test_merged_shards_read_back_the_plain_values_in_pyarrow_and_duckdb(tmp_path: Path) -> None:
    expected = plain_rows()
    one = make(tmp_path, 1_048_576)
    several = make(tmp_path, 300)
    assert pq.ParquetFile(several).metadata.num_row_groups == 7
    for path in (one, several):
        table = pq.read_table(path)
        assert table.schema.field("first").type == pa.string()
        assert table.to_pylist() == expected
        names = ", ".join(table.column_names)
        found = _select(f"SELECT {names} FROM '{path}' ORDER BY seq")
        assert found == [tuple(row.values()) for row in expected]
    row = expected[0]
    assert row["seq"] == 1 and isinstance(row["first"], str)
    assert isinstance(row["id"], str) and len(row["id"]) == 36


def test_pooled_columns_are_dictionary_pages_without_statistics(tmp_path: Path) -> None:
    path = make(tmp_path, 300)
    meta = pq.ParquetFile(path).metadata
    for group in range(meta.num_row_groups):
        chunks = {
            meta.row_group(group).column(i).path_in_schema: meta.row_group(group).column(i)
            for i in range(meta.num_columns)
        }
        for name in POOLED:
            assert "RLE_DICTIONARY" in chunks[name].encodings
            assert not chunks[name].is_stats_set
        assert chunks["seq"].is_stats_set and chunks["id"].is_stats_set
    codecs = _select(f"SELECT DISTINCT path_in_schema, compression FROM parquet_metadata('{path}')")
    # Random uuids are written as they are: LZ4 would cost as much and shrink them little.
    assert sorted(codecs) == sorted(
        [(name, "LZ4_RAW") for name in ["seq", *POOLED]] + [("id", "UNCOMPRESSED")]
    )


def test_a_column_lz4_cannot_shrink_is_written_uncompressed() -> None:
    noise = np.random.default_rng(1).bytes(16 * 4096)  # as random as uuids
    schema = pa.schema([("random", pa.binary(16)), ("repeated", pa.string())])
    batch = pa.record_batch(
        [
            pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), 4096, [None, pa.py_buffer(noise)]),
            pa.array(["the same text, again"] * 4096),
        ],
        schema=schema,
    )
    meta = written([batch], schema).metadata.row_group(0)
    assert [meta.column(i).compression for i in range(2)] == ["UNCOMPRESSED", "LZ4"]


def written(batches: list[pa.RecordBatch], schema: pa.Schema) -> pq.ParquetFile:
    sink = io.BytesIO()
    assert write_parquet(batches, sink, schema=schema) == sum(b.num_rows for b in batches)
    return pq.ParquetFile(io.BytesIO(sink.getvalue()))


def coded(indices: list[int | None], values: list[str | None]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), pa.array(values))


def test_a_dictionary_holding_a_value_twice_or_a_null_is_written_as_its_values() -> None:
    schema = pa.schema([("s", pa.string())])
    pool = [f"v{i % 50}" for i in range(200)] + [None]  # as a pool of 201 draws may be
    batches = [
        pa.record_batch([coded([(i * 7 + b) % 201 for i in range(3000)], pool)], schema=schema)
        for b in range(2)
    ]
    file = written(batches, schema)
    expected = [pool[(i * 7 + b) % 201] for b in range(2) for i in range(3000)]
    assert file.read().column("s").to_pylist() == expected
    assert "RLE_DICTIONARY" in file.metadata.row_group(0).column(0).encodings


def test_batches_that_differ_in_encoding_keep_their_values() -> None:
    schema = pa.schema([("s", pa.string()), ("t", pa.string())])
    encoded = pa.record_batch([coded([1, 0], ["x", "y"]), pa.array(["p", None])], schema=schema)
    plain = pa.record_batch([pa.array(["z", None]), coded([0, 0], ["q"])], schema=schema)
    for batches in ([encoded, plain], [plain, encoded]):
        table = written(batches, schema).read()
        assert table.schema == schema
        values = {"s": ["y", "x", "z", None], "t": ["p", None, "q", "q"]}
        if batches[0] is plain:
            values = {"s": ["z", None, "y", "x"], "t": ["q", "q", "p", None]}
        assert table.to_pydict() == values


def test_an_empty_shard_has_the_plain_schema() -> None:
    schema = pa.schema([("s", pa.string()), ("n", pa.int64())])
    file = written([], schema)
    assert file.metadata.num_rows == 0
    assert file.schema_arrow == schema


UUIDS = """
seed: 5
entities:
  Key:
    fields:
      seq:  {type: sequence}
      id:   {type: uuid, parquet: uuid}
      maybe: {type: uuid, parquet: uuid, null_rate: 0.5}
      text: uuid
      copy: {type: template, template: "{id}"}
"""


def test_a_uuid_marked_parquet_uuid_is_parquets_uuid_type_and_text_elsewhere(
    tmp_path: Path,
) -> None:
    out = tmp_path / "keys.parquet"
    generate(UUIDS, "Key", 1000, format="parquet", out=str(out), shard_rows=300)
    generate(UUIDS, "Key", 1000, format="csv", out=str(tmp_path / "keys.csv"))
    written = pq.ParquetFile(out)
    assert written.metadata.num_row_groups == 4
    assert [written.schema.column(i).logical_type.type for i in range(5)] == [
        "NONE",
        "UUID",
        "UUID",
        "STRING",
        "STRING",
    ]
    assert written.schema.column(1).physical_type == "FIXED_LEN_BYTE_ARRAY"
    assert written.schema_arrow.field("id").type == pa.uuid()
    kinds = _select(f"SELECT typeof(id), typeof(text) FROM '{out}' LIMIT 1")
    assert kinds == [("UUID", "VARCHAR")]
    as_text = "seq, id::VARCHAR, maybe::VARCHAR, text, copy"
    from_parquet = _select(f"SELECT {as_text} FROM '{out}' ORDER BY seq")
    csv = tmp_path / "keys.csv"
    from_csv = _select(
        f"SELECT {as_text} FROM read_csv('{csv}', types={{'id': 'VARCHAR', "
        "'maybe': 'VARCHAR', 'text': 'VARCHAR', 'copy': 'VARCHAR'}) ORDER BY seq"
    )
    assert from_parquet == from_csv
    assert all(row[1] == row[4] and len(row[1]) == 36 for row in from_parquet)
    assert 0 < sum(row[2] is None for row in from_parquet) < 1000
    assert csv.read_text().splitlines()[1].count("-") == 16  # four uuids as text


def test_uuid_text_becomes_its_sixteen_bytes_nulls_kept() -> None:
    text = pa.array(
        ["00000000-0000-4000-8000-000000000000", "0123ABCD-89ab-4cde-8f01-23456789abcd"]
    )
    values = uuid_values("k", pa.concat_arrays([text, pa.array([None], pa.string())]).slice(1))
    assert values.type == pa.uuid()
    assert values.storage.to_pylist() == [bytes.fromhex("0123abcd89ab4cde8f0123456789abcd"), None]
    with pytest.raises(EngineError, match="k: parquet: uuid needs uuids written in hex digits"):
        uuid_values("k", pa.array(["0123abcd-89ab-4cde-8f01-23456789abcg"]))
