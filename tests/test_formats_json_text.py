"""The json writer's text is valid JSON holding exactly the batch's values, whatever they are."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from storage.formats.json import write_json

UTC = dt.UTC

# Every code point JSON must escape, and others that only look like trouble.
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
maybe = st.one_of(st.none(), texts)


def _json_rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    out = io.BytesIO()
    write_json([batch], out)
    return list(json.loads(b"[" + out.getvalue() + b"]"))


def _expected(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(texts, maybe, st.integers(0, 20000), st.booleans()), min_size=1, max_size=30)
)
def test_any_text_round_trips_through_the_json_writer(rows: list[tuple[Any, ...]]) -> None:
    n = len(rows)
    start = dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    batch = pa.RecordBatch.from_pydict(
        {
            "text": pa.array([r[0] for r in rows], type=pa.string()),
            "maybe": pa.array([r[1] for r in rows], type=pa.string()),
            'a "key"\n': pa.array([r[2] for r in rows], type=pa.int64()),
            "day": pa.array([dt.date(2000, 1, 1) + dt.timedelta(days=r[2]) for r in rows]),
            "at": pa.array(
                [None if r[3] else start + dt.timedelta(seconds=r[2]) for r in rows],
                type=pa.timestamp("us", tz="UTC"),
            ),
        }
    )
    expected = [
        {name: _expected(value) for name, value in row.items()} for row in batch.to_pylist()
    ]
    assert _json_rows(batch) == expected
    assert len(expected) == n


def test_timestamps_are_written_as_arrow_would_write_them() -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from storage.formats.text import TIMESTAMP_FORMAT, timestamps_text

    rng = np.random.default_rng(5)
    # Years 0001 to 9999, before and after 1970, leap days included; a tenth null.
    micros = rng.integers(-62135596800 * 10**6, 253402300799 * 10**6, 20_000)
    micros[:3] = [0, -1, 951782400 * 10**6]  # the epoch, a microsecond before, 2000-02-29
    stamps = pa.array(micros, type=pa.timestamp("us", tz="UTC"), mask=rng.random(20_000) < 0.1)
    for values in (stamps, stamps.slice(7, 500)):
        assert timestamps_text(values).equals(pc.strftime(values, format=TIMESTAMP_FORMAT))
    assert timestamps_text(stamps[:3]).to_pylist()[:3] == [
        "1970-01-01T00:00:00.000000Z",
        "1969-12-31T23:59:59.999999Z",
        "2000-02-29T00:00:00.000000Z",
    ]
