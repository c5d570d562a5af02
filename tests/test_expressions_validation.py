"""Expressions are refused before any row is made, with every problem named at once."""

from __future__ import annotations

import pytest

from pipeline.expressions import (
    ColumnType,
    CompiledExpression,
    ExpressionError,
    compile_expression,
    dependency_order,
)

COLUMNS = {
    "age": ColumnType.INTEGER,
    "name": ColumnType.STRING,
    "price": ColumnType.FLOAT,
    "signup": ColumnType.DATE,
    "seen": ColumnType.DATETIME,
    "active": ColumnType.BOOLEAN,
    "address.city": ColumnType.STRING,
}


def problems(text: str, kind: str = "value") -> list[str]:
    with pytest.raises(ExpressionError) as caught:
        compile_expression(text, COLUMNS, kind=kind)  # type: ignore[arg-type]
    return [p.message for p in caught.value.problems]


def test_names_and_type_of_a_good_expression() -> None:
    compiled = compile_expression("round(price * age, 2) + length(address.city)", COLUMNS)
    assert compiled.names == ("price", "age", "address.city")
    assert compiled.type is ColumnType.FLOAT
    assert compile_expression("cast(price AS integer)", COLUMNS).type is ColumnType.INTEGER
    assert compile_expression("signup + INTERVAL 2 HOUR", COLUMNS).type is ColumnType.DATETIME


def test_every_problem_is_reported_at_once() -> None:
    assert problems("agee + random() + nmae || now() + read_csv('x.csv')") == [
        "unknown field 'agee' (did you mean 'age'?)",
        "random() is not allowed: expressions must give the same value for the same row, so "
        "randomness is refused (use a generated field instead)",
        "unknown field 'nmae' (did you mean 'name'?)",
        "now() is not allowed: expressions must give the same value on every run, so the clock "
        "is refused (write the date out, e.g. DATE '2025-01-01')",
        "read_csv() is not allowed: table functions and file or system access are refused in "
        "expressions",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Age + 1", "unknown field 'Age' (did you mean 'age'?)"),
        ("address.cty", "unknown field 'address.cty' (did you mean 'address.city'?)"),
        ("zzz", "unknown field 'zzz'"),
        (
            'name = "shipped"',
            "unknown field 'shipped' (text is written in single quotes: 'shipped')",
        ),
        ("uppr(name)", "unknown function uppr() (did you mean 'upper()'?)"),
    ],
)
def test_unknown_names_with_suggestions(text: str, expected: str) -> None:
    assert problems(text) == [expected]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("random()", "random()"),
        ("gen_random_uuid()", "uuid()"),
        ("setseed(0.5)", "setseed()"),
        ("now()", "now()"),
        ("current_date", "current_date"),
        ("current_timestamp", "current_timestamp"),
        ("read_csv('people.csv')", "read_csv()"),
        ("read_parquet('x')", "read_parquet()"),
        ("getenv('HOME')", "getenv()"),
        ("range(3)", "range()"),
        ("sum(age)", "sum()"),
        ("row_number() OVER ()", "row_number()"),
    ],
)
def test_forbidden_functions_are_named(text: str, named: str) -> None:
    [message] = problems(text)
    assert message.startswith(f"{named} is not allowed")


