"""Reading a SQL script's tables, keys and constraints into plain table and column records.

The script is cut into statements first (``sql_statements``); each statement about tables,
types, keys or constraints is read on its own with sqlglot, and every other statement is
skipped with a warning naming its line. One unreadable statement costs only that statement.
"""

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

from pipeline.importers.sql_statements import (
    Statement,
    head,
    kind_of,
    matching_paren,
    split_statements,
    split_top_level,
)
from pipeline.schema.errors import SchemaError

# Our names for dialects and sqlglot's.
DIALECTS = {
    "postgres": "postgres",
    "mysql": "mysql",
    "sqlite": "sqlite",
    "tsql": "tsql",
    "ansi": "",
}

_TABLE_OPTIONS = re.compile(
    r"\)\s*(WITHOUT\s+ROWID|STRICT)(\s*,\s*(WITHOUT\s+ROWID|STRICT))*\s*$", re.I
)
# Types sqlglot reads as one word only (jOOQ's SQLite script writes Firebird's BLOB subtypes).
_MULTI_WORD_TYPES = [
    (re.compile(r"\bBLOB\s+SUB_TYPE\s+(TEXT|1)\b", re.I), "TEXT"),
    (re.compile(r"\bBLOB\s+SUB_TYPE\s+(BINARY|0)\b", re.I), "BLOB"),
    (re.compile(r"\b(?:NON)?CLUSTERED\b", re.I), ""),
]
_IDENT = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
_QUALIFIED = rf"{_IDENT}(?:\s*\.\s*{_IDENT})*"
_ALTER = re.compile(
    rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?({_QUALIFIED})\s+(.*)$", re.I | re.S
)
_ENUM = re.compile(rf"CREATE\s+TYPE\s+({_QUALIFIED})\s+AS\s+ENUM\s*\((.*)\)\s*$", re.I | re.S)
_DOMAIN = re.compile(rf"CREATE\s+DOMAIN\s+({_QUALIFIED})\s+(?:AS\s+)?(.*)$", re.I | re.S)
_GENERATED = re.compile(r"\bGENERATED\s+ALWAYS\s+AS\s*\(", re.I)
_PARTITION_OF = re.compile(rf"CREATE\s+.*?TABLE\s+({_QUALIFIED})\s+PARTITION\s+OF\b", re.I | re.S)


@dataclasses.dataclass
class Column:
    name: str
    kind: exp.DataType | None
    not_null: bool = False
    primary_key: bool = False
    unique: bool = False
    autoincrement: bool = False
    references: tuple[str, str | None] | None = None
    checks: list[Any] = dataclasses.field(default_factory=list)  # sqlglot expressions
    enum: list[str] | None = None
    comment: str | None = None
    notes: list[str] = dataclasses.field(default_factory=list)
    generated: Any = None  # the expression of a generated (computed) column, read by sqlglot
    generated_text: str = ""  # that expression as the script writes it


@dataclasses.dataclass
class ForeignKey:
    columns: list[str]
    table: str  # the parent's key (see ``key``)
    ref_columns: list[str]
    name: str | None = None  # the constraint's name, when it has one


@dataclasses.dataclass
class Table:
    name: str
    columns: dict[str, Column]
    comment: str | None = None
    primary_key: list[str] = dataclasses.field(default_factory=list)
    uniques: list[list[str]] = dataclasses.field(default_factory=list)
    foreign_keys: list[ForeignKey] = dataclasses.field(default_factory=list)
    parents: list[str] = dataclasses.field(default_factory=list)
    line: int = 0
    partition_key: str | None = None  # PARTITION BY RANGE (one column)


@dataclasses.dataclass
class Domain:
    kind: exp.DataType
    not_null: bool
    checks: list[exp.Expression]  # on the column ``VALUE``


@dataclasses.dataclass
class Parsed:
    dialect: str
    tables: list[Table]
    warnings: list[dict[str, Any]]


def key(name: str) -> str:
    """How tables and types are matched: the last part of the name, unquoted, lower case."""
    name = name.strip()
    closing = {'"': '"', "`": "`", "]": "["}
    if name and name[-1] in closing:
        start = name.rfind(closing[name[-1]], 0, len(name) - 1)
        return name[start + 1 : -1].lower()
    return name.rsplit(".", 1)[-1].lower()


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


