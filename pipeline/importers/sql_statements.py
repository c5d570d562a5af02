"""Cutting a SQL script into statements, each with its first line, as a database client would.

Real dumps hold more than DDL: client commands (``DELIMITER //``, ``source x.dump``, psql's
``\\connect``), T-SQL batch separators (``GO``), function bodies in dollar quotes, MySQL
conditional comments. The cutter knows enough of each to find where statements end, so that one
statement the importer cannot read costs only that statement.
"""

from __future__ import annotations

import dataclasses
import re

_GO = re.compile(r"[ \t]*GO[ \t]*(\d+)?[ \t]*;?[ \t]*$", re.I)
_DELIMITER = re.compile(r"[ \t]*DELIMITER[ \t]+(\S+)[ \t]*$", re.I)
# Client commands that end at the end of their line, with or without a semicolon.
_CLIENT = re.compile(r"[ \t]*(\\\w+|source\s|\\\.)", re.I)
_DOLLAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


@dataclasses.dataclass
class Statement:
    text: str  # comments removed, whitespace kept
    line: int  # line of its first character in the input, from 1


def _skip_quoted(text: str, i: int, close: str) -> int:
    """The index just past the quote closing the one at ``i`` (doubled quotes escape)."""
    j = i + 1
    while j < len(text):
        if text[j] == "\\" and close == "'":
            j += 2
            continue
        if text[j] == close:
            if j + 1 < len(text) and text[j + 1] == close:
                j += 2
                continue
            return j + 1
        j += 1
    return j


_BLOCK = re.compile(r"CREATE\s+(?:\w+\s+)*?TRIGGER\b.*\bBEGIN\b", re.I | re.S)
_DOLLAR_QUOTED = re.compile(r"\$(\w*)\$.*?\$\1\$", re.S)
_BLOCK_END = re.compile(r"\bEND\s*$", re.I)


def _open_block(buf: list[str]) -> bool:
    """Inside a trigger body written without DELIMITER (SQLite): ``;`` ends inner statements
    until the body's ``END``."""
    body = _DOLLAR_QUOTED.sub("", "".join(buf).strip())
    return bool(_BLOCK.match(body)) and not _BLOCK_END.search(body)


def split_statements(text: str) -> list[Statement]:
    """The statements of a script, comments dropped, in order."""
    out: list[Statement] = []
    delimiter = ";"
    buf: list[str] = []
    empty = True  # buf holds only whitespace so far
    start_line = line = 1
    i, n = 0, len(text)
    at_line_start = True

    def flush() -> None:
        nonlocal empty
        body = "".join(buf).strip()
        if body:
            out.append(Statement(body, start_line))
        buf.clear()
        empty = True

    def keep(piece: str) -> None:
        nonlocal empty, start_line
        if empty and piece.strip():
            empty, start_line = False, line
        buf.append(piece)

    while i < n:
        if at_line_start:
            end = text.find("\n", i)
            end = n if end < 0 else end
            current = text[i:end]
            match = _DELIMITER.fullmatch(current)
            if match or _GO.fullmatch(current):
                flush()
                delimiter = match.group(1) if match else delimiter
                i, at_line_start = end, False
                continue
            if empty and (_CLIENT.match(current) or current.lstrip().startswith("#")):
                if not current.lstrip().startswith("#"):
                    out.append(Statement(current.strip().rstrip(";").strip(), line))
                i, at_line_start = end, False
                continue
        char = text[i]
        if char == "\n":
            buf.append(char)
            line += 1
            i += 1
            at_line_start = True
            continue
        at_line_start = False
        if text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            breaks = text.count("\n", i, end)
            buf.append("\n" * breaks or " ")
            line += breaks
            i = end
            continue
        if char in "'\"`[":
            end = _skip_quoted(text, i, "]" if char == "[" else char)
        elif char == "$" and _DOLLAR.match(text, i):
            tag = _DOLLAR.match(text, i).group(0)  # type: ignore[union-attr]
            end = text.find(tag, i + len(tag))
            end = n if end < 0 else end + len(tag)
        elif text.startswith(delimiter, i) and not _open_block(buf):
            flush()
            i += len(delimiter)
            continue
        else:
            end = i + 1
        piece = text[i:end]
        keep(piece)
        line += piece.count("\n")
        i = end
    flush()
    return out


_KIND = re.compile(
    r"(?P<create_table>CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?"
    r"(?:TEMP\s+|TEMPORARY\s+|UNLOGGED\s+|VIRTUAL\s+)?TABLE\b)"
    r"|(?P<alter_table>ALTER\s+TABLE\b)"
    r"|(?P<create_type>CREATE\s+TYPE\b)"
    r"|(?P<create_domain>CREATE\s+DOMAIN\b)"
    r"|(?P<create_index>CREATE\s+(?:UNIQUE\s+)?(?:(?:NON)?CLUSTERED\s+)?INDEX\b)",
    re.I,
)


def kind_of(statement: str) -> str | None:
    """``create_table``, ``alter_table``, ``create_type``, ``create_domain``, ``create_index``
    or None for a statement the importer does not read."""
    match = _KIND.match(statement)
    return match.lastgroup if match else None


def head(statement: str, words: int = 3) -> str:
    """The first words of a statement, to name it in a warning."""
    return " ".join(statement.split()[:words]).rstrip("(;,")


def split_top_level(text: str, sep: str = ",") -> list[str]:
    """``text`` cut at ``sep`` outside parentheses and quotes."""
    parts: list[str] = []
    depth = 0
    i = 0
    last = 0
    while i < len(text):
        char = text[i]
        if char in "'\"`[":
            i = _skip_quoted(text, i, "]" if char == "[" else char)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == sep and depth == 0:
            parts.append(text[last:i])
            last = i + 1
        i += 1
    parts.append(text[last:])
    return [p.strip() for p in parts if p.strip()]


def matching_paren(text: str, open_at: int) -> int:
    """The index of the parenthesis closing the one at ``open_at`` (or -1)."""
    depth = 0
    i = open_at
    while i < len(text):
        char = text[i]
        if char in "'\"`[":
            i = _skip_quoted(text, i, "]" if char == "[" else char)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1
