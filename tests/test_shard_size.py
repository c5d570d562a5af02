"""Shards of wide rows hold fewer rows, so a worker's memory follows bytes, not rows."""

from __future__ import annotations

from pipeline.plan import DEFAULT_SHARD_ROWS, JobSpec, plan_shards
from pipeline.schema.parse import parse_schema
from pipeline.schema.resolved import resolve
from pipeline.shard_size import row_bytes, sized_shard_rows


def _schema(columns: int, spec: str) -> str:
    fields = "".join(f"      c{i}: {spec}\n" for i in range(columns))
    return f"version: 1\nentities:\n  T:\n    count: 10\n    fields:\n{fields}"


def _job(text: str, count: int, shard_rows: int = DEFAULT_SHARD_ROWS) -> JobSpec:
    return JobSpec(
        job_id="j", schema_text=text, entity="T", count=count, seed=1, format="csv",
        root_url="memory://j", shard_rows=shard_rows,
    )  # fmt: skip


def test_a_wide_row_gets_fewer_rows_a_shard_in_whole_blocks() -> None:
    wide = resolve(parse_schema(_schema(300, "uuid"))).entities["T"]
    assert row_bytes(wide) == 300 * 41
    assert sized_shard_rows(wide, DEFAULT_SHARD_ROWS) == 65_536
    shards = plan_shards(_job(_schema(300, "uuid"), 200_000))
    assert [(s.start, s.stop) for s in shards] == [
        (0, 65_536), (65_536, 131_072), (131_072, 196_608), (196_608, 200_000)
    ]  # fmt: skip


def test_a_middling_row_gets_as_many_whole_blocks_as_fit() -> None:
    middling = resolve(parse_schema(_schema(20, "{type: integer}"))).entities["T"]
    assert row_bytes(middling) == 20 * 9
    assert sized_shard_rows(middling, DEFAULT_SHARD_ROWS) == 720_896  # 11 blocks of 65536


def test_a_narrow_row_keeps_the_configured_rows() -> None:
    narrow = _schema(5, "{type: integer}")
    assert len(plan_shards(_job(narrow, 3_000_000))) == 3
    assert len(plan_shards(_job(narrow, 300, shard_rows=64))) == 5
    assert len(plan_shards(_job(_schema(300, "uuid"), 300, shard_rows=64))) == 5