def detect_dialect(text: str) -> str:
    """The dialect a script is most likely written in, from tell-tale syntax (the surest
    tells first)."""
    upper = text.upper()
    squeezed = upper.replace(" ", "")
    if re.search(r"^\s*GO\s*$", text, re.I | re.M):
        return "tsql"
    mysql = re.search(r"^\s*DELIMITER\s", text, re.I | re.M)
    if mysql or "`" in text or "AUTO_INCREMENT" in upper or "ENGINE=" in squeezed:
        return "mysql"
    if re.search(
        r"::|\$\$|\bOWNER TO\b|\bAS ENUM\b|\bNEXTVAL\(|\bJSONB\b|\bCREATE DOMAIN\b|\bINHERITS\b"
        r"|\bBIGSERIAL\b|\bSERIAL\b",
        upper,
    ):
        return "postgres"
    if "AUTOINCREMENT" in upper or "WITHOUT ROWID" in upper or "SUB_TYPE" in upper:
        return "sqlite"
    if re.search(
        r"\bIDENTITY\b(?!\s*\()|\[\w+\]\.\[\w+\]|\bNVARCHAR\s*\(\s*MAX\b|\bGETDATE\s*\(", upper
    ):
        return "tsql"
    return "ansi"


def _order(dialect: str) -> list[str]:
    return [dialect, *(d for d in DIALECTS if d != dialect)]


