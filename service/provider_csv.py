"""A provider's data from CSV text: a header row, then one record per row.

Each column gets one type for all its cells: integers, numbers, booleans (``true``/``false``),
else text. A number written with a leading zero (``02134``) keeps the column text, so codes
keep their digits. A CSV of one column gives plain values, not records.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from service.dto import Item, Value
from service.errors import Invalid

_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_BOOLEAN = {"true": True, "false": False}


def _caster(cells: list[str]) -> Callable[[str], Value]:
    if cells and all(_INTEGER.fullmatch(c) for c in cells):
        return int
    if cells and all(_NUMBER.fullmatch(c) for c in cells):
        return float
    if cells and all(c.lower() in _BOOLEAN for c in cells):
        return lambda c: _BOOLEAN[c.lower()]
    return str


def items_from_csv(body: bytes) -> list[Item]:
    """The data of a provider from CSV bytes; Invalid naming the row or column at fault."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("the CSV is not UTF-8 text", field="body") from exc
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    except csv.Error as exc:
        raise Invalid(f"the CSV cannot be read: {exc}", field="body") from exc
    if len(rows) < 2:
        raise Invalid("the CSV needs a header row and at least one row of values", field="body")
    header, body_rows = [h.strip() for h in rows[0]], rows[1:]
    for name in header:
        if not name or header.count(name) > 1:
            raise Invalid(
                f"every column of the header needs a name of its own, got {rows[0]!r}",
                field="header",
            )
    for index, row in enumerate(body_rows):
        if len(row) != len(header):
            raise Invalid(
                f"row {index + 2} of the CSV has {len(row)} cells; the header has {len(header)}",
                field=f"data[{index}]",
            )
    casts = [_caster([row[i] for row in body_rows]) for i in range(len(header))]
    if len(header) == 1:
        return [casts[0](row[0]) for row in body_rows]
    return [
        {name: cast(cell) for name, cast, cell in zip(header, casts, row, strict=True)}
        for row in body_rows
    ]
