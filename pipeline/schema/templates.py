"""The template mini-language: literal text with ``{path}`` and ``{path|filter}`` placeholders.

Paths are root-relative dotted field names (``address.city``). Braces only ever open or close
a placeholder, so any other ``{`` or ``}`` is an error rather than silently literal text.
"""

from __future__ import annotations

import functools
import re
from typing import TypeAlias

import msgspec

FILTERS: tuple[str, ...] = ("lower", "upper", "title", "slug")
# A unique template that does not copy a unique field as it is gets a base-36 token of this
# many characters, distinct for every row.
TOKEN_WIDTH = 7
TOKEN_DOMAIN = 36**TOKEN_WIDTH

_TOKEN = re.compile(r"\{([^{}]*)\}|([{}])")
_PATH = re.compile(r"[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*")


class Placeholder(msgspec.Struct, frozen=True):
    path: str
    filter: str | None = None


Part: TypeAlias = str | Placeholder


@functools.lru_cache(maxsize=1024)
def parse_template(text: str) -> tuple[Part, ...]:
    """Split a template into literal strings and placeholders, in order.

    Raises ValueError naming the first malformed placeholder.
    """
    parts: list[Part] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.group(2) is not None:
            raise ValueError(f"stray {match.group(2)!r} at character {match.start() + 1}")
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        body = match.group(1)
        name, _, filt = body.partition("|")
        name = name.strip()
        if not _PATH.fullmatch(name):
            raise ValueError(f"placeholder {{{body}}} does not name a field")
        if "|" in body:
            filt = filt.strip()
            if filt not in FILTERS:
                raise ValueError(
                    f"unknown filter {filt!r} in {{{body}}} (filters: {', '.join(FILTERS)})"
                )
            parts.append(Placeholder(name, filt))
        else:
            parts.append(Placeholder(name))
        pos = match.end()
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)
