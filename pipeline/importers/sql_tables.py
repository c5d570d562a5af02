"""Reading CREATE TABLE statements with sqlglot into plain table and column records."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
from collections.abc import Iterator
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from pipeline.schema.errors import SchemaError

DIALECTS = ("postgres", "mysql", "sqlite", "")

# Table options sqlglot does not read; they change nothing that is generated.
_TABLE_OPTIONS = re.compile(
    r"\)\s*(WITHOUT\s+ROWID|STRICT)(\s*,\s*(WITHOUT\s+ROWID|STRICT))*", re.I
)
_PG_ENUM = re.compile(
    r"CREATE\s+TYPE\s+(?:\w+\.)?\"?(\w+)\"?\s+AS\s+ENUM\s*\(([^)]*)\)\s*;?", re.IGNORECASE
)


@dataclasses.dataclass
class Column:
    name: str
    kind: exp.DataType | None
    not_null: bool = False
    primary_key: bool = False
    unique: bool = False
    autoincrement: bool = False
    references: tuple[str, str | None] | None = None
    checks: list[exp.Expression] = dataclasses.field(default_factory=list)
    enum: list[str] | None = None
    comment: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Table:
    name: str
    columns: dict[str, Column]
    comment: str | None = None


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """sqlglot logs statements it reads only as text; we report those ourselves."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _pick_dialect(text: str) -> list[str]:
    """Dialects to try, the most likely first, from tell-tale syntax."""
    upper = text.upper()
    if "`" in text or "AUTO_INCREMENT" in upper or "ENGINE=" in upper.replace(" ", ""):
        first = "mysql"
    elif "AUTOINCREMENT" in upper or "WITHOUT ROWID" in upper:
        first = "sqlite"
    else:
        first = "postgres"
    return [first, *(d for d in DIALECTS if d != first)]


def _blank(match: re.Match[str]) -> str:
    return "\n" * match.group(0).count("\n")


def _enums(text: str) -> tuple[str, dict[str, list[str]]]:
    """PostgreSQL ENUM types, and the text with their statements blanked (lines kept)."""
    found = {
        m.group(1).lower(): [v.strip().strip("'") for v in m.group(2).split(",") if v.strip()]
        for m in _PG_ENUM.finditer(text)
    }
    return _PG_ENUM.sub(_blank, text), found


def _error(exc: Exception, dialect: str) -> SchemaError:
    errors = getattr(exc, "errors", None) or [{}]
    first = errors[0]
    line, col = first.get("line"), first.get("col")
    where = f"line {line}, column {col}: " if line else ""
    message = first.get("description") or str(exc).splitlines()[0]
    return SchemaError(
        [{"path": "", "line": line, "message": f"SQL ({dialect or 'ansi'}): {where}{message}"}]
    )


def parse_tables(text: str) -> tuple[str, list[Table]]:
    """The dialect that read the text and its tables, in order. Raises SchemaError."""
    body, enums = _enums(text)
    body = _TABLE_OPTIONS.sub(")", body)
    first_error: SchemaError | None = None
    for dialect in _pick_dialect(body):
        try:
            with _quiet():
                statements = sqlglot.parse(body, read=dialect or None)
        except (ParseError, TokenError) as exc:
            first_error = first_error or _error(exc, dialect)
            continue
        unread = [s for s in statements if isinstance(s, exp.Command) and _is_create_table(s)]
        if unread:
            first_error = first_error or SchemaError([_unread(body, unread[0], dialect)])
            continue
        creates = [s for s in statements if isinstance(s, exp.Create) and s.kind == "TABLE"]
        if creates:
            tables = [_table(c, enums) for c in creates]
            _apply_unique_indexes(statements, tables)
            return dialect or "ansi", tables
    if first_error is not None:
        raise first_error
    raise SchemaError([{"path": "", "line": 1, "message": "no CREATE TABLE statement found"}])


def _is_create_table(command: exp.Command) -> bool:
    text = command.sql()
    return bool(re.match(r"\s*CREATE\s+(\w+\s+)*TABLE\b", text, re.I))


def _unread(body: str, command: exp.Command, dialect: str) -> dict[str, object]:
    head = command.sql()[:80]
    match = re.search(r"TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[`\"\[]?(\w+)", head, re.I)
    table = match.group(1) if match else "?"
    found = re.search(
        rf"CREATE\s+(\w+\s+)*TABLE\s+(IF\s+NOT\s+EXISTS\s+)?[`\"\[]?{table}\b", body, re.I
    )
    line = body[: found.start()].count("\n") + 1 if found else None
    return {
        "path": "",
        "line": line,
        "message": f"SQL ({dialect or 'ansi'}): cannot read CREATE TABLE {table}",
    }


def _ident(node: exp.Expression | None) -> str:
    return node.name if node is not None else ""


