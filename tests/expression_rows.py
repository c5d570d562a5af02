"""Rows with nulls in every column, as Python values and as an Arrow table, for checking
expressions against the same computation written in plain Python."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

import pyarrow as pa

from pipeline.expressions import ColumnType

UTC = dt.UTC
COLUMNS = {
    "i": ColumnType.INTEGER,
    "j": ColumnType.INTEGER,
    "f": ColumnType.FLOAT,
    "g": ColumnType.FLOAT,
    "s": ColumnType.STRING,
    "t": ColumnType.STRING,
    "b": ColumnType.BOOLEAN,
    "c": ColumnType.BOOLEAN,
    "d": ColumnType.DATE,
    "e": ColumnType.DATE,
    "ts": ColumnType.DATETIME,
    "u": ColumnType.DATETIME,
    "digits": ColumnType.STRING,
    "day_text": ColumnType.STRING,
    "address.city": ColumnType.STRING,
}
_TYPES = {
    "i": pa.int64(),
    "j": pa.int64(),
    "f": pa.float64(),
    "g": pa.float64(),
    "s": pa.string(),
    "t": pa.string(),
    "b": pa.bool_(),
    "c": pa.bool_(),
    "d": pa.date32(),
    "e": pa.date32(),
    "ts": pa.timestamp("us", tz="UTC"),
    "u": pa.timestamp("us", tz="UTC"),
    "digits": pa.string(),
    "day_text": pa.string(),
}
_WORDS = ["apple", "Bob", " padded ", "", "héllo wörld", "a", "banana split", "ÉCOLE", "xyz "]
_EDGE_DAYS = [
    dt.date(2020, 1, 31),
    dt.date(2020, 2, 29),
    dt.date(2019, 12, 31),
    dt.date(1969, 12, 31),
]


def _maybe(rng: random.Random, make: Callable[[], Any]) -> Any:
    return None if rng.random() < 0.15 else make()


def _day(rng: random.Random) -> dt.date:
    if rng.random() < 0.2:
        return rng.choice(_EDGE_DAYS)
    return dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(0, 30_000))


def _moment(rng: random.Random) -> dt.datetime:
    day = _day(rng)
    return dt.datetime(day.year, day.month, day.day, tzinfo=UTC) + dt.timedelta(
        seconds=rng.randrange(0, 86_400)
    )


def make_rows(count: int = 600, seed: int = 3) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        rows.append(
            {
                "i": _maybe(rng, lambda: rng.randint(-20, 20)),
                "j": _maybe(rng, lambda: rng.choice([0, 1, 2, 3, -3, 7, 1000])),
                "f": _maybe(rng, lambda: round(rng.uniform(-100, 100), 3)),
                "g": _maybe(rng, lambda: rng.choice([0.0, 0.5, 2.5, -2.5, 3.25, 0.125])),
                "s": _maybe(rng, lambda: rng.choice(_WORDS)),
                "t": _maybe(rng, lambda: rng.choice(_WORDS)),
                "b": _maybe(rng, lambda: rng.random() < 0.5),
                "c": _maybe(rng, lambda: rng.random() < 0.5),
                "d": _maybe(rng, lambda: _day(rng)),
                "e": _maybe(rng, lambda: _day(rng)),
                "ts": _maybe(rng, lambda: _moment(rng)),
                "u": _maybe(rng, lambda: _moment(rng)),
                "digits": _maybe(rng, lambda: rng.choice(["12", " -7 ", "x1", "3.5", "", "0042"])),
                "day_text": _maybe(
                    rng, lambda: rng.choice(["2024-02-29", "2023-02-29", "2021-07-04", "soon"])
                ),
                "address": _maybe(rng, lambda: {"city": rng.choice(["Austin", "Lyon", None])}),
            }
        )
    return rows


def make_table(rows: list[dict[str, Any]]) -> pa.Table:
    columns = {name: pa.array([r[name] for r in rows], type=kind) for name, kind in _TYPES.items()}
    columns["address"] = pa.array(
        [r["address"] for r in rows], type=pa.struct([("city", pa.string())])
    )
    return pa.table(columns)


def member(row: dict[str, Any], name: str) -> Any:
    """A row's value by expression name (``address.city`` inside ``address``)."""
    if name == "address.city":
        return None if row["address"] is None else row["address"]["city"]
    return row[name]
