"""Text: ||, concat, upper, lower, length, substr, replace, trim, lpad and rpad, LIKE."""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from pipeline.expressions import pooled
from pipeline.expressions.casts import to_text
from pipeline.expressions.nodes import (
    NO_LITERAL,
    Checker,
    IntervalKind,
    Node,
    constant,
    handles,
    literal_int,
    literal_str,
    sql_of,
)
from pipeline.expressions.types import ColumnType
from pipeline.expressions.values import Batch, Datum, Value, typed

_S, _NULL = ColumnType.STRING, ColumnType.NULL


def _text(checker: Checker, expression: exp.Expr, what: str) -> Node | None:
    found = checker.node(expression)
    if found is None:
        return None
    if found.kind not in (_S, _NULL):
        checker.fail(f"{what} must be text, but '{found.sql}' is {found.kind.article}")
        return None
    return found


def _parts(expression: exp.Expr) -> list[exp.Expr]:
    """The operands of a chain a || b || c, so it is joined in one pass."""
    if isinstance(expression, exp.DPipe):
        return _parts(expression.this) + _parts(expression.expression)
    return [expression]


def _joined(checker: Checker, operands: list[exp.Expr], sql: str, skip_nulls: bool) -> Node | None:
    nodes = [checker.node(operand) for operand in operands]
    found = [n for n in nodes if n is not None]
    if len(found) < len(nodes):
        return None
    for node in found:
        if isinstance(node.kind, IntervalKind):
            checker.fail(f"an interval cannot be joined as text in '{sql}'")
            return None

    pieces = _merged(found)
    separator = _separator(pieces)
    values = pieces[::2] if separator is not None else pieces
    # Text fields and written text only: joined from the fields' pools when the batch has them
    # (concat()'s nulls read as empty text do not arise: pools without nulls only).
    parts = pooled.plan(pieces)

    def run(batch: Batch) -> Value:
        if parts is not None:
            joined = pooled.join(parts, batch)
            if joined is not None:
                return joined
        texts = [_as_text(n, batch) for n in values]
        if skip_nulls:
            # concat() reads a null as empty text (and Arrow's own "skip" handling drops the
            # rows where every part is null, so it is not used).
            texts = [pc.fill_null(t, "") for t in texts]
        if separator is not None:
            return pc.binary_join_element_wise(*texts, separator, null_handling="emit_null")
        return pc.binary_join_element_wise(*texts, "", null_handling="emit_null")

    literal = (
        "".join(str(n.literal) for n in found)
        if all(isinstance(n.literal, str) for n in found)
        else None
    )
    return Node(_S, run, sql) if literal is None else Node(_S, run, sql, literal)


def _merged(nodes: list[Node]) -> list[Node]:
    """The parts with neighbouring written-out texts joined into one."""
    merged: list[Node] = []
    for node in nodes:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and isinstance(previous.literal, str)
            and isinstance(node.literal, str)
        ):
            text = previous.literal + node.literal
            value = pa.scalar(text)
            merged[-1] = Node(_S, constant(value), f"{previous.sql} || {node.sql}", text)
        else:
            merged.append(node)
    return merged


def _separator(pieces: list[Node]) -> str | None:
    """The text between every two fields of ``a || ', ' || b || ', ' || c``, if there is one:
    Arrow joins with a separator faster than it joins a list of parts."""
    if len(pieces) < 3 or len(pieces) % 2 == 0:
        return None
    between = {p.literal for p in pieces[1::2]}
    fields = pieces[::2]
    if len(between) != 1 or any(not isinstance(p.literal, str) for p in pieces[1::2]):
        return None
    if any(p.literal is not NO_LITERAL for p in fields):
        return None
    return str(between.pop())


def _as_text(node: Node, batch: Batch) -> Datum:
    kind = node.column_kind
    return to_text(typed(node.datum(batch), _S if kind is _NULL else kind), kind)


@handles(exp.DPipe)
def _pipes(checker: Checker, expression: exp.DPipe) -> Node | None:
    return _joined(checker, _parts(expression), sql_of(expression), skip_nulls=False)


@handles(exp.Concat)
def _concat(checker: Checker, expression: exp.Concat) -> Node | None:
    return _joined(checker, list(expression.expressions), sql_of(expression), skip_nulls=True)


def _unary(
    action: Callable[[Datum], Datum], out: ColumnType, what: str
) -> Callable[[Checker, exp.Func], Node | None]:
    def handler(checker: Checker, expression: exp.Func) -> Node | None:
        value = _text(checker, expression.this, f"the value of {what}")
        if value is None:
            return None
        return Node(out, lambda batch: action(typed(value.datum(batch), _S)), sql_of(expression))

    return handler


handles(exp.Upper)(_unary(pc.utf8_upper, _S, "upper"))
handles(exp.Lower)(_unary(pc.utf8_lower, _S, "lower"))
handles(exp.Length)(
    _unary(lambda v: pc.utf8_length(v).cast(pa.int64()), ColumnType.INTEGER, "length")
)


