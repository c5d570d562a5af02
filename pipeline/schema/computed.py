"""Expressions, conditions and cases in the resolved form: the type each field has for
expressions, and every expression of a field compiled once, with the schema.

The resolver (``pipeline.schema.resolved``) calls ``computed_parts`` for each field; the
validator reports the problems kept here, and the engine evaluates the compiled expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from pipeline.expressions import (
    ColumnType,
    CompiledExpression,
    ExpressionError,
    compile_expression,
)
from pipeline.expressions.compiled import ExpressionKind
from pipeline.schema import model as m
from pipeline.schema.mimesis_methods import list_methods

# (option path relative to the field, message), as rules.py's findings
Finding = tuple[tuple[str | int, ...], str]


@dataclass(frozen=True)
class Computed:
    """What a field computes from the other fields of its row; None where it failed to compile
    (the problems say why)."""

    expression: CompiledExpression | None = None  # a `type: expression` field's value
    condition: CompiledExpression | None = None  # its `when:`
    cases: tuple[CompiledExpression | None, ...] = ()  # the `when` of each branch of `cases`
    problems: tuple[Finding, ...] = ()

    def all(self) -> list[CompiledExpression]:
        """Every compiled expression of the field (what it reads, for dependency order)."""
        every = [self.expression, self.condition, *self.cases]
        return [c for c in every if c is not None]


def branch_path(path: str, index: int) -> str:
    """The path (and random stream) of a branch of ``cases``: ``total.cases[0]``."""
    return f"{path}.cases[{index}]"


def else_path(path: str) -> str:
    return f"{path}.else"


def branches(path: str, spec: m.Cases) -> Iterator[tuple[str, tuple[str | int, ...], m.Field]]:
    """Each branch's path, its location under the cases field, and its spec (``else`` last)."""
    for i, case in enumerate(spec.cases):
        yield branch_path(path, i), ("cases", i, "then"), case.then
    if spec.else_ is not None:
        yield else_path(path), ("else",), spec.else_


def readable(fields: Sequence[tuple[str, m.Field, bool]]) -> list[str]:
    """The names expressions may read among (path, spec, inside_array): fields of the row that
    hold one value, not inside an array, not a branch of ``cases``."""
    branch_prefixes: list[str] = []
    out: list[str] = []
    for path, spec, inside_array in fields:
        if isinstance(spec, m.Cases):
            branch_prefixes.extend((f"{path}.cases[", else_path(path)))
        if inside_array or isinstance(spec, m.Object | m.Array):
            continue
        if any(path.startswith(prefix) for prefix in branch_prefixes):
            continue
        out.append(path)
    return out


class _Types(Mapping[str, ColumnType]):
    """The readable names, each typed on first use (an expression's type needs its inputs')."""

    def __init__(self, names: Sequence[str], type_of: Callable[[str], ColumnType]) -> None:
        self._names = dict.fromkeys(names)
        self._type_of = type_of

    def __getitem__(self, name: str) -> ColumnType:
        if name not in self._names:
            raise KeyError(name)
        return self._type_of(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _scalar_type(values: Sequence[m.Scalar | None]) -> ColumnType:
    """As ``pipeline.engine.values.to_arrow`` types them: mixed kinds fall back to text."""
    kinds = {type(v) for v in values if v is not None}
    if not kinds:
        return ColumnType.NULL
    if kinds == {bool}:
        return ColumnType.BOOLEAN
    if kinds == {int}:
        return ColumnType.INTEGER
    if kinds <= {int, float}:
        return ColumnType.FLOAT
    return ColumnType.STRING


def _mimesis_type(spec: m.Mimesis) -> ColumnType:
    info = list_methods().get(spec.method)
    example = None if info is None else info.example
    if isinstance(example, bool | int | float | str):
        return _scalar_type([example])
    return ColumnType.NULL


_FIXED: dict[type, ColumnType] = {
    m.Sequence: ColumnType.INTEGER,
    m.Integer: ColumnType.INTEGER,
    m.Float: ColumnType.FLOAT,
    m.Boolean: ColumnType.BOOLEAN,
    m.Uuid: ColumnType.STRING,
    m.Pattern: ColumnType.STRING,
    m.Template: ColumnType.STRING,
    m.Date: ColumnType.DATE,
    m.Datetime: ColumnType.DATETIME,
}


def agreed_type(types: Sequence[ColumnType]) -> ColumnType | None:
    """The one type of several values (integers with floats are floats; NULL fits any); None
    when they disagree."""
    known = {t for t in types if t is not ColumnType.NULL}
    if not known:
        return ColumnType.NULL
    if known == {ColumnType.INTEGER, ColumnType.FLOAT}:
        return ColumnType.FLOAT
    return known.pop() if len(known) == 1 else None


def column_type(
    spec: m.Field,
    computed: Computed | None,
    reference: ColumnType | None,  # the type of the field a reference or lookup copies
    branch_types: Sequence[ColumnType],
) -> ColumnType:
    """The type of a field's values as expressions read them (NULL: not known, not checked)."""
    fixed = _FIXED.get(type(spec))
    if fixed is not None:
        return fixed
    if isinstance(spec, m.Choice):
        return _scalar_type(spec.values)
    if isinstance(spec, m.Constant):
        return _scalar_type([spec.value])
    if isinstance(spec, m.Mimesis):
        return _mimesis_type(spec)
    if isinstance(spec, m.Reference | m.Lookup):
        return reference or ColumnType.NULL
    if isinstance(spec, m.Expression):
        found = computed.expression if computed is not None else None
        return found.type if found is not None else ColumnType.NULL
    if isinstance(spec, m.Cases):
        return agreed_type(branch_types) or ColumnType.NULL
    return ColumnType.NULL  # provider (data bound at job time), object, array


def _compile(
    text: str,
    names: Mapping[str, ColumnType],
    kind: ExpressionKind,
    where: tuple[str | int, ...],
    problems: list[Finding],
) -> CompiledExpression | None:
    try:
        return compile_expression(text, names, kind=kind)
    except ExpressionError as error:
        problems.extend((where, problem.message) for problem in error.problems)
        return None


def computed_parts(
    spec: m.Field, names: Sequence[str], type_of: Callable[[str], ColumnType]
) -> Computed | None:
    """A field's expressions compiled against the readable ``names``; None when it has none."""
    if spec.when is None and not isinstance(spec, m.Expression | m.Cases):
        return None
    types = _Types(names, type_of)
    problems: list[Finding] = []
    expression = condition = None
    cases: list[CompiledExpression | None] = []
    if isinstance(spec, m.Expression):
        expression = _compile(spec.expr, types, "value", ("expr",), problems)
    if isinstance(spec, m.Cases):
        for i, case in enumerate(spec.cases):
            cases.append(_compile(case.when, types, "condition", ("cases", i, "when"), problems))
    if spec.when is not None:
        condition = _compile(spec.when, types, "condition", ("when",), problems)
    return Computed(expression, condition, tuple(cases), tuple(problems))


def may_be_null(spec: m.Field) -> bool:
    """True when a field's values can be null for another reason than its ``null_rate``: a
    `when:`, an expression (null in, null out) or cases (no branch holds)."""
    return spec.when is not None or isinstance(spec, m.Expression | m.Cases)
