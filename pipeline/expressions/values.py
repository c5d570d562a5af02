"""What a compiled expression passes between its steps, and the batch it reads from."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.expressions.types import ColumnType

# A column (array or chunked array), or a constant (scalar) that Arrow broadcasts.
Datum: TypeAlias = pa.Array | pa.ChunkedArray | pa.Scalar


@dataclass(frozen=True)
class Interval:
    """A span of calendar months plus microseconds, each a constant or a column of int64."""

    months: int | pa.Array | pa.ChunkedArray
    micros: int | pa.Array | pa.ChunkedArray


Value: TypeAlias = Datum | Interval
# What expressions read: a table, a record batch, or columns by name (all of one length).
Columns: TypeAlias = pa.Table | pa.RecordBatch | Mapping[str, pa.Array | pa.ChunkedArray]


class LazyColumns(Mapping[str, pa.Array]):
    """Columns of ``rows`` rows by name, each made by ``read`` when a step first reads it: a
    column given in ``Batch``'s pools too is never made when every step takes the pool."""

    def __init__(self, names: Sequence[str], read: Callable[[str], pa.Array], rows: int) -> None:
        self._names = list(names)
        self._read = read
        self._made: dict[str, pa.Array] = {}
        self.rows = rows

    def __getitem__(self, name: str) -> pa.Array:
        found = self._made.get(name)
        if found is None:
            if name not in self._names:
                raise KeyError(name)
            found = self._made[name] = self._read(name)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Batch:
    """The columns of one batch, by field name, converted to the types expressions expect.

    A nested member ``address.city`` is a column of that name, or the ``city`` member of a
    struct column ``address``. ``pools`` may give some columns as drawn from a pool too (a
    dictionary array of the same values), which steps that can work on the pool's values
    once, then on the rows' indices, read with ``pooled``.
    """

    def __init__(
        self,
        data: Columns,
        rows: int | None = None,
        pools: Mapping[str, pa.DictionaryArray] | None = None,
    ) -> None:
        self.pools = pools or {}
        if isinstance(data, pa.Table | pa.RecordBatch):
            self.columns: Mapping[str, Datum] = dict(
                zip(data.schema.names, data.columns, strict=True)
            )
            self.rows = data.num_rows
        elif isinstance(data, LazyColumns):
            self.columns = data  # of one length by construction; read when used
            self.rows = data.rows
        else:
            self.columns = data
            lengths = {len(column) for column in data.values()}
            if len(lengths) > 1 or (rows is not None and lengths and rows not in lengths):
                raise ValueError(f"columns of different lengths: {sorted(lengths)}")
            self.rows = rows if rows is not None else next(iter(lengths), 0)
        self._cache: dict[str, Datum] = {}

    def column(self, name: str, kind: ColumnType) -> Datum:
        found = self._cache.get(name)
        if found is None:
            found = self._cache[name] = _conform(self._read(name), kind)
        return found

    def pooled(self, name: str) -> pa.DictionaryArray | None:
        """The column as indices into a pool of its values, when it is given so."""
        found = self.pools.get(name)
        if found is None:
            column = self.columns.get(name)
            found = column if isinstance(column, pa.DictionaryArray) else None
        return found

    def _read(self, name: str) -> Datum:
        found = self.columns.get(name)
        if found is not None:
            return found
        head, _, rest = name.partition(".")
        if rest and head in self.columns:
            column = self.columns[head]
            for member in rest.split("."):
                column = pc.struct_field(column, member)
            return column
        raise KeyError(name)


def _conform(column: Datum, kind: ColumnType) -> Datum:
    if kind is ColumnType.NULL or column.type == kind.arrow:
        return column
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    return column.cast(kind.arrow)


def typed(value: Datum, kind: ColumnType) -> Datum:
    """The value as the Arrow type of ``kind`` (a NULL literal gets the type it is used as)."""
    if kind is ColumnType.NULL or value.type == kind.arrow:
        return value
    return value.cast(kind.arrow)


def on_numpy(
    action: Callable[..., np.ndarray], out: pa.DataType, *args: Any, fill: Any = 0
) -> Datum:
    """``action`` on numpy views of the arguments, null wherever an argument is null.

    Scalars stay scalars for numpy to broadcast; nulls are replaced by ``fill`` before the call
    and masked after, so ``action`` never sees them.
    """
    arrays: list[Any] = []
    missing: np.ndarray | None = None
    length = None
    for arg in args:
        if isinstance(arg, pa.Scalar):
            if not arg.is_valid:
                return pa.scalar(None, out)
            arrays.append(arg.as_py())
            continue
        if isinstance(arg, pa.ChunkedArray):
            arg = arg.combine_chunks()
        if not isinstance(arg, pa.Array):
            arrays.append(arg)
            continue
        length = len(arg)
        if arg.null_count:
            nulls = arg.is_null().to_numpy(zero_copy_only=False)
            missing = nulls if missing is None else missing | nulls
            arg = arg.fill_null(fill)
        arrays.append(_numbers(arg))
    result = action(*arrays)
    if length is None:
        return pa.scalar(result.item() if isinstance(result, np.ndarray) else result, out)
    return pa.array(result, type=out, mask=missing)


def _numbers(array: pa.Array) -> np.ndarray:
    if pa.types.is_date32(array.type):
        return array.cast(pa.int32()).to_numpy().astype(np.int64)
    if pa.types.is_timestamp(array.type):
        return array.cast(pa.int64()).to_numpy()
    return array.to_numpy(zero_copy_only=False)


def broadcast(value: Datum, rows: int) -> pa.Array:
    """A whole column from a value: constants repeated, chunked arrays joined."""
    if isinstance(value, pa.Scalar):
        if not value.is_valid:
            return pa.nulls(rows, value.type)
        return pa.repeat(value, rows)
    if isinstance(value, pa.ChunkedArray):
        return value.combine_chunks()
    return value


def per_day(column: Datum, action: Callable[[Datum], Datum]) -> Datum:
    """``action`` over a date column, computed once per day of the column's range when that
    range is much shorter than the column (generated dates span years, blocks hold tens of
    thousands of rows), then spread to the rows by index."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not isinstance(column, pa.Array) or len(column) < 1024 or column.null_count == len(column):
        return action(column)
    days = column.cast(pa.int32())
    bounds = pc.min_max(days)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if (high - low + 1) * 4 > len(column):
        return action(column)
    every_day = pa.array(np.arange(low, high + 1, dtype=np.int32)).cast(pa.date32())
    return pc.take(action(every_day), pc.subtract(days, pa.scalar(low, pa.int32())))