@handles(exp.Substring)
def _substr(checker: Checker, expression: exp.Substring) -> Node | None:
    sql = sql_of(expression)
    value = _text(checker, expression.this, "the value of substr")
    start_at = expression.args.get("start")
    length_of = expression.args.get("length")
    start_node = checker.node(start_at) if start_at is not None else None
    length_node = checker.node(length_of) if length_of is not None else None
    start = literal_int(checker, start_node, "the start of substr") if start_node else None
    length = literal_int(checker, length_node, "the length of substr") if length_node else None
    if value is None or start is None or (length_of is not None and length is None):
        if start_at is None:
            checker.fail(f"substr needs a start position in '{sql}'")
        return None
    if start == 0:
        checker.fail(f"positions start at 1 (or count from the end when negative) in '{sql}'")
        return None
    if length is not None and length < 0:
        checker.fail(f"the length of substr cannot be negative in '{sql}'")
        return None
    first = start - 1 if start > 0 else start
    stop = None if length is None else first + length
    if stop is not None and first < 0 <= stop:
        stop = None

    def run(batch: Batch) -> Value:
        text = typed(value.datum(batch), _S)
        if stop is None:
            return pc.utf8_slice_codeunits(text, start=first)
        return pc.utf8_slice_codeunits(text, start=first, stop=stop)

    return Node(_S, run, sql)


@handles(exp.Replace)
def _replace(checker: Checker, expression: exp.Replace) -> Node | None:
    sql = sql_of(expression)
    value = _text(checker, expression.this, "the value of replace")
    old_node = checker.node(expression.expression)
    new_node = checker.node(expression.args["replacement"])
    old = literal_str(checker, old_node, "the text replace looks for") if old_node else None
    new = literal_str(checker, new_node, "the replacement of replace") if new_node else None
    if value is None or old is None or new is None:
        return None
    if not old:
        checker.fail(f"replace needs some text to look for in '{sql}'")
        return None

    def run(batch: Batch) -> Value:
        return pc.replace_substring(typed(value.datum(batch), _S), pattern=old, replacement=new)

    return Node(_S, run, sql)


@handles(exp.Trim)
def _trim(checker: Checker, expression: exp.Trim) -> Node | None:
    sql = sql_of(expression)
    value = _text(checker, expression.this, "the value of trim")
    chars_at = expression.args.get("expression")
    chars_node = checker.node(chars_at) if chars_at is not None else None
    chars = " "
    if chars_node is not None:
        written = literal_str(checker, chars_node, "the characters trim removes")
        if written is None:
            return None
        chars = written
    if value is None:
        return None
    position = str(expression.args.get("position") or "BOTH").upper()
    action = {"LEADING": pc.utf8_ltrim, "TRAILING": pc.utf8_rtrim}.get(position, pc.utf8_trim)

    def run(batch: Batch) -> Value:
        return action(typed(value.datum(batch), _S), characters=chars)

    return Node(_S, run, sql)


@handles(exp.Pad)
def _pad(checker: Checker, expression: exp.Pad) -> Node | None:
    sql = sql_of(expression)
    left = bool(expression.args.get("is_left"))
    name = "lpad" if left else "rpad"
    value = _text(checker, expression.this, f"the value of {name}")
    width_node = checker.node(expression.expression)
    fill_at = expression.args.get("fill_pattern")
    fill_node = checker.node(fill_at) if fill_at is not None else None
    width = literal_int(checker, width_node, f"the width of {name}") if width_node else None
    fill = literal_str(checker, fill_node, f"the fill of {name}") if fill_node else " "
    if value is None or width is None or fill is None:
        return None
    if width < 0 or len(fill) != 1:
        checker.fail(f"{name} takes a width of 0 or more and one fill character in '{sql}'")
        return None
    action = pc.utf8_lpad if left else pc.utf8_rpad

    def run(batch: Batch) -> Value:
        padded = action(typed(value.datum(batch), _S), width=width, padding=fill)
        # Like SQL, a longer text is cut to the width.
        return pc.utf8_slice_codeunits(padded, start=0, stop=width)

    return Node(_S, run, sql)


@handles(exp.Like, exp.ILike)
def _like(checker: Checker, expression: exp.Like) -> Node | None:
    sql = sql_of(expression)
    value = _text(checker, expression.this, "the value of LIKE")
    pattern_node = checker.node(expression.expression)
    pattern = literal_str(checker, pattern_node, "the pattern of LIKE") if pattern_node else None
    if value is None or pattern is None:
        return None
    folded = isinstance(expression, exp.ILike)

    def run(batch: Batch) -> Value:
        return pc.match_like(typed(value.datum(batch), _S), pattern=pattern, ignore_case=folded)

    return Node(ColumnType.BOOLEAN, run, sql)