class Unreadable(ValueError):
    """A statement no dialect reads; ``line`` and ``column`` are within the statement."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.line, self.column = line, column


def _parse(text: str, dialects: list[str]) -> tuple[Any, str]:
    """The first reading of one statement that is not a bare command, and its dialect."""
    first: Exception | None = None
    for dialect in dialects:
        try:
            with _quiet():
                node = sqlglot.parse_one(text, read=DIALECTS[dialect] or None)
        except (ParseError, TokenError, ValueError) as exc:
            first = first or exc
            continue
        if node is not None and not isinstance(node, exp.Command):
            return node, dialect
    if first is None:
        raise Unreadable("not understood")
    errors = getattr(first, "errors", None) or [{}]
    message = str(errors[0].get("description") or str(first).splitlines()[0])
    raise Unreadable(message, errors[0].get("line"), errors[0].get("col"))


class _Reader:
    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        self.order = _order(dialect)
        self.tables: dict[str, Table] = {}
        self.enums: dict[str, list[str]] = {}
        self.domains: dict[str, Domain] = {}
        self.warnings: list[dict[str, Any]] = []
        self.partitions: dict[str, str] = {}
        self.ranges: dict[str, list[tuple[str, str]]] = {}  # parent -> partitions' FROM, TO
        self.used: dict[str, int] = {}

    def warn(self, line: int, message: str) -> None:
        self.warnings.append({"line": line, "message": message})

    def read(self, statement: Statement) -> None:
        kind = kind_of(statement.text)
        try:
            if kind == "create_table":
                self.create_table(statement)
            elif kind == "alter_table":
                self.alter_table(statement)
            elif kind == "create_type":
                self.create_type(statement)
            elif kind == "create_domain":
                self.create_domain(statement)
            elif kind == "create_index":
                self.create_index(statement)
            else:
                self.warn(
                    statement.line,
                    f"skipped {head(statement.text)}: not about tables, types, keys or constraints",
                )
        except Unreadable as exc:
            line = statement.line + (exc.line or 1) - 1
            where = f"line {line}, column {exc.column}: " if exc.line else ""
            self.warn(line, f"skipped {head(statement.text)}: cannot read it ({where}{exc})")
        except ValueError as exc:
            self.warn(statement.line, f"skipped {head(statement.text)}: cannot read it ({exc})")

    def parse(self, text: str) -> Any:
        node, dialect = _parse(text, self.order)
        self.used[dialect] = self.used.get(dialect, 0) + 1
        return node

    # CREATE TABLE

    def create_table(self, statement: Statement) -> None:
        text = statement.text
        partition = _PARTITION_OF.match(text)
        if partition:
            self.warn(
                statement.line, f"skipped partition {partition.group(1)}: rows go to its parent"
            )
            return
        for pattern, replacement in _MULTI_WORD_TYPES:
            text = pattern.sub(replacement, text)
        text = _TABLE_OPTIONS.sub(")", text)
        text, generated = _drop_generated(text)
        node = self.parse(text)
        if not isinstance(node, exp.Create) or not isinstance(node.this, exp.Schema):
            raise ValueError("no column list (CREATE TABLE ... AS is not read)")
        table = self.table(node, statement.line)
        for item in generated:
            col = self.generated_column(item)
            if col is None:
                self.warn(
                    statement.line,
                    f"{table.name}.{item.split()[0]}: generated column left out (cannot read "
                    "its expression)",
                )
            else:
                table.columns[col.name] = col
        self.tables[key(table.name)] = table

    def generated_column(self, item: str) -> Column | None:
        """A ``name type GENERATED ALWAYS AS (expr) STORED|VIRTUAL`` column, its expression
        read in the script's dialect; None when it cannot be read."""
        found = _GENERATED.search(item)
        if found is None:
            return None
        close = matching_paren(item, found.end() - 1)
        # The name may be quoted and hold spaces ("Line Total"): cut it as an identifier.
        head = re.match(rf"\s*({_IDENT})\s*(.*)", item[: found.start()], re.S)
        if close < 0 or head is None:
            return None
        words = [head[1], head[2].strip()] if head[2].strip() else [head[1]]
        source = item[found.end() : close].strip()
        try:
            with _quiet():
                expression = sqlglot.parse_one(source, read=DIALECTS[self.dialect] or None)
                kind = (
                    exp.DataType.build(words[1], dialect=DIALECTS[self.dialect] or None)
                    if len(words) > 1
                    else None
                )
        except (ParseError, TokenError, ValueError):
            return None
        name = words[0].strip('"`[]')
        return Column(name=name, kind=kind, generated=expression, generated_text=source)

    def table(self, create: exp.Create, line: int) -> Table:
        schema = create.this
        table_node = schema.this
        columns: dict[str, Column] = {}
        constraints: list[exp.Expression] = []
        for item in schema.expressions:
            if isinstance(item, exp.ColumnDef):
                col = self.column(item)
                columns[col.name] = col
            else:
                constraints.append(item)
        out = Table(name=_ident(table_node), columns=columns, line=line)
        for col in columns.values():
            if col.primary_key:
                out.primary_key = [col.name]
        props = create.args.get("properties")
        for prop in props.expressions if props is not None else []:
            if isinstance(prop, exp.InheritsProperty):
                out.parents = [key(_ident(t)) for t in prop.expressions]
            if isinstance(prop, exp.PartitionedByProperty):
                keys = list(prop.this.find_all(exp.Column))
                if str(prop.this.sql()).upper().startswith("RANGE") and len(keys) == 1:
                    out.partition_key = keys[0].name
        self.inherit(out)  # before the constraints: they may name inherited columns
        for item in constraints:
            table_constraint(item, out)
        return out

    def column(self, node: exp.ColumnDef) -> Column:
        kind = node.args.get("kind")
        col = Column(name=node.name, kind=kind if isinstance(kind, exp.DataType) else None)
        if col.kind is not None:
            if col.kind.this == exp.DataType.Type.ENUM:
                col.enum = [e.name for e in col.kind.expressions]
            elif col.kind.this == exp.DataType.Type.USERDEFINED:
                type_name = key(col.kind.sql(dialect="postgres"))
                col.enum = self.enums.get(type_name)
                domain = self.domains.get(type_name)
                if domain is not None:
                    col.kind = domain.kind
                    col.not_null = domain.not_null
                    col.checks.extend(_on_column(c, col.name) for c in domain.checks)
                    col.notes.append(f"DOMAIN {type_name}")
        for constraint in node.constraints:
            column_constraint(constraint.kind, col)
        return col

    # ALTER TABLE

    def alter_table(self, statement: Statement) -> None:
        match = _ALTER.match(statement.text)
        if not match:
            raise ValueError("no table name")
        table = self.tables.get(key(match.group(1)))
        if table is None:
            self.warn(statement.line, f"skipped ALTER TABLE {match.group(1)}: no such table")
            return
        for action in split_top_level(match.group(2)):
            if not self.alter_action(table, action):
                self.warn(
                    statement.line,
                    f"skipped ALTER TABLE {table.name} {head(action, 3)}: not about keys, "
                    "constraints, defaults or identity",
                )

    def alter_action(self, table: Table, action: str) -> bool:
        words = action.split()
        upper = [w.upper() for w in words]
        if upper[:2] == ["ATTACH", "PARTITION"] and len(words) > 2:
            self.partitions[key(words[2])] = table.name
            bounds = re.search(
                r"FROM\s*\(\s*'([^']*)'\s*\)\s*TO\s*\(\s*'([^']*)'\s*\)", action, re.I
            )
            if bounds:
                self.ranges.setdefault(key(table.name), []).append((bounds[1], bounds[2]))
            return True
        if upper[0] == "ADD":
            rest = action[3:].strip()
            default = re.match(
                rf"(?:CONSTRAINT\s+{_IDENT}\s+)?DEFAULT\s+(.*)\s+FOR\s+({_IDENT})\s*$",
                rest,
                re.I | re.S,
            )
            if default:
                col = _find(table, default.group(2))
                if col is not None:
                    col.notes.append(f"DEFAULT {default.group(1).strip()}")
                return col is not None
            if not re.match(
                rf"(CONSTRAINT\s+{_IDENT}\s+)?(PRIMARY|FOREIGN|UNIQUE|CHECK)\b", rest, re.I
            ):
                return False
            for pattern, replacement in _MULTI_WORD_TYPES:
                rest = pattern.sub(replacement, rest)
            node = self.parse(f"CREATE TABLE drafta_alter (drafta_column INT, {rest})")
            if not isinstance(node, exp.Create) or not isinstance(node.this, exp.Schema):
                raise ValueError("not understood")
            for item in node.this.expressions[1:]:
                table_constraint(item, table)
            return True
        if upper[0] == "ALTER" and len(words) > 2:
            name_at = 2 if upper[1] == "COLUMN" else 1
            col = _find(table, words[name_at])
            tail = " ".join(upper[name_at + 1 :])
            if col is None:
                return False
            if tail.startswith("SET DEFAULT NEXTVAL(") or "AS IDENTITY" in tail:
                col.autoincrement = True
            elif tail.startswith("SET DEFAULT"):
                col.notes.append(" ".join(words[name_at + 1 :]))
            elif tail.startswith("SET NOT NULL"):
                col.not_null = True
            else:
                return False
            return True
        return False

    # Types and indexes

    def create_type(self, statement: Statement) -> None:
        match = _ENUM.match(statement.text)
        if not match:
            self.warn(statement.line, f"skipped {head(statement.text)}: only ENUM types are read")
            return
        values = [_unquote(v) for v in split_top_level(match.group(2))]
        self.enums[key(match.group(1))] = values

    def create_domain(self, statement: Statement) -> None:
        match = _DOMAIN.match(statement.text)
        if not match:
            raise ValueError("no domain name")
        node = self.parse(f"CREATE TABLE drafta_domain (VALUE {match.group(2)})")
        if not isinstance(node, exp.Create) or not isinstance(node.this, exp.Schema):
            raise ValueError("not understood")
        col = self.column(node.this.expressions[0])
        if col.kind is None:
            raise ValueError("no type")
        self.domains[key(match.group(1))] = Domain(col.kind, col.not_null, col.checks)

    def create_index(self, statement: Statement) -> None:
        if not re.match(r"CREATE\s+UNIQUE\b", statement.text, re.I):
            return  # a plain index changes nothing that is generated
        text = re.sub(r"\b(?:NON)?CLUSTERED\b", "", statement.text, flags=re.I)
        node = self.parse(text)
        index = node.this if isinstance(node, exp.Create) else None
        if not isinstance(index, exp.Index):
            raise ValueError("not understood")
        params = index.args.get("params")
        cols = params.args.get("columns", []) if params is not None else []
        names = [c.find(exp.Column).name if c.find(exp.Column) else c.name for c in cols]
        table = self.tables.get(key(_ident(index.args.get("table"))))
        if table is None:
            self.warn(statement.line, "skipped CREATE UNIQUE INDEX: no such table")
            return
        if index.args.get("where") is not None or (params and params.args.get("where")):
            self.warn(statement.line, f"partial unique index on {table.name} not enforced")
            return
        _mark_unique(table, names)

    def inherit(self, table: Table) -> None:
        """Columns of INHERITS parents come first, without their keys (PostgreSQL does not
        inherit primary keys, unique constraints or foreign keys)."""
        for parent_key in table.parents:
            parent = self.tables.get(parent_key)
            if parent is None:
                self.warn(table.line, f"{table.name}: INHERITS {parent_key}, not in the input")
                continue
            inherited = {
                n: dataclasses.replace(
                    c,
                    primary_key=False,
                    unique=False,
                    references=None,
                    notes=list(c.notes),
                    checks=list(c.checks),
                )
                for n, c in parent.columns.items()
                if n not in table.columns
            }
            table.columns = {**inherited, **table.columns}

    def finish(self) -> list[Table]:
        for child, parent_name in self.partitions.items():
            if child not in self.tables:
                continue
            partition = self.tables.pop(child)
            self.warn(
                partition.line, f"skipped partition {child}: rows go to its parent {parent_name}"
            )
            parent = self.tables.get(key(parent_name))
            if parent is not None:
                _hoist_foreign_keys(partition, parent)
        for name, ranges in self.ranges.items():
            table = self.tables.get(name)
            if table is not None and table.partition_key is not None:
                _bound_partition_key(table, ranges)
        return list(self.tables.values())


