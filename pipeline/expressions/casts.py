"""``cast(x AS type)`` and the conversions other steps share (to text for ``||``, text
written where a date is expected)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions.formatting import strftime
from pipeline.expressions.nodes import Checker, Node, handles, sql_of
from pipeline.expressions.types import TIMESTAMP, ColumnType
from pipeline.expressions.values import Batch, Datum

_T = exp.DataType.Type
TARGETS: dict[Any, ColumnType] = {
    **dict.fromkeys(
        (_T.INT, _T.BIGINT, _T.SMALLINT, _T.TINYINT, _T.INT128, _T.UBIGINT, _T.UINT),
        ColumnType.INTEGER,
    ),
    **dict.fromkeys((_T.DOUBLE, _T.FLOAT, _T.DECIMAL), ColumnType.FLOAT),
    **dict.fromkeys((_T.VARCHAR, _T.TEXT, _T.CHAR, _T.NVARCHAR), ColumnType.STRING),
    _T.BOOLEAN: ColumnType.BOOLEAN,
    _T.DATE: ColumnType.DATE,
    **dict.fromkeys(
        (_T.TIMESTAMP, _T.TIMESTAMPNTZ, _T.TIMESTAMPTZ, _T.DATETIME), ColumnType.DATETIME
    ),
}

# Which conversions exist (besides a type to itself and NULL to anything).
_ALLOWED = {
    ColumnType.INTEGER: {ColumnType.FLOAT, ColumnType.STRING, ColumnType.BOOLEAN},
    ColumnType.FLOAT: {ColumnType.INTEGER, ColumnType.STRING, ColumnType.BOOLEAN},
    ColumnType.BOOLEAN: {ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.STRING},
    ColumnType.STRING: {
        ColumnType.INTEGER,
        ColumnType.FLOAT,
        ColumnType.BOOLEAN,
        ColumnType.DATE,
        ColumnType.DATETIME,
    },
    ColumnType.DATE: {ColumnType.DATETIME, ColumnType.STRING},
    ColumnType.DATETIME: {ColumnType.DATE, ColumnType.STRING},
}

_INTEGER_TEXT = r"^\s*[+-]?[0-9]{1,18}\s*$"
_FLOAT_TEXT = r"^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"
_DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
_TRUE = pa.array(["true", "t", "yes", "y", "1"])
_FALSE = pa.array(["false", "f", "no", "n", "0"])
_LIMIT = float(2**63)


@handles(exp.Cast, exp.TryCast)
def _cast(checker: Checker, expression: exp.Cast) -> Node | None:
    source = checker.node(expression.this)
    target_type = expression.to
    target = TARGETS.get(target_type.this)
    if target is None:
        checker.fail(
            f"cannot cast to {sql_of(target_type)} in '{sql_of(expression)}': the types are "
            "integer, double, varchar, boolean, date and timestamp"
        )
        return None
    if source is None:
        return None
    if not isinstance(source.kind, ColumnType):
        checker.fail(f"cannot cast an interval in '{sql_of(expression)}'")
        return None
    if isinstance(source.literal, str) and target.is_temporal:
        return temporal_literal(checker, source, target, sql_of(expression))
    kind = source.kind
    if kind is not target and kind is not ColumnType.NULL and target not in _ALLOWED[kind]:
        checker.fail(f"cannot cast {kind.article} to {target.value} in '{sql_of(expression)}'")
        return None

    def run(batch: Batch) -> Datum:
        return convert(source.datum(batch), kind, target)

    return Node(target, run, sql_of(expression))


def temporal_literal(checker: Checker, source: Node, target: ColumnType, sql: str) -> Node | None:
    """A date or datetime written as text, read once when the expression is compiled."""
    text = str(source.literal).strip()
    try:
        if target is ColumnType.DATE:
            value: dt.date = dt.date.fromisoformat(text)
            scalar = pa.scalar(value, pa.date32())
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            scalar = pa.scalar(moment, TIMESTAMP)
            value = moment
    except ValueError:
        checker.fail(
            f"'{text}' is not a {target.value} in '{sql}' "
            "(write it as 2025-01-31 or 2025-01-31 12:00:00)"
        )
        return None
    return Node(target, lambda batch: scalar, sql, value)


def convert(value: Datum, source: ColumnType, target: ColumnType) -> Datum:
    """The values of one type as another, null where a value has no counterpart."""
    if source is target:
        return value
    if source is ColumnType.NULL:
        return value.cast(target.arrow)
    if target is ColumnType.STRING:
        return to_text(value, source)
    if source is ColumnType.STRING:
        return _from_text(value, target)
    if source is ColumnType.FLOAT and target is ColumnType.INTEGER:
        rounded = pc.round(value, 0, round_mode="half_towards_infinity")
        fits = pc.less(pc.abs(rounded), _LIMIT)
        return pc.if_else(fits, rounded, pa.scalar(None, pa.float64())).cast(pa.int64())
    return value.cast(target.arrow)


def to_text(value: Datum, source: ColumnType) -> Datum:
    """Values as text: numbers in their shortest form, true/false, ISO dates, datetimes to the
    second."""
    if source is ColumnType.STRING:
        return value
    if source is ColumnType.DATETIME:
        return strftime(value, "%Y-%m-%d %H:%M:%S")
    return value.cast(pa.string())


def _from_text(value: Datum, target: ColumnType) -> Datum:
    if target is ColumnType.INTEGER:
        return _matching(value, _INTEGER_TEXT).cast(pa.int64())
    if target is ColumnType.FLOAT:
        return _matching(value, _FLOAT_TEXT).cast(pa.float64())
    if target is ColumnType.BOOLEAN:
        word = pc.utf8_lower(pc.utf8_trim_whitespace(value))
        yes, no = pc.is_in(word, value_set=_TRUE), pc.is_in(word, value_set=_FALSE)
        return pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
    text = pc.utf8_trim_whitespace(value)
    formats = _DATETIME_FORMATS[2:] if target is ColumnType.DATE else _DATETIME_FORMATS
    parsed = [_strict_time(text, f) for f in formats]
    moment = pc.coalesce(*parsed) if len(parsed) > 1 else parsed[0]
    return moment.cast(pa.timestamp("s", tz="UTC")).cast(target.arrow)


def _strict_time(text: Datum, pattern: str) -> Datum:
    """Text read as a moment in one format, null unless it is exactly that moment written in
    that format (the parser itself rolls 2023-02-29 over to March 1st)."""
    moment = pc.strptime(text, format=pattern, unit="s", error_is_null=True)
    written = pc.strftime(moment, format=pattern)
    return pc.if_else(pc.equal(written, text), moment, pa.scalar(None, moment.type))


def _matching(value: Datum, pattern: str) -> Datum:
    ok = pc.match_substring_regex(value, pattern)
    return pc.if_else(ok, pc.utf8_trim_whitespace(value), pa.scalar(None, pa.string()))
