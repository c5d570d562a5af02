"""NDJSON shards: the json format's objects, one per line, each ended by ``\\n``; shards join
by concatenation."""

from __future__ import annotations

from collections.abc import Iterable
from typing import BinaryIO

import pyarrow as pa

from storage.formats.json import objects
from storage.formats.text import string_bytes

LINE_END = "\n"


def write_ndjson(batches: Iterable[pa.RecordBatch], out: BinaryIO) -> int:
    rows = 0
    for batch in batches:
        if batch.num_rows:
            out.write(string_bytes(objects(batch, "", LINE_END)))
            rows += batch.num_rows
    return rows