def _hoist_foreign_keys(partition: Table, parent: Table) -> None:
    """A partition's foreign keys hold for every row of its parent (pg_dump puts them on the
    partitions of a partitioned table)."""
    for fk in partition.foreign_keys:
        if any(f.columns == fk.columns for f in parent.foreign_keys):
            continue
        parent.foreign_keys.append(fk)
        if len(fk.columns) == 1 and (col := _find(parent, fk.columns[0])) is not None:
            col.references = (fk.table, fk.ref_columns[0] if fk.ref_columns else None)


def _bound_partition_key(table: Table, ranges: list[tuple[str, str]]) -> None:
    """Rows of a range-partitioned table must fall in a partition: the key is bounded by the
    longest run of adjacent partitions."""
    col = _find(table, table.partition_key or "")
    if col is None:
        return
    runs: list[tuple[str, str]] = []
    for lo, hi in sorted(ranges):
        if runs and runs[-1][1] == lo:
            runs[-1] = (runs[-1][0], hi)
        else:
            runs.append((lo, hi))
    lo, hi = max(runs, key=lambda r: len([x for x in ranges if r[0] <= x[0] < r[1]]))
    name = col.name.replace('"', '""')
    col.checks.append(sqlglot.parse_one(f"\"{name}\" >= '{lo}' AND \"{name}\" < '{hi}'"))
    col.notes.append(f"partitions from {lo} to {hi}")


