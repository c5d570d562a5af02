"""SQL shards: the first opens with the table's CREATE TABLE, then rows as multi-row INSERTs.

Every row is one line: ``INSERT INTO t (...) VALUES (...),`` opens a statement on the line of
its first row, later rows follow as ``(...),`` and the statement's last row ends in ``;``.
Statements hold ``STATEMENT_ROWS`` rows counted from the job's first row, not the shard's, so
a shard's bytes do not depend on where shards begin and shards join by concatenation. No value
holds a raw line break (each dialect writes them escaped), so the merge counts rows by lines;
the CREATE TABLE ends at the first empty line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from storage.errors import StorageError
from storage.formats.text import (
    binary_hex,
    is_binary,
    nested_json,
    string_bytes,
    timestamps_text,
)

DIALECTS = ("postgres", "mysql", "sqlite")
DEFAULT_DIALECT = "postgres"
STATEMENT_ROWS = 1000
HEADER_END = b"\n\n"  # the CREATE TABLE is followed by one empty line
# MySQL's DATETIME takes no zone: values are written in UTC without one.
MYSQL_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
_CONTROL = r"[\x00-\x1f]"
_PG_SHORT = {8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}
# MySQL's escapes (with backslash escapes on, its default mode); other control characters are
# kept as they are, which MySQL accepts.
_MYSQL_SHORT = {0: "\\0", 8: "\\b", 9: "\\t", 10: "\\n", 13: "\\r", 26: "\\Z"}


class SqlFormatError(StorageError, ValueError):
    """A value or name the chosen SQL dialect cannot hold."""


@dataclass(frozen=True)
class SqlLayout:
    """What an sql shard needs beyond its rows."""

    dialect: str
    table: str
    create_table: str  # the DDL, written at the head of the first shard
    start: int  # the job's index of the shard's first row
    count: int  # the job's rows: its last row ends the last statement


def check_dialect(dialect: str) -> str:
    if dialect not in DIALECTS:
        expected = ", ".join(DIALECTS)
        raise SqlFormatError(f"unknown SQL dialect {dialect!r}; expected one of {expected}")
    return dialect


def quote_ident(name: str, dialect: str) -> str:
    """A quoted identifier, so names such as Order or user stay usable."""
    if any(ord(char) < 0x20 for char in name):
        raise SqlFormatError(f"the name {name!r} holds a control character")
    if dialect == "mysql":
        return "`" + name.replace("`", "``") + "`"
    return '"' + name.replace('"', '""') + '"'


def literal(value: object, dialect: str) -> str:
    """One value as an SQL literal of ``dialect``."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return str(text_literals(pa.array([str(value)], type=pa.string()), dialect)[0].as_py())


def text_literals(values: pa.Array, dialect: str, column: str = "") -> pa.Array:
    """String values as quoted literals of ``dialect`` (nulls stay null)."""
    values = values.cast(pa.string())
    if dialect == "mysql":
        return _quoted(_mysql_escape(values))
    if dialect == "sqlite":
        return _quoted(_sqlite_escape(values))
    return _postgres_literals(values, column)


def _quoted(values: pa.Array, opening: str = "'") -> pa.Array:
    return pc.binary_join_element_wise(opening, values, "'", "")


def _has(values: pa.Array, regex: str) -> bool:
    return bool(pc.any(pc.match_substring_regex(values, regex)).as_py())


def _any_byte(values: pa.Array, *codes: int) -> bool:
    # One pass over the column's bytes is far cheaper than a regex per value.
    data = np.frombuffer(string_bytes(values), dtype=np.uint8)
    return bool(np.any(np.isin(data, codes)))


def _controls(values: pa.Array) -> list[int]:
    """The control characters the values hold."""
    data = np.frombuffer(string_bytes(values), dtype=np.uint8)
    return [int(code) for code in np.unique(data[data < 0x20])]


def _postgres_literals(values: pa.Array, column: str) -> pa.Array:
    """'...' with quotes doubled; a value with a backslash or control character as an E'...'
    escape string, which reads the same whatever standard_conforming_strings says."""
    plain = pc.replace_substring(values, "'", "''")
    controls = _controls(values)
    if 0 in controls:
        where = f" (column {column})" if column else ""
        raise SqlFormatError(f"PostgreSQL text cannot hold the NUL character{where}")
    if not controls and not _any_byte(values, 0x5C):
        return _quoted(plain)
    escaped = pc.replace_substring(plain, "\\", "\\\\")
    for code in controls:
        escaped = pc.replace_substring(escaped, chr(code), _PG_SHORT.get(code, f"\\x{code:02X}"))
    needs = pc.match_substring_regex(values, r"[\x00-\x1f\\]")
    return pc.if_else(needs, _quoted(escaped, "E'"), _quoted(plain))