@pytest.mark.parametrize("text", ["(SELECT 1)", "age IN (SELECT 1)", "EXISTS (SELECT 1)"])
def test_subqueries_are_refused(text: str) -> None:
    [message] = problems(text)
    assert message.startswith("subqueries are not allowed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name + 1",
            "cannot compute a string plus an integer in 'name + 1' (join text with ||)",
        ),
        ("price * active", "cannot compute a float times a boolean in 'price * active'"),
        ("age = 'x'", "cannot compare an integer with a string in 'age = 'x''"),
        ("active AND age", "each side of AND must be true or false, but 'age' is an integer"),
        (
            "coalesce(age, name)",
            "the arguments of coalesce must be of one type, not a string and an integer, "
            "in 'COALESCE(age, name)'",
        ),
        (
            "CASE WHEN active THEN 1 ELSE 'x' END",
            "the results of CASE must be of one type, not a string and an integer, "
            "in 'CASE WHEN active THEN 1 ELSE 'x' END'",
        ),
        ("cast(signup AS integer)", "cannot cast a date to integer in 'CAST(signup AS INT)'"),
        ("upper(age)", "the value of upper must be text, but 'age' is an integer"),
        (
            "signup > '2023-02-29'",
            "'2023-02-29' is not a date in ''2023-02-29'' "
            "(write it as 2025-01-31 or 2025-01-31 12:00:00)",
        ),
        (
            "round(price, age)",
            "the decimals of round must be a whole number written in the expression, not 'age'",
        ),
        (
            "signup - seen",
            "subtract datetimes with date_diff('hour', a, b) and the like in 'signup - seen'",
        ),
        (
            "signup + INTERVAL 1 FORTNIGHT",
            "unknown interval unit 'FORTNIGHT' in 'INTERVAL '1' FORTNIGHT': use YEAR, MONTH, "
            "WEEK, DAY, HOUR, MINUTE or SECOND",
        ),
        (
            "INTERVAL 1 DAY",
            "an interval is not a value: add it to a date or datetime ('d + INTERVAL 1 DAY')",
        ),
    ],
)
def test_type_mismatches_seen_before_generating(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def test_a_condition_must_be_boolean() -> None:
    assert problems("age + 1", kind="condition") == [
        "a condition must be true or false, but 'age + 1' is an integer"
    ]
    assert compile_expression("age > 1", COLUMNS, kind="condition").type is ColumnType.BOOLEAN


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the expression is empty"),
        (
            "age +",
            "not a valid SQL expression (line 1, column 5): it ends too early, or an "
            "operator has nothing on one side",
        ),
        ("'abc", "not a valid SQL expression: a quote or bracket is not closed"),
        ("age = 1; DROP TABLE x", "write one expression, not several separated by ';'"),
        ("age + 1 AS x", "an expression takes no 'AS name': the field's name is its name"),
        (
            "comment + 1",
            "not a valid SQL expression: it reads as a statement; a field named like a SQL "
            'keyword is written in double quotes ("comment")',
        ),
        (
            "(" * 200 + "age" + ")" * 200,
            "the expression nests too deeply for the parser (brackets or operators inside each "
            "other some dozens of times): compute parts of it in hidden fields",
        ),
    ],
)
def test_text_that_is_not_one_expression(text: str, expected: str) -> None:
    assert problems(text) == [expected]


def expressions(**texts: str) -> dict[str, CompiledExpression]:
    columns = dict.fromkeys(["a", "b", "c", "d", "e", "base", "address"], ColumnType.INTEGER)
    columns["address.zip"] = ColumnType.INTEGER
    return {name: compile_expression(text, columns) for name, text in texts.items()}


def test_dependency_order_puts_what_is_read_first_and_keeps_declared_order() -> None:
    order = dependency_order(expressions(c="b + 1", a="base * 2", b="a + 1", d="base"))
    assert order == ["a", "b", "c", "d"]


def test_nested_members_depend_on_their_field() -> None:
    order = dependency_order(expressions(e="address.zip + 1", address="base"))
    assert order == ["address", "e"]


def test_cycles_are_refused_naming_their_fields() -> None:
    with pytest.raises(ExpressionError) as caught:
        dependency_order(expressions(a="c + 1", b="a + 1", c="b + 1", d="d * 2", e="base"))
    assert [(p.message, p.fields) for p in caught.value.problems] == [
        (
            "these expressions read each other, so none can be computed first: a -> c -> b -> a",
            ("a", "c", "b"),
        ),
        ("these expressions read each other, so none can be computed first: d -> d", ("d",)),
    ]


def test_a_condition_orders_its_field_too() -> None:
    columns = dict.fromkeys(["a", "b", "status"], ColumnType.INTEGER)
    value = compile_expression("a * 2", columns)
    when = compile_expression("b > 0", columns, kind="condition")
    b = compile_expression("status + 1", columns)
    order = dependency_order({"total": [value, when], "b": b, "a": b})
    assert order == ["b", "a", "total"]
    assert dependency_order({"total": value, "b": b, "a": b}) == ["b", "a", "total"]
    assert dependency_order({"total": [when], "b": b}) == ["b", "total"]