def _find(table: Table, name: str) -> Column | None:
    wanted = key(name)
    return next((c for n, c in table.columns.items() if n.lower() == wanted), None)


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


def _drop_generated(text: str) -> tuple[str, list[str]]:
    """The statement without its generated (computed) columns, and those columns' text."""
    open_at = text.find("(")
    close_at = matching_paren(text, open_at) if open_at >= 0 else -1
    if close_at < 0 or not _GENERATED.search(text):
        return text, []
    items = split_top_level(text[open_at + 1 : close_at])
    kept, dropped = [], []
    for item in items:
        if _GENERATED.search(item) and not re.search(r"\bAS\s+IDENTITY\b", item, re.I):
            dropped.append(item.strip())
        else:
            kept.append(item)
    return text[: open_at + 1] + ",\n".join(kept) + text[close_at:], dropped


def _on_column(check: exp.Expression, name: str) -> exp.Expression:
    """A DOMAIN check on ``VALUE`` rewritten as a check on column ``name``."""

    def rename(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and node.name.upper() == "VALUE":
            return exp.column(name)
        return node

    return check.copy().transform(rename)


def _ident(node: exp.Expression | None) -> str:
    return node.name if node is not None else ""


def column_constraint(kind: Any, col: Column) -> None:
    if isinstance(kind, exp.NotNullColumnConstraint):
        col.not_null = not kind.args.get("allow_null")
    elif isinstance(kind, exp.PrimaryKeyColumnConstraint):
        col.primary_key = True
        col.not_null = True
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
        col.references = (key(_ident(table)), cols[0].name if cols else None)
    elif isinstance(kind, exp.CheckColumnConstraint):
        col.checks.append(kind.this)
    elif isinstance(kind, exp.CommentColumnConstraint):
        col.comment = kind.this.name
    elif isinstance(kind, exp.ComputedColumnConstraint):  # T-SQL's ``name AS (expr)``
        col.generated = kind.this
        col.generated_text = kind.this.sql(dialect="tsql")
    elif isinstance(kind, exp.DefaultColumnConstraint):
        default = kind.this.sql()
        if re.match(r"NEXTVAL\(", default, re.I):
            col.autoincrement = True
        else:
            col.notes.append(f"DEFAULT {default}")


def _names(nodes: list[exp.Expression]) -> list[str]:
    return [n.name for n in nodes]


def _mark_unique(table: Table, names: list[str]) -> None:
    names = [c.name for n in names if (c := _find(table, n)) is not None]
    if len(names) == 1:
        table.columns[names[0]].unique = True
    elif names and names not in table.uniques:
        table.uniques.append(names)
        for name in names:
            table.columns[name].notes.append(f"part of UNIQUE ({', '.join(names)})")


def table_constraint(item: exp.Expression, table: Table, name: str | None = None) -> None:
    if isinstance(item, exp.Constraint):
        for inner in item.expressions:
            table_constraint(inner, table, item.name or None)
        return
    if isinstance(item, exp.PrimaryKey):
        names = [c.name for n in _names(item.expressions) if (c := _find(table, n)) is not None]
        table.primary_key = names
        for name in names:
            col = table.columns[name]
            col.not_null = True
            if len(names) == 1:
                col.primary_key = True
            else:
                col.notes.append(f"part of PRIMARY KEY ({', '.join(names)})")
    elif isinstance(item, exp.ForeignKey):
        names = [c.name for n in _names(item.expressions) if (c := _find(table, n)) is not None]
        ref = item.args.get("reference")
        target = ref.this if ref is not None else None
        ref_table = target.this if isinstance(target, exp.Schema) else target
        ref_cols = _names(target.expressions) if isinstance(target, exp.Schema) else []
        parent = key(_ident(ref_table))
        table.foreign_keys.append(ForeignKey(names, parent, ref_cols, name))
        if len(names) == 1:
            table.columns[names[0]].references = (parent, ref_cols[0] if ref_cols else None)
        else:
            for name in names:
                table.columns[name].notes.append(
                    f"part of FOREIGN KEY ({', '.join(names)}) REFERENCES {_ident(ref_table)}"
                )
    elif isinstance(item, exp.UniqueColumnConstraint):
        target = item.this
        names = [c.name for c in target.expressions] if isinstance(target, exp.Schema) else []
        _mark_unique(table, names)
    elif isinstance(item, exp.CheckColumnConstraint):
        for column in item.this.find_all(exp.Column):
            found = _find(table, column.name)
            if found is not None:
                found.checks.append(item.this)
                break


def parse_tables(text: str, dialect: str | None = None) -> Parsed:
    """The tables of a script, in order, with warnings for what was skipped.

    ``dialect`` (postgres, mysql, sqlite, tsql, ansi) is detected when not given. Raises
    SchemaError when no table at all can be read.
    """
    if dialect is not None and dialect not in DIALECTS:
        raise SchemaError(
            [
                {
                    "path": "dialect",
                    "line": None,
                    "message": f"unknown SQL dialect {dialect!r}; known: {', '.join(DIALECTS)}",
                }
            ]
        )
    reader = _Reader(dialect or detect_dialect(text))
    for statement in split_statements(text):
        reader.read(statement)
    tables = reader.finish()
    if not tables:
        unread = [w for w in reader.warnings if "cannot read" in w["message"]]
        first = unread[0] if unread else {"line": 1, "message": "no CREATE TABLE statement found"}
        raise SchemaError(
            [
                {
                    "path": "",
                    "line": first["line"],
                    "message": f"SQL ({reader.dialect}): {first['message']}",
                }
            ]
        )
    return Parsed(reader.dialect, tables, reader.warnings)
