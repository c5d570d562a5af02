"""The pieces a compiled expression is made of, and the registry of what compiles each kind
of SQL syntax node."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from sqlglot import exp

from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch, Datum, Interval, Value


class IntervalKind(enum.Enum):
    """The type of an interval: a step for dates and datetimes, never a value of its own."""

    DAYS = "interval of whole days, months or years"
    CLOCK = "interval of hours, minutes or seconds"

    @property
    def article(self) -> str:
        return "an interval"


Kind: TypeAlias = ColumnType | IntervalKind


class _NoLiteral:
    def __repr__(self) -> str:
        return "NO_LITERAL"


NO_LITERAL: Any = _NoLiteral()


@dataclass(frozen=True)
class Node:
    """A checked piece of an expression: its type, and how to compute it from a batch.

    ``literal`` holds the Python value of a constant written in the expression (a number, a
    string) for the functions whose options must be written out (``round(x, 2)``); ``field``
    names the field a bare field reference reads.
    """

    kind: Kind
    run: Callable[[Batch], Value]
    sql: str
    literal: Any = NO_LITERAL
    field: str | None = None

    @property
    def column_kind(self) -> ColumnType:
        """The kind, for the callers that have refused intervals already."""
        assert isinstance(self.kind, ColumnType)
        return self.kind

    def datum(self, batch: Batch) -> Datum:
        value = self.run(batch)
        assert not isinstance(value, Interval)
        return value


class Checker(Protocol):
    """What a handler gets: the way to compile sub-expressions and to report problems."""

    def node(self, expression: exp.Expr) -> Node | None: ...

    def fail(self, message: str) -> None: ...


Handler: TypeAlias = Callable[[Checker, Any], "Node | None"]

HANDLERS: dict[type[exp.Expr], Handler] = {}


def handles(*kinds: type[exp.Expr]) -> Callable[[Handler], Handler]:
    """Register a handler for some SQL syntax node classes."""

    def register(handler: Handler) -> Handler:
        for kind in kinds:
            HANDLERS[kind] = handler
        return handler

    return register


def constant(value: Value) -> Callable[[Batch], Value]:
    """The step of a value written in the expression: the same for every batch."""

    def run(batch: Batch) -> Value:
        return value

    return run


def sql_of(expression: exp.Expr) -> str:
    return expression.sql(dialect="duckdb")


def spoken(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def unify(kinds: Iterable[Kind]) -> ColumnType | None:
    """The one type that values of all these types can take, or None.

    Integers and floats give float; dates and datetimes give datetime; NULL fits anything.
    """
    found: set[ColumnType] = set()
    for kind in kinds:
        if not isinstance(kind, ColumnType):
            return None
        if kind is not ColumnType.NULL:
            found.add(kind)
    if not found:
        return ColumnType.NULL
    if len(found) == 1:
        return found.pop()
    if found == {ColumnType.INTEGER, ColumnType.FLOAT}:
        return ColumnType.FLOAT
    if found == {ColumnType.DATE, ColumnType.DATETIME}:
        return ColumnType.DATETIME
    return None


def literal_int(checker: Checker, node: Node, what: str) -> int | None:
    """The integer written as ``what`` (a function option), or None with a problem."""
    if isinstance(node.literal, bool) or not isinstance(node.literal, int):
        checker.fail(f"{what} must be a whole number written in the expression, not '{node.sql}'")
        return None
    return node.literal


def literal_str(checker: Checker, node: Node, what: str) -> str | None:
    """The string written as ``what`` (a function option), or None with a problem."""
    if not isinstance(node.literal, str):
        checker.fail(f"{what} must be a string written in the expression, not '{node.sql}'")
        return None
    return node.literal
