"""Import every schema of a folder of real-world files and check the generated rows against them.

    python bench/realworld.py [FOLDER]      (default: ../shared/realworld from the repo root)

FOLDER holds ``sql/``, ``json_schema/`` and ``json_parquet/``. For each file: does it import,
how many warnings, and are the generated rows valid under the source's own rules:

- SQL: every table is generated (counts capped at ROWS) and each row checked against what the
  script declares: NOT NULL, VARCHAR/CHAR lengths, integer widths, DECIMAL(p,s), IN lists,
  enums and domains, CHECK bounds, primary keys and UNIQUE (composite ones too), and foreign
  keys (composite ones too) against the generated parent rows. PostgreSQL scripts are also
  applied to a throwaway PostgreSQL server and every table loaded with COPY, SQLite scripts to
  SQLite with foreign keys on (``bench/realworld_db.py``; ``--no-db`` skips this).
- JSON Schema: ROWS rows of each entity, written as JSON by the service's own writer, validated
  with ``jsonschema`` against the schema they come from (formats not asserted). A ``$ref`` to
  another file is not at hand: that part accepts anything.
- Parquet/Arrow JSON: each value checked against its declared type (integer width, decimal
  precision and scale, nullability, value kind, recursively), and the Arrow type of each
  generated column compared with the declared one exactly (``bench/realworld_types.py``):
  ``types=exact`` or the first column written with another type.

One line per file, then a summary.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import decimal
import io
import json
import pathlib
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.realworld_types import schema_differences  # noqa: E402
from pipeline.engine.blocks import generate_batches  # noqa: E402
from pipeline.importers import convert_with_warnings  # noqa: E402
from pipeline.schema import SchemaError, load_schema  # noqa: E402
from pipeline.schema.model import Schema  # noqa: E402
from storage.formats.json import write_json  # noqa: E402

ROWS = 200
SEED = 20240601
FORMATS = {"sql": "sql", "json_schema": "json_schema", "json_parquet": "json_parquet"}


@dataclasses.dataclass
class Result:
    file: str
    imported: bool
    warnings: int = 0
    valid: bool | None = None  # None: not checked
    detail: str = ""
    database: str = ""  # the real database the rows were loaded into, if any
    repeats: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)  # _repeats
    types: list[str] | None = None  # columns written with another type than declared


def _capped(text: str) -> str:
    return re.sub(
        r"^(    count: )(\d+)$", lambda m: f"{m[1]}{min(int(m[2]), ROWS)}", text, flags=re.M
    )


def _rows(schema: Schema, entity: str, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for batch in generate_batches(schema, entity, 0, count, seed=SEED, providers={}):
        out.extend(batch.to_pylist())
    return out


def _json_rows(schema: Schema, entity: str, count: int) -> list[Any]:
    buf = io.BytesIO()
    write_json(generate_batches(schema, entity, 0, count, seed=SEED, providers={}), buf)
    return json.loads(b"[" + buf.getvalue() + b"]")


# SQL


def _sql_rows(
    text: str, yaml_text: str, dialect: str
) -> tuple[list[Any], dict[str, list[dict[str, Any]]]]:
    """The script's tables, and the generated rows of each by table and column name."""
    from pipeline.importers.sql_tables import parse_tables

    tables = parse_tables(text, dialect).tables
    schema = load_schema(yaml_text)
    rows: dict[str, list[dict[str, Any]]] = {}
    for table, (entity_name, entity) in zip(tables, schema.entities.items(), strict=True):
        count = entity.count or ROWS
        assert isinstance(count, int)  # imported schemas have no per-parent counts
        generated = _rows(schema, entity_name, count)
        columns = list(table.columns)
        rows[table.name.lower()] = [dict(zip(columns, r.values(), strict=True)) for r in generated]
    return tables, rows


