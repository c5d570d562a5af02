"""Parsing Arrow type strings (``int64``, ``list<item: string>``, ``struct<a: int32>``...).

The result is a small tree of plain tuples: ``("int", bits, signed)``, ``("float", bits)``,
``("decimal", precision, scale)``, ``("string",)``, ``("bool",)``, ``("date",)``,
``("timestamp", zoned)``, ``("time",)``, ``("binary",)``, ``("null",)``,
``("list", child)``, ``("struct", [(name, child, nullable), ...])``, ``("map", key, value)``.
"""

from __future__ import annotations

import re
from typing import Any

ArrowType = tuple[Any, ...]

_SIMPLE: dict[str, ArrowType] = {
    "bool": ("bool",), "boolean": ("bool",), "null": ("null",), "na": ("null",),
    "string": ("string",), "utf8": ("string",), "large_string": ("string",),
    "large_utf8": ("string",), "string_view": ("string",), "binary": ("binary",),
    "large_binary": ("binary",), "float16": ("float", 16), "halffloat": ("float", 16),
    "float32": ("float", 32), "float": ("float", 32), "float64": ("float", 64),
    "double": ("float", 64),
    "date32": ("date",), "date64": ("date",), "date32[day]": ("date",), "date64[ms]": ("date",),
}  # fmt: skip
_INT = re.compile(r"(u?)int(8|16|32|64)")


class ArrowTypeError(ValueError):
    pass


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> ArrowTypeError:
        return ArrowTypeError(f"{message} at character {self.pos + 1} of {self.text!r}")

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def word(self) -> str:
        self.skip()
        match = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(self.text, self.pos)
        if not match:
            raise self.fail("expected a type name")
        self.pos = match.end()
        return match.group(0)

    def expect(self, char: str) -> None:
        self.skip()
        if not self.text.startswith(char, self.pos):
            raise self.fail(f"expected {char!r}")
        self.pos += len(char)

    def peek(self, char: str) -> bool:
        self.skip()
        return self.text.startswith(char, self.pos)

    def bracket(self, open_: str, close: str) -> str:
        self.expect(open_)
        end = self.text.find(close, self.pos)
        if end < 0:
            raise self.fail(f"missing {close!r}")
        inner = self.text[self.pos : end]
        self.pos = end + 1
        return inner

    def type(self) -> ArrowType:
        name = self.word().lower()
        if name in ("list", "large_list", "list_view", "fixed_size_list"):
            self.expect("<")
            _, child, _ = self.child()
            if self.peek(","):  # fixed_size_list<item: int32, 4>
                self.bracket(",", ">")
                return ("list", child)
            self.expect(">")
            return ("list", child)
        if name == "struct":
            self.expect("<")
            fields = []
            while not self.peek(">"):
                fields.append(self.child())
                if self.peek(","):
                    self.expect(",")
            self.expect(">")
            return ("struct", fields)
        if name == "map":
            self.expect("<")
            key = self.type()
            self.expect(",")
            value = self.type()
            self.expect(">")
            return ("map", key, value)
        if name.startswith("decimal"):
            inner = self.bracket("(", ")")
            parts = [int(p) for p in inner.split(",")]
            return ("decimal", parts[0], parts[1] if len(parts) > 1 else 0)
        if name in ("timestamp", "time32", "time64", "duration"):
            unit = self.bracket("[", "]") if self.peek("[") else ""
            return ("timestamp", "tz=" in unit) if name == "timestamp" else ("time",)
        if name in ("date32", "date64") and self.peek("["):
            self.bracket("[", "]")
            return ("date",)
        if name == "dictionary":
            inner = self.bracket("<", ">")
            match = re.search(r"values=([^,]+)", inner)
            return parse_arrow_type(match.group(1).strip()) if match else ("string",)
        match = _INT.fullmatch(name)
        if match:
            return ("int", int(match.group(2)), match.group(1) != "u")
        if name in _SIMPLE:
            return _SIMPLE[name]
        raise self.fail(f"unknown Arrow type {name!r}")

    def child(self) -> tuple[str, ArrowType, bool]:
        self.skip()
        match = re.compile(r"([^:<>,]+):").match(self.text, self.pos)
        name = "item"
        if match:
            name = match.group(1).strip()
            self.pos = match.end()
        typ = self.type()
        nullable = True
        if self.peek("not null"):
            self.expect("not null")
            nullable = False
        return name, typ, nullable


def parse_arrow_type(text: str) -> ArrowType:
    """The type tree of an Arrow type string. Raises ArrowTypeError."""
    reader = _Reader(text.strip())
    typ = reader.type()
    reader.skip()
    if reader.pos != len(reader.text):
        raise reader.fail("unexpected text")
    return typ
