"""From expression text to a checked tree of steps: parse with sqlglot, check every node
against the fields' types, collect every problem."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from pipeline.expressions import (
    arithmetic,
    casts,
    dates,
    functions,
    intervals,
    predicates,
    strings,
)
from pipeline.expressions.errors import Problem
from pipeline.expressions.nodes import HANDLERS, Checker, Node, constant, sql_of
from pipeline.expressions.rules import FUNCTIONS, function_name, refusal
from pipeline.expressions.types import ColumnType

# The handler modules register themselves on import; naming them keeps the imports used.
HANDLER_MODULES = (arithmetic, casts, dates, functions, intervals, predicates, strings)


TOO_DEEP = (
    "the expression nests too deeply for the parser (brackets or operators inside each other "
    "some dozens of times): compute parts of it in hidden fields"
)


class Compiler:
    """Checks one parsed expression against the types of the fields it may read."""

    def __init__(self, columns: Mapping[str, ColumnType]) -> None:
        self.columns = columns
        self.problems: list[Problem] = []
        self.names: list[str] = []

    def fail(self, message: str) -> None:
        if all(p.message != message for p in self.problems):
            self.problems.append(Problem(message))

    def node(self, expression: exp.Expr) -> Node | None:
        reason = refusal(expression)
        if reason is not None:
            self.fail(reason)
            return None
        handler = HANDLERS.get(type(expression))
        if handler is not None:
            return handler(self, expression)
        if isinstance(expression, exp.Anonymous):
            return self._unknown_function(expression)
        if isinstance(expression, exp.Func):
            self._children(expression)
            self.fail(f"{function_name(expression)}() is not a function of the expression language")
            return None
        self._children(expression)
        self.fail(f"'{sql_of(expression)}' is not supported in expressions")
        return None

    def _children(self, expression: exp.Expr) -> None:
        """Checks the arguments of a refused call too, so their own problems are reported."""
        for child in expression.iter_expressions():
            if isinstance(child, exp.Expr) and not isinstance(child, exp.Var):
                self.node(child)

    def _unknown_function(self, expression: exp.Anonymous) -> Node | None:
        name = function_name(expression)
        handler = functions.BY_NAME.get(name)
        if handler is not None:
            return handler(self, expression)
        self._children(expression)
        close = difflib.get_close_matches(name, FUNCTIONS, n=3, cutoff=0.6)
        hint = f" (did you mean {_alternatives(close, '()')}?)" if close else ""
        self.fail(f"unknown function {name}(){hint}")
        return None

    def column(self, expression: exp.Column) -> Node | None:
        if isinstance(expression.this, exp.Star):
            self.fail("'*' is not allowed: name the fields")
            return None
        name = ".".join(part.name for part in expression.parts)
        kind = self.columns.get(name)
        if kind is None:
            hint = self._suggest(name)
            if not hint and expression.this.args.get("quoted"):
                hint = f" (text is written in single quotes: '{name}')"
            self.fail(f"unknown field '{name}'{hint}")
            return None
        if name not in self.names:
            self.names.append(name)
        return Node(kind, lambda batch: batch.column(name, kind), sql_of(expression), field=name)

    def _suggest(self, name: str) -> str:
        same_case = [c for c in self.columns if c.lower() == name.lower()]
        close = same_case or difflib.get_close_matches(name, list(self.columns), n=3, cutoff=0.6)
        return f" (did you mean {_alternatives(close, '')}?)" if close else ""


def _alternatives(names: list[str], tail: str) -> str:
    quoted = [f"'{n}{tail}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


def parse(text: str) -> tuple[exp.Expr | None, list[Problem]]:
    """The syntax tree of one SQL expression, or the reason there is none."""
    if not text.strip():
        return None, [Problem("the expression is empty")]
    try:
        tree = sqlglot.parse_one(text, read="duckdb")
    except ParseError as error:
        found = error.errors[0] if error.errors else {}
        where = f" (line {found.get('line')}, column {found.get('col')})" if found else ""
        detail = _readable(str(found.get("description") or error))
        return None, [Problem(f"not a valid SQL expression{where}: {detail}")]
    except TokenError:
        return None, [Problem("not a valid SQL expression: a quote or bracket is not closed")]
    except RecursionError:
        return None, [Problem(TOO_DEEP)]
    if isinstance(tree, exp.Block):
        return None, [Problem("write one expression, not several separated by ';'")]
    if isinstance(tree, exp.Command):
        return None, [
            Problem(
                "not a valid SQL expression: it reads as a statement; a field named like a SQL "
                'keyword is written in double quotes ("comment")'
            )
        ]
    if isinstance(tree, exp.Alias):
        return None, [Problem("an expression takes no 'AS name': the field's name is its name")]
    return tree, []


def _readable(detail: str) -> str:
    """sqlglot's description without the names of its own classes."""
    if "Required keyword" in detail or "missing for" in detail:
        return "it ends too early, or an operator has nothing on one side"
    return re.sub(r" for <class '[^']*'>", "", detail)


def _column(checker: Checker, expression: exp.Column) -> Node | None:
    assert isinstance(checker, Compiler)
    return checker.column(expression)


def _literal(checker: Checker, expression: exp.Literal) -> Node | None:
    text = expression.this
    if expression.is_string:
        return Node(
            ColumnType.STRING, constant(pa.scalar(text, pa.string())), sql_of(expression), text
        )
    try:
        number: int | float = int(text)
        kind = ColumnType.INTEGER
    except ValueError:
        number, kind = float(text), ColumnType.FLOAT
    if kind is ColumnType.INTEGER and not -(2**63) <= number < 2**63:
        checker.fail(f"the number {text} does not fit a 64-bit integer")
        return None
    return Node(kind, constant(pa.scalar(number, kind.arrow)), sql_of(expression), number)


def _boolean(checker: Checker, expression: exp.Boolean) -> Node | None:
    value = bool(expression.this)
    return Node(ColumnType.BOOLEAN, constant(pa.scalar(value)), sql_of(expression), value)


def _null(checker: Checker, expression: exp.Null) -> Node | None:
    return Node(ColumnType.NULL, constant(pa.scalar(None)), "NULL", None)


def _paren(checker: Checker, expression: exp.Paren) -> Node | None:
    return checker.node(expression.this)


HANDLERS.update(
    {
        exp.Column: _column,
        exp.Literal: _literal,
        exp.Boolean: _boolean,
        exp.Null: _null,
        exp.Paren: _paren,
    }
)
