"""Realistic generators picked from a column's name when the source gives only a bare type."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal, TypeAlias

Base: TypeAlias = Literal["string", "integer", "float", "datetime", "date", "boolean"]

_WORD_SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")

_PRICE = {"type": "float", "min": 1, "max": 1000, "decimals": 2}

# (name pattern on the snake_case name, bases it applies to, spec); first match wins.
RULES: list[tuple[str, tuple[str, ...], dict[str, Any]]] = [
    (r"(.*_)?(e_?mail)(_address)?", ("string",), {"type": "person.email"}),
    (r"user_?name|login|handle|nickname|screen_name", ("string",), {"type": "person.username"}),
    (r"(first|given|fore)_?name|fname", ("string",), {"type": "person.first_name"}),
    (r"(last|family|sur)_?name|lname|surname", ("string",), {"type": "person.last_name"}),
    (
        r"(full_?|display_|contact_|customer_|user_|author_|employee_)?name",
        ("string",),
        {"type": "person.full_name"},
    ),
    (
        r"(.*_)?(phone|telephone|mobile|cell)(_number|_no)?",
        ("string",),
        {"type": "person.phone_number"},
    ),
    (r"(.*_)?(city|town)", ("string",), {"type": "address.city"}),
    (r"(.*_)?country_?(code|iso)", ("string",), {"type": "address.country_code"}),
    (r"(.*_)?country", ("string",), {"type": "address.country"}),
    (r"(.*_)?(state|province|region)", ("string",), {"type": "address.state"}),
    (
        r"(.*_)?(zip|zip_?code|postal_?code|post_?code)",
        ("string",),
        {"type": "address.postal_code"},
    ),
    (r"(.*_)?street(_name)?", ("string",), {"type": "address.street_name"}),
    (r"(.*_)?(address|addr)(_?line)?_?1?|street_address", ("string",), {"type": "address.address"}),
    (
        r"(company|organi[sz]ation|employer|company_name|organi[sz]ation_name)",
        ("string",),
        {"type": "finance.company"},
    ),
    (r"(.*_)?(url|website|homepage|web_?site|link)", ("string",), {"type": "internet.url"}),
    (r"(.*_)?(ip|ip_?address|ipv4|ip_v4)", ("string",), {"type": "internet.ip_v4"}),
    (r"(.*_)?(ipv6|ip_v6)", ("string",), {"type": "internet.ip_v6"}),
    (r"(.*_)?(hostname|host|domain)", ("string",), {"type": "internet.hostname"}),
    (r"password(_hash)?", ("string",), {"type": "person.password"}),
    (
        r"(.*_)?(description|notes?|comments?|bio|summary|body|content|remarks?)",
        ("string",),
        {"type": "text.sentence"},
    ),
    (r"(.*_)?title", ("string",), {"type": "text.title"}),
    (r"(.*_)?(gender|sex)", ("string",), {"type": "person.gender"}),
    (r"(.*_)?(occupation|job|job_title|profession)", ("string",), {"type": "person.occupation"}),
    (r"(.*_)?currency(_code)?", ("string",), {"type": "finance.currency_iso_code"}),
    (r"(.*_)?colou?r", ("string",), {"type": "text.color"}),
    (r"(.*_)?language", ("string",), {"type": "person.language"}),
    (r"(.*_)?(product|item)_?name|product", ("string",), {"type": "text.word"}),
    (r"(uuid|guid)", ("string",), {"type": "uuid"}),
    (r"(.*_)?(lat|latitude)", ("float", "string"), {"type": "address.latitude"}),
    (r"(.*_)?(lng|lon|long|longitude)", ("float", "string"), {"type": "address.longitude"}),
    (
        r"(.*_)?(created|updated|modified|deleted|last_login|signed_up|registered)_?(at|on|time)?"
        r"|(.*_)?(at|timestamp|time)",
        ("string", "datetime"),
        {"type": "datetime"},
    ),
    (
        r"(birth_?date|date_of_birth|dob|birthday)",
        ("string", "date"),
        {"type": "date", "start": dt.date(1950, 1, 1), "end": dt.date(2005, 12, 31)},
    ),
    (r"(.*_)?date", ("string",), {"type": "date"}),
    (r"(.*_)?(price|amount|cost|total|subtotal|balance|fee|revenue)", ("float",), _PRICE),
    (
        r"(.*_)?(price|amount|cost|total|subtotal|balance|fee|revenue)",
        ("integer",),
        {"type": "integer", "min": 1, "max": 1000},
    ),
    (
        r"(.*_)?(salary|income)",
        ("float",),
        {"type": "float", "min": 20000, "max": 200000, "decimals": 2},
    ),
    (r"(.*_)?(salary|income)", ("integer",), {"type": "integer", "min": 20000, "max": 200000}),
    (r"(quantity|qty|.*_count|count)", ("integer",), {"type": "integer", "min": 1, "max": 10}),
    (r"age", ("integer",), {"type": "integer", "min": 18, "max": 90}),
    (r"(rating|stars|score)", ("integer",), {"type": "integer", "min": 1, "max": 5}),
    (r"(.*_)?year", ("integer",), {"type": "integer", "min": 1950, "max": 2030}),
    (
        r"(.*_)?(percent|percentage|pct)",
        ("float",),
        {"type": "float", "min": 0, "max": 100, "decimals": 2},
    ),
    (r"(.*_)?(weight)", ("float",), {"type": "float", "min": 0.1, "max": 100, "decimals": 2}),
]
_COMPILED = [(re.compile(p), bases, spec) for p, bases, spec in RULES]


def snake(name: str) -> str:
    """``unitPrice`` / ``Unit-Price`` -> ``unit_price``."""
    return "_".join(w.lower() for w in _WORD_SPLIT.split(name) if w)


_THING_NAMES: list[tuple[re.Pattern[str], dict[str, Any]]] = [
    (
        re.compile(r".*(compan|organi[sz]ation|vendor|supplier|store|shop|brand|bank).*"),
        {"type": "finance.company"},
    ),
    (re.compile(r".*(cit(y|ies)|town).*"), {"type": "address.city"}),
    (re.compile(r".*countr.*"), {"type": "address.country"}),
    (
        re.compile(r".*(product|item|article|categor|tag|genre|skill|department|team|project).*"),
        {"type": "text.word"},
    ),
]


def guess(column: str, base: Base, entity: str | None = None) -> dict[str, Any] | None:
    """A field spec suggested by a column's name for a bare source type, or None.

    ``entity`` (the table's name) tells what a bare ``name`` column names: a person unless
    the table holds things such as products or companies.
    """
    name = snake(column)
    if name in ("name", "title") and base == "string" and entity is not None:
        for pattern, spec in _THING_NAMES:
            if pattern.fullmatch(snake(entity)):
                return dict(spec)
    for pattern, bases, spec in _COMPILED:
        if base in bases and pattern.fullmatch(name):
            return dict(spec)
    return None


PICKED = "picked from the name"

# For each generator a name may pick: the fewest characters its values keep their sense in (its
# shortest values for names and codes, as a cut email or address is not one; a word for running
# text), and its longest value, with room to spare. A sized text column (VARCHAR(n), maxLength)
# keeps the picked generator whole when n is at least the second, cut to n when at least the
# first; under that the generator gives way to what the declared type alone gives.
TEXT_LENGTHS: dict[str, tuple[int, int]] = {
    "address.address": (10, 48), "address.city": (3, 30), "address.country": (4, 48),
    "address.country_code": (2, 2), "address.latitude": (5, 12), "address.longitude": (5, 12),
    "address.postal_code": (5, 10), "address.state": (4, 20), "address.street_name": (3, 32),
    "cryptographic.token_hex": (64, 64), "finance.company": (3, 60),
    "finance.currency_iso_code": (3, 3), "internet.hostname": (6, 32), "internet.ip_v4": (15, 15),
    "internet.ip_v6": (39, 39), "internet.url": (15, 48), "person.email": (16, 40),
    "person.first_name": (2, 16), "person.full_name": (7, 30), "person.gender": (4, 10),
    "person.language": (3, 20), "person.last_name": (2, 16), "person.occupation": (3, 40),
    "person.password": (8, 8), "person.phone_number": (12, 20), "person.username": (8, 30),
    "text.color": (3, 10), "text.sentence": (4, 200), "text.title": (4, 200), "text.word": (2, 20),
    "date": (10, 10), "datetime": (32, 32), "datetime.time": (15, 15), "uuid": (36, 36),
}  # fmt: skip
MIN_KEPT = {kind: fewest for kind, (fewest, _) in TEXT_LENGTHS.items()}
MAX_LENGTH = {kind: longest for kind, (_, longest) in TEXT_LENGTHS.items()}


def fits(spec: dict[str, Any], length: int | None) -> bool:
    """Whether a generator's text always fits ``length`` characters (None: no limit)."""
    if length is None:
        return True
    if spec["type"] == "pattern":
        return len(spec["pattern"].replace("\\", "")) <= length
    return MAX_LENGTH.get(spec["type"], 10**9) <= length


# Generators whose values are not text: a column declared as text must not get them where the
# output keeps types (JSON, Parquet).
NOT_TEXT = frozenset({"date", "datetime", "address.latitude", "address.longitude"})
