"""What expressions may not call, by kind, and the function names offered as suggestions."""

from __future__ import annotations

from sqlglot import exp

from pipeline.expressions.nodes import sql_of

_RANDOM = {"Rand", "Randn", "Uuid", "RandomString"}
_RANDOM_NAMES = {"random", "setseed", "uuid", "gen_random_uuid", "nextval", "currval"}
_CLOCK = {
    "CurrentDate",
    "CurrentTime",
    "CurrentTimestamp",
    "CurrentDatetime",
    "Localtime",
    "Localtimestamp",
    "CurrentTimestampLTZ",
}
_CLOCK_NAMES = {
    "now",
    "today",
    "get_current_time",
    "get_current_timestamp",
    "transaction_timestamp",
    "current_localtime",
    "current_localtimestamp",
}
_TABLES = {"ReadCSV", "ReadParquet", "GenerateSeries", "Explode", "Unnest", "Posexplode"}
_TABLE_NAMES = {
    "glob",
    "getenv",
    "range",
    "generate_series",
    "sniff_csv",
    "query",
    "query_table",
    "unnest",
    "load",
    "install",
    "attach",
    "copy",
}

# The functions of the language, offered when a name is not known.
FUNCTIONS = (
    "abs",
    "ceil",
    "coalesce",
    "concat",
    "date_diff",
    "date_part",
    "date_trunc",
    "extract",
    "floor",
    "greatest",
    "least",
    "length",
    "lower",
    "lpad",
    "ltrim",
    "nullif",
    "replace",
    "round",
    "rpad",
    "rtrim",
    "strftime",
    "substr",
    "trim",
    "upper",
)


def function_name(expression: exp.Expr) -> str:
    """The name a function call is written with, as a reader would recognise it."""
    if isinstance(expression, exp.Anonymous):
        return str(expression.name).lower()
    return sql_of(expression).split("(")[0].strip().lower()


def refusal(expression: exp.Expr) -> str | None:
    """Why this node may not appear in an expression, or None when no rule forbids it."""
    kind = type(expression).__name__
    name = function_name(expression) if isinstance(expression, exp.Func) else ""
    if isinstance(expression, exp.Window) and isinstance(expression.this, exp.Func):
        name = function_name(expression.this)
    if isinstance(expression, exp.Query | exp.Subquery | exp.Exists) or (
        isinstance(expression, exp.In) and expression.args.get("query") is not None
    ):
        return (
            "subqueries are not allowed: an expression reads only the fields of its own row "
            f"('{_short(expression)}')"
        )
    if kind in _RANDOM or name in _RANDOM_NAMES:
        return (
            f"{name}() is not allowed: expressions must give the same value for the same row, "
            "so randomness is refused (use a generated field instead)"
        )
    if kind in _CLOCK or name in _CLOCK_NAMES:
        written = name if kind in _CLOCK and "(" not in sql_of(expression) else f"{name}()"
        return (
            f"{written} is not allowed: expressions must give the same value on every run, "
            "so the clock is refused (write the date out, e.g. DATE '2025-01-01')"
        )
    if kind in _TABLES or name in _TABLE_NAMES or name.startswith(("read_", "parquet_")):
        return (
            f"{name}() is not allowed: table functions and file or system access are refused "
            "in expressions"
        )
    if isinstance(expression, (exp.AggFunc, exp.Window)):
        return (
            f"{name or kind.lower()}() is not allowed: aggregate and window functions work "
            "across rows; an expression sees one row"
        )
    return None


def _short(expression: exp.Expr) -> str:
    text = sql_of(expression)
    return text if len(text) <= 60 else text[:57] + "..."
