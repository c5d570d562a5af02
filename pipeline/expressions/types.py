"""The column types an expression reads and gives, and their Arrow types."""

from __future__ import annotations

import enum

import pyarrow as pa


class ColumnType(enum.Enum):
    """The type of a field as expressions see it.

    ``NULL`` is the type of the ``NULL`` literal and of a column whose type is not known: it
    fits wherever a value is expected, and is not checked.
    """

    INTEGER = "integer"
    FLOAT = "float"
    STRING = "string"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    NULL = "null"

    @property
    def is_numeric(self) -> bool:
        return self in (ColumnType.INTEGER, ColumnType.FLOAT)

    @property
    def is_temporal(self) -> bool:
        return self in (ColumnType.DATE, ColumnType.DATETIME)

    @property
    def arrow(self) -> pa.DataType:
        """The Arrow type of this column type's arrays."""
        return _TO_ARROW[self]

    @property
    def article(self) -> str:
        """The type named for a message: 'a string', 'an integer'."""
        return "NULL" if self is ColumnType.NULL else f"{_ARTICLES[self]} {self.value}"


TIMESTAMP = pa.timestamp("us", tz="UTC")

_TO_ARROW: dict[ColumnType, pa.DataType] = {
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.STRING: pa.string(),
    ColumnType.BOOLEAN: pa.bool_(),
    ColumnType.DATE: pa.date32(),
    ColumnType.DATETIME: TIMESTAMP,
    ColumnType.NULL: pa.null(),
}

_ARTICLES = {
    ColumnType.INTEGER: "an",
    ColumnType.FLOAT: "a",
    ColumnType.STRING: "a",
    ColumnType.BOOLEAN: "a",
    ColumnType.DATE: "a",
    ColumnType.DATETIME: "a",
}


def column_type_of(arrow_type: pa.DataType) -> ColumnType:
    """The column type of an Arrow type (integers of any width are integer, and so on).

    A type with no counterpart (lists, structs, binary...) is ``NULL``: not checked.
    """
    if pa.types.is_boolean(arrow_type):
        return ColumnType.BOOLEAN
    if pa.types.is_integer(arrow_type):
        return ColumnType.INTEGER
    if pa.types.is_floating(arrow_type) or pa.types.is_decimal(arrow_type):
        return ColumnType.FLOAT
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return ColumnType.STRING
    if pa.types.is_dictionary(arrow_type):
        return column_type_of(arrow_type.value_type)
    if pa.types.is_date(arrow_type):
        return ColumnType.DATE
    if pa.types.is_timestamp(arrow_type):
        return ColumnType.DATETIME
    return ColumnType.NULL