def _mysql_escape(values: pa.Array) -> pa.Array:
    if _any_byte(values, 0x5C):
        values = pc.replace_substring(values, "\\", "\\\\")
    values = pc.replace_substring(values, "'", "''")
    for code in _controls(values):
        if code in _MYSQL_SHORT:
            values = pc.replace_substring(values, chr(code), _MYSQL_SHORT[code])
    return values


def _sqlite_escape(values: pa.Array) -> pa.Array:
    """SQLite literals have no escapes: a control character is spliced in with char()."""
    values = pc.replace_substring(values, "'", "''")
    for code in _controls(values):
        values = pc.replace_substring(values, chr(code), f"' || char({code}) || '")
    return values


def sql_values(values: pa.Array, dialect: str, column: str = "") -> pa.Array:
    """A column as SQL literals, NULL for nulls."""
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = text_literals(values, dialect, column)
    elif pa.types.is_nested(kind):
        text = text_literals(nested_json(values), dialect, column)
    elif pa.types.is_timestamp(kind):
        if dialect == "mysql":
            stamps = pc.strftime(values, format=MYSQL_TIMESTAMP_FORMAT)
        else:
            stamps = timestamps_text(values)
        text = _quoted(stamps)
    elif pa.types.is_date(kind):
        text = _quoted(values.cast(pa.string()))
    elif is_binary(kind):
        text = binary_literals(values, dialect)
    elif pa.types.is_boolean(kind):
        text = pc.if_else(values, "TRUE", "FALSE")
    elif pa.types.is_null(kind):
        return pa.repeat(pa.scalar("NULL"), len(values))
    else:
        text = values.cast(pa.string())
    return pc.fill_null(text, "NULL") if text.null_count else text


def binary_literals(values: pa.Array, dialect: str) -> pa.Array:
    """Bytes as hex literals: postgres reads '\\x...' into BYTEA, the others X'...'."""
    opening = "'\\x" if dialect == "postgres" else "X'"
    return _quoted(binary_hex(values, prefix=""), opening)


def insert_head(schema: pa.Schema, layout: SqlLayout) -> str:
    names = ", ".join(quote_ident(name, layout.dialect) for name in schema.names)
    return f"INSERT INTO {quote_ident(layout.table, layout.dialect)} ({names}) VALUES "


def row_text(batch: pa.RecordBatch, head: str, first: int, layout: SqlLayout) -> pa.Array:
    """One line per row: a statement's opening before its first row, its end after its last."""
    index = np.arange(first, first + batch.num_rows, dtype=np.int64)
    at = index % STATEMENT_ROWS
    opens = pa.array(at == 0)
    closes = pa.array((at == STATEMENT_ROWS - 1) | (index == layout.count - 1))
    pieces: list[pa.Array | str] = [pc.if_else(opens, head, ""), "("]
    for i, name in enumerate(batch.schema.names):
        if i:
            pieces.append(", ")
        pieces.append(sql_values(batch.column(i), layout.dialect, name))
    pieces += [")", pc.if_else(closes, ";\n", ",\n")]
    return pc.binary_join_element_wise(*pieces, "")


def write_sql(
    batches: Iterable[pa.RecordBatch],
    out: BinaryIO,
    *,
    schema: pa.Schema,
    layout: SqlLayout,
    with_header: bool,
) -> int:
    check_dialect(layout.dialect)
    if not schema.names:
        raise SqlFormatError(f"{layout.table} has no columns to write as SQL")
    if with_header:
        out.write(layout.create_table.rstrip("\n").encode() + HEADER_END)
    head = insert_head(schema, layout)
    rows = 0
    for batch in batches:
        if batch.num_rows:
            out.write(string_bytes(row_text(batch, head, layout.start + rows, layout)))
            rows += batch.num_rows
    return rows


def header_lines(head: bytes) -> int | None:
    """The lines of an sql file's CREATE TABLE and the empty line after it, or None when
    ``head`` does not reach its end."""
    at = head.find(HEADER_END)
    return None if at < 0 else head[: at + len(HEADER_END)].count(b"\n")