def _repeats(
    tables: list[Any], rows: dict[str, list[dict[str, Any]]]
) -> list[tuple[str, int, int]]:
    """For each foreign key inside a composite primary key (a link table's sides): how many
    distinct parents its rows name, of how many rows. Fewer than the rows: parents repeat, as
    real ones do."""
    out = []
    for table in tables:
        if len(table.primary_key) < 2:
            continue
        data = rows[table.name.lower()]
        for fk in table.foreign_keys:
            if set(fk.columns) < set(table.primary_key):
                seen = {tuple(r[c] for c in fk.columns) for r in data}
                out.append((f"{table.name}.{','.join(fk.columns)}", len(seen), len(data)))
    return out


def _sql_problems(tables: list[Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    from sqlglot import exp

    from pipeline.importers.sql import _Bounds, _params

    types = exp.DataType.Type
    ranges = {
        "TINYINT": (-128, 127), "UTINYINT": (0, 255), "SMALLINT": (-32768, 32767),
        "USMALLINT": (0, 65535), "MEDIUMINT": (-8388608, 8388607), "INT": (-(2**31), 2**31 - 1),
        "UINT": (0, 2**32 - 1), "BIGINT": (-(2**63), 2**63 - 1), "SMALLSERIAL": (1, 32767),
        "SERIAL": (1, 2**31 - 1), "BIGSERIAL": (1, 2**63 - 1),
    }  # fmt: skip
    sized = {"VARCHAR", "CHAR", "NVARCHAR", "NCHAR"}
    problems: list[str] = []

    def bad(table: str, column: str, what: str, value: Any) -> None:
        if len(problems) < 5:
            problems.append(f"{table}.{column}: {what} ({value!r})")
        else:
            problems.append("")

    for table in tables:
        data = rows[table.name.lower()]
        for name, col in table.columns.items():
            kind = col.kind
            type_name = kind.this.name if kind is not None else ""
            params = _params(kind) if kind is not None else []
            bounds = _Bounds(col)
            allowed = col.enum or bounds.values
            for row in data:
                v = row[name]
                if v is None:
                    if col.not_null:
                        bad(table.name, name, "null in NOT NULL", v)
                    continue
                if type_name in sized and params and len(str(v)) > params[0]:
                    bad(table.name, name, f"longer than {type_name}({params[0]})", v)
                if type_name in ranges and isinstance(v, int):
                    lo, hi = ranges[type_name]
                    if not lo <= v <= hi:
                        bad(table.name, name, f"outside {type_name}", v)
                if kind is not None and kind.this in (types.DECIMAL,) and params:
                    p, s = params[0], params[1] if len(params) > 1 else 0
                    if abs(float(v)) >= 10 ** (p - s) or abs(round(float(v), s) - float(v)) > 1e-9:
                        bad(table.name, name, f"not a DECIMAL({p},{s})", v)
                if type_name == "YEAR" and not 1901 <= int(v) <= 2155:
                    bad(table.name, name, "outside YEAR", v)
                if type_name == "SET" and kind is not None:
                    members = {e.name for e in kind.expressions}
                    if not set(str(v).split(",")) <= members:
                        bad(table.name, name, "not a subset of its SET", v)
                if allowed and str(v) not in {str(a) for a in allowed}:
                    bad(table.name, name, "not in its IN list or enum", v)
                if isinstance(v, int | float | decimal.Decimal) and not isinstance(v, bool):
                    if bounds.min is not None and v < bounds.min:
                        bad(table.name, name, f"below CHECK {bounds.min}", v)
                    if bounds.max is not None and v > bounds.max:
                        bad(table.name, name, f"above CHECK {bounds.max}", v)
        keys = [table.primary_key] if table.primary_key else []
        keys += [[n] for n, c in table.columns.items() if c.unique] + table.uniques
        for key in keys:
            seen: set[tuple[Any, ...]] = set()
            for row in data:
                value = tuple(row[k] for k in key)
                if None in value:
                    continue
                if value in seen:
                    bad(table.name, ",".join(key), "duplicate key", value)
                seen.add(value)
        for fk in table.foreign_keys:
            parent = next((t for t in tables if t.name.lower() == fk.table), None)
            if parent is None:
                continue
            ref_cols = fk.ref_columns or parent.primary_key
            targets = {tuple(r[c] for c in ref_cols) for r in rows[parent.name.lower()]}
            for row in data:
                value = tuple(row[c] for c in fk.columns)
                if None not in value and value not in targets:
                    bad(table.name, ",".join(fk.columns), f"no {parent.name} row", value)
                    break
    return problems


# JSON Schema


def _json_schema_problems(text: str, yaml_text: str) -> list[str] | None:
    import jsonschema
    import referencing
    import referencing.jsonschema

    from pipeline.importers.json_schema import _pointer, entity_pointers

    doc = json.loads(text)
    cls = jsonschema.validators.validator_for(doc, default=jsonschema.Draft202012Validator)

    def elsewhere(uri: str) -> referencing.Resource[Any]:
        # Parts kept in other files are not at hand: they accept anything here.
        return referencing.jsonschema.DRAFT202012.create_resource({})

    # The package's typing declares no arguments for Registry: `retrieve` is its documented one.
    registry = referencing.Registry(retrieve=elsewhere)  # type: ignore[call-arg]
    validator = cls(doc, registry=registry)
    schema = load_schema(yaml_text)
    problems: list[str] = []
    for entity, pointer in entity_pointers(text).items():
        target = validator if pointer == "#" else validator.evolve(schema=_pointer(doc, pointer))
        for i, row in enumerate(_json_rows(schema, entity, ROWS)):
            error = jsonschema.exceptions.best_match(target.iter_errors(row))
            if error is not None:
                where = "/".join(str(p) for p in error.absolute_path)
                problems.append(f"{entity} row {i} at /{where}: {error.message[:120]}")
                break
    return problems


# Parquet / Arrow JSON


def _value_problem(value: Any, typ: tuple[Any, ...], nullable: bool, path: str) -> str | None:
    if value is None:
        return None if nullable else f"{path}: null in a non-nullable field"
    kind = typ[0]
    if kind == "int":
        bits, signed = typ[1], typ[2]
        lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
        ok = isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi
        return None if ok else f"{path}: {value!r} is not an int{bits}"
    if kind == "decimal":
        p, s = typ[1], typ[2]
        ok = isinstance(value, decimal.Decimal | int | float) and abs(value) < 10 ** (p - s)
        if isinstance(value, decimal.Decimal):  # exact: no more digits after the point
            ok = ok and -int(value.as_tuple().exponent) <= s
        return None if ok else f"{path}: {value!r} is not a decimal({p},{s})"
    if kind == "float":
        return None if isinstance(value, float | int) else f"{path}: {value!r} is not a float"
    if kind in ("string", "variant", "enum"):
        ok = isinstance(value, str) and (kind != "enum" or value in typ[1])
        return None if ok else f"{path}: {value!r} is not a {kind}"
    if kind == "bool":
        return None if isinstance(value, bool) else f"{path}: {value!r} is not a bool"
    if kind == "date":
        ok = isinstance(value, dt.date) and not isinstance(value, dt.datetime)
        return None if ok else f"{path}: {value!r} is not a date"
    if kind == "timestamp":
        return None if isinstance(value, dt.datetime) else f"{path}: {value!r} is not a timestamp"
    if kind == "time":
        return None if isinstance(value, dt.time | str) else f"{path}: {value!r} is not a time"
    if kind == "binary":
        return None if isinstance(value, bytes | str) else f"{path}: {value!r} is not binary"
    if kind == "null":
        return f"{path}: {value!r} in a null field"
    if kind == "list":
        if not isinstance(value, list):
            return f"{path}: {value!r} is not a list"
        return next((p for v in value if (p := _value_problem(v, typ[1], True, path + "[]"))), None)
    if kind == "struct":
        if not isinstance(value, dict):
            return f"{path}: {value!r} is not a struct"
        return _struct_problem(value, [(n, t, nb) for n, t, nb in typ[1]], path)
    if kind == "map":
        if not isinstance(value, list):
            return f"{path}: {value!r} is not a map"
        for key, item in value:  # Arrow gives a map as (key, value) pairs
            problem = _value_problem(key, typ[1], False, path + ".key")
            problem = problem or _value_problem(item, typ[2], True, path + ".value")
            if problem:
                return problem
        return None
    return f"{path}: unknown type {kind}"


def _struct_problem(
    row: dict[str, Any], columns: Iterable[tuple[str, Any, bool]], path: str
) -> str | None:
    from pipeline.importers.draft import safe_name

    taken: set[str] = set()
    values = list(row.values())
    for i, (name, typ, nullable) in enumerate(columns):
        safe_name(name, taken)
        if i >= len(values):
            return f"{path}.{name}: missing"
        if typ[0] == "struct" and not typ[1]:
            continue  # an empty struct is written as null
        problem = _value_problem(values[i], typ, nullable, f"{path}.{name}")
        if problem:
            return problem
    return None


def _parquet_problems(text: str, yaml_text: str) -> tuple[list[str], list[str]]:
    """Rows that break the declared types, and columns written with another type."""
    from pipeline.importers.json_parquet import _columns, _delta_schema
    from pipeline.importers.json_text import read_json

    delta = _delta_schema(text) if '"metaData"' in text else None
    doc = delta[1] if delta is not None else read_json(text, "schema")
    columns = [(n, t, nb) for n, t, nb, _ in _columns(doc)[1]]
    schema = load_schema(yaml_text)
    entity = next(iter(schema.entities))
    batches = list(generate_batches(schema, entity, 0, ROWS, seed=SEED, providers={}))
    differences = schema_differences(batches[0].schema, columns)
    rows = [row for batch in batches for row in batch.to_pylist()]
    for i, row in enumerate(rows):
        problem = _struct_problem(row, columns, f"row {i}")
        if problem:
            return [problem], differences
    return [], differences


def _database_problems(
    server: Any, text: str, yaml_text: str, dialect: str, database: str
) -> tuple[str, tuple[list[str], list[str]]] | None:
    from bench.realworld_db import postgres_problems, sqlite_problems

    schema = load_schema(yaml_text)
    if dialect in ("postgres", "ansi") and server is not None:  # ANSI DDL runs on PostgreSQL
        return "postgresql", postgres_problems(server, database, text, schema)
    if dialect == "sqlite":
        return "sqlite", sqlite_problems(text, schema)
    return None


def check(
    path: pathlib.Path,
    fmt: str,
    converted: pathlib.Path | None = None,
    server: Any = None,
    databases: bool = True,
) -> Result:
    text = path.read_text()
    name = f"{path.parent.name}/{path.name}"
    warnings: list[dict[str, Any]] = []
    if converted is not None:  # YAML converted elsewhere, e.g. by another version
        done = converted / path.parent.name / f"{path.name}.yaml"
        if not done.exists():
            return Result(name, False, detail="no converted YAML")
        yaml_text = done.read_text()
    else:
        try:
            yaml_text, warnings = convert_with_warnings(text, fmt)  # type: ignore[arg-type]
        except SchemaError as exc:
            first = exc.problems[0]
            message = f"{first.get('path') or ''} {first['message']}"[:160]
            return Result(name, False, detail=message)
    result = Result(name, True, len(warnings))
    capped = _capped(yaml_text)
    try:
        if fmt == "sql":
            found = re.search(r"Imported from SQL \((\w+)\)", yaml_text)
            dialect = found[1] if found else "ansi"
            tables, rows = _sql_rows(text, capped, dialect)
            problems: list[str] | None = _sql_problems(tables, rows)
            result.repeats = _repeats(tables, rows)
            database = re.sub(r"\W+", "_", path.stem.lower())
            loaded = (
                _database_problems(server, text, capped, dialect, database) if databases else None
            )
            if loaded is not None and problems is not None:
                result.database = loaded[0]
                rejected, missing = loaded[1]
                problems = [*problems, *(f"{loaded[0]}: {p}" for p in rejected)]
                if missing:
                    result.database += f", not created by this server: {', '.join(missing)}"
        elif fmt == "json_schema":
            problems = _json_schema_problems(text, capped)
        else:
            problems, result.types = _parquet_problems(text, capped)
    except Exception as exc:  # a failure of the check is reported, not raised
        result.detail = f"check failed: {type(exc).__name__}: {str(exc)[:120]}"
        return result
    if problems is None:
        result.detail = "not checked"
        return result
    result.valid = not problems
    if fmt == "json_schema" and re.search(r'"\$ref"\s*:\s*"[^"#]', text):
        result.detail = "($refs to other files accept anything) "
    shown = [p for p in problems if p]
    if problems:
        result.detail += f"{len(problems)} problem(s), first: {shown[0]}"[:200]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(ROOT / ".." / "shared" / "realworld"))
    parser.add_argument(
        "--converted",
        metavar="DIR",
        help="check DIR/<sub>/<file>.yaml, converted elsewhere, instead of converting here "
        "(to compare versions of the importers; a missing file counts as not imported)",
    )
    parser.add_argument("--no-db", action="store_true", help="do not load rows into databases")
    parser.add_argument(
        "--keys",
        action="store_true",
        help="also print, for each foreign key inside a composite primary key, how many "
        "distinct parents its rows name",
    )
    args = parser.parse_args()
    folder = pathlib.Path(args.folder)
    converted = pathlib.Path(args.converted) if args.converted else None
    with _postgres(not args.no_db) as server:
        return _run(folder, converted, server, not args.no_db, args.keys)


@contextlib.contextmanager
def _postgres(wanted: bool) -> Iterator[Any]:
    from tests.postgres import Postgres, binaries

    bin_dir = binaries() if wanted else None
    if bin_dir is None:
        yield None
        return
    root = pathlib.Path(tempfile.mkdtemp(prefix="drafta-pg-"))
    server = Postgres(root, bin_dir).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _run(
    folder: pathlib.Path, converted: pathlib.Path | None, server: Any, db: bool, keys: bool
) -> int:
    results: list[Result] = []
    for sub, fmt in FORMATS.items():
        for path in sorted((folder / sub).glob("*")):
            if path.is_file():
                r = check(path, fmt, converted, server, db)
                results.append(r)
                state = "valid" if r.valid else "INVALID" if r.valid is False else "unchecked"
                if not r.imported:
                    state = "NO IMPORT"
                where = f"[{r.database}] " if r.database else ""
                if r.types is not None:
                    where += "types=exact " if not r.types else f"types: {r.types[0]} "
                print(
                    f"{state:9} {r.file:62} warnings={r.warnings:<4} {where}{r.detail}", flush=True
                )
                shown = ", ".join(f"{k} {n}/{of}" for k, n, of in r.repeats)
                if keys and shown:
                    print(f"          distinct parents: {shown}", flush=True)
    imported = sum(r.imported for r in results)
    valid = sum(r.valid is True for r in results)
    invalid = sum(r.valid is False for r in results)
    unchecked = sum(r.imported and r.valid is None for r in results)
    in_db = [r for r in results if r.database]
    typed = [r for r in results if r.types is not None]
    sides = [x for r in results for x in r.repeats]
    repeating = sum(n < of for _, n, of in sides)
    print(
        f"summary: {len(results)} files, {imported} import, {valid} give valid rows, "
        f"{invalid} give invalid rows, {unchecked} not checkable, "
        f"{len(results) - imported} do not import; loaded into a real database: {len(in_db)}, "
        f"all rows accepted: {sum(r.valid is True for r in in_db)}; foreign keys inside "
        f"composite primary keys: {len(sides)}, whose parents repeat: {repeating}; "
        f"table schemas written with exactly their declared types: "
        f"{sum(not r.types for r in typed)}/{len(typed)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