def _table(create: exp.Create, enums: dict[str, list[str]]) -> Table:
    schema = create.this
    table = schema.this if isinstance(schema, exp.Schema) else schema
    columns: dict[str, Column] = {}
    constraints: list[exp.Expression] = []
    for item in schema.expressions if isinstance(schema, exp.Schema) else []:
        if isinstance(item, exp.ColumnDef):
            col = _column(item, enums)
            columns[col.name] = col
        else:
            constraints.append(item)
    out = Table(name=_ident(table), columns=columns)
    for item in constraints:
        _table_constraint(item, out)
    return out


def _column(node: exp.ColumnDef, enums: dict[str, list[str]]) -> Column:
    kind = node.args.get("kind")
    col = Column(name=node.name, kind=kind if isinstance(kind, exp.DataType) else None)
    if col.kind is not None:
        if col.kind.this == exp.DataType.Type.ENUM:
            col.enum = [e.name for e in col.kind.expressions]
        elif col.kind.this == exp.DataType.Type.USERDEFINED:
            col.enum = enums.get(col.kind.sql().strip('"').lower())
    for constraint in node.constraints:
        _column_constraint(constraint.kind, col)
    return col


def _column_constraint(kind: Any, col: Column) -> None:
    if isinstance(kind, exp.NotNullColumnConstraint):
        col.not_null = not kind.args.get("allow_null")
    elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
        col.primary_key = True
    elif isinstance(kind, exp.UniqueColumnConstraint):
        col.unique = True
    elif isinstance(
        kind, exp.AutoIncrementColumnConstraint | exp.GeneratedAsIdentityColumnConstraint
    ):
        col.autoincrement = True
    elif isinstance(kind, exp.Reference):
        target = kind.this
        table = target.this if isinstance(target, exp.Schema) else target
        cols = target.expressions if isinstance(target, exp.Schema) else []
        col.references = (_ident(table), cols[0].name if cols else None)
    elif isinstance(kind, exp.CheckColumnConstraint):
        col.checks.append(kind.this)
    elif isinstance(kind, exp.CommentColumnConstraint):
        col.comment = kind.this.name
    elif isinstance(kind, exp.DefaultColumnConstraint):
        col.notes.append(f"DEFAULT {kind.this.sql()}")


def _names(nodes: list[exp.Expression]) -> list[str]:
    return [n.name for n in nodes]


def _table_constraint(item: exp.Expression, table: Table) -> None:
    if isinstance(item, exp.Constraint):
        for inner in item.expressions:
            _table_constraint(inner, table)
        return
    if isinstance(item, exp.PrimaryKey):
        names = _names(item.expressions)
        for name in names:
            if name in table.columns:
                col = table.columns[name]
                col.not_null = True
                if len(names) == 1:
                    col.primary_key = True
                else:
                    col.notes.append(f"part of PRIMARY KEY ({', '.join(names)})")
    elif isinstance(item, exp.ForeignKey):
        names = _names(item.expressions)
        ref = item.args.get("reference")
        target = ref.this if ref is not None else None
        ref_table = target.this if isinstance(target, exp.Schema) else target
        ref_cols = _names(target.expressions) if isinstance(target, exp.Schema) else []
        if len(names) == 1 and names[0] in table.columns:
            table.columns[names[0]].references = (
                _ident(ref_table),
                ref_cols[0] if ref_cols else None,
            )
        else:
            for name in names:
                if name in table.columns:
                    table.columns[name].notes.append(
                        f"part of FOREIGN KEY ({', '.join(names)}) REFERENCES {_ident(ref_table)}"
                    )
    elif isinstance(item, exp.UniqueColumnConstraint):
        target = item.this
        names = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
        if len(names) == 1 and names[0] in table.columns:
            table.columns[names[0]].unique = True
        for name in names if len(names) > 1 else []:
            if name in table.columns:
                table.columns[name].notes.append(f"part of UNIQUE ({', '.join(names)})")
    elif isinstance(item, exp.CheckColumnConstraint):
        for column in item.this.find_all(exp.Column):
            if column.name in table.columns:
                table.columns[column.name].checks.append(item.this)
                break


def _apply_unique_indexes(statements: list[Any], tables: list[Table]) -> None:
    by_name = {t.name.lower(): t for t in tables}
    for s in statements:
        if not (isinstance(s, exp.Create) and s.kind == "INDEX" and s.args.get("unique")):
            continue
        index = s.this
        table_node = index.args.get("table") if isinstance(index, exp.Index) else None
        params = index.args.get("params") if isinstance(index, exp.Index) else None
        cols = params.args.get("columns", []) if params is not None else []
        names = [c.find(exp.Column).name if c.find(exp.Column) else c.name for c in cols]
        table = by_name.get(_ident(table_node).lower())
        if table is not None and len(names) == 1 and names[0] in table.columns:
            table.columns[names[0]].unique = True
