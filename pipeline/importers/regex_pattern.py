"""Translating simple regular expressions into the language's `pattern` and back."""

from __future__ import annotations

import re
from typing import Any, cast

# One character class of a regex and the pattern symbol that draws from exactly that class.
_CLASSES = {
    r"\d": "#",
    "[0-9]": "#",
    "[A-Z]": "?",
    "[A-Za-z0-9]": "*",
    "[a-zA-Z0-9]": "*",
    "[0-9A-Za-z]": "*",
}
_TOKEN = re.compile(
    r"(\\d|\[0-9\]|\[A-Z\]|\[A-Za-z0-9\]|\[a-zA-Z0-9\]|\[0-9A-Za-z\]|\\.|[A-Za-z0-9 _\-@.:/#]|.)"
    r"(\{(\d+)\})?"
)
_SPECIAL = set("#?*\\")


def regex_to_pattern(regex: str) -> str | None:
    """The pattern generating exactly the strings of an anchored simple regex, or None.

    Understood: literal characters, ``\\d``, ``[0-9]``, ``[A-Z]``, ``[A-Za-z0-9]``, each
    optionally with a fixed count ``{n}``, anchored by ``^`` and ``$``.
    """
    if not (regex.startswith("^") and regex.endswith("$")):
        return None
    body = regex[1:-1]
    out: list[str] = []
    for match in _TOKEN.finditer(body):
        token, count = match.group(1), int(match.group(3) or 1)
        if token in _CLASSES:
            out.append(_CLASSES[token] * count)
        elif token.startswith("\\") and len(token) == 2 and not token[1].isalnum():
            out.append(_literal(token[1]) * count)
        elif len(token) == 1 and token not in "[](){}|+*?^$.":
            out.append(_literal(token) * count)
        else:
            return None
    return "".join(out)


def _literal(char: str) -> str:
    return f"\\{char}" if char in _SPECIAL else char


def pattern_to_regex(pattern: str) -> str:
    """An anchored regex matching every string a pattern generates."""
    out: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "#":
            out.append("[0-9]")
        elif char == "?":
            out.append("[A-Z]")
        elif char == "*":
            out.append("[A-Za-z0-9]")
        else:
            out.append(re.escape(char))
    # Runs of one class read better as a count: [0-9]{4}.
    merged = re.sub(r"((?:\[[^\]]+\])|\\?.)\1+", _counted, "".join(out))
    return f"^{merged}$"


def _counted(match: re.Match[str]) -> str:
    return f"{match.group(1)}{{{len(match.group(0)) // len(match.group(1))}}}"


# How many times an unbounded repeat (``+``, ``*``, ``{n,}``) is drawn.
_OPEN_REPEAT = 3
_MAX_REPEAT = 64


def regex_sample_pattern(regex: str) -> str | None:
    """A pattern whose every value matches ``regex`` (searched, as JSON Schema does), or None.

    Where ``regex_to_pattern`` needs an exact translation, this accepts any regex without
    backreferences or lookarounds and narrows it to strings it matches: the first branch of an
    alternation, a fixed count for each repeat, and for a character class the pattern symbol
    covering a subset of it (``#`` digits, ``?`` upper case, ``*`` letters and digits) or else
    one character of the class.
    """
    exact = regex_to_pattern(regex)
    if exact is not None:
        return exact
    try:
        tree = _sre.parse(regex)
    except (re.error, RecursionError, OverflowError):
        return None
    try:
        return _sample(list(tree))
    except _NoSample:
        return None


# The standard library's own regex parser: the tree it gives is what ``re`` matches.
import re._constants as _const  # noqa: E402
import re._parser as _sre  # noqa: E402


class _NoSample(Exception):
    pass


_DIGITS = set("0123456789")
_UPPER = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_ALNUM = _DIGITS | _UPPER | set("abcdefghijklmnopqrstuvwxyz")
_CANDIDATES = "aA0x-_ .z9Z"


def _class_members(items: list[tuple[object, object]]) -> tuple[set[str], bool]:
    """The characters of a character class (categories expanded over ASCII) and its negation."""
    chars: set[str] = set()
    negate = False
    for op, arg in items:
        if op == _const.NEGATE:
            negate = True
        elif op == _const.LITERAL:
            chars.add(chr(arg))  # type: ignore[arg-type]
        elif op == _const.RANGE:
            lo, hi = cast(tuple[int, int], arg)
            chars.update(chr(c) for c in range(lo, min(hi, 0x7E) + 1))
        elif op == _const.CATEGORY:
            chars.update(_category(arg))
        else:
            raise _NoSample
    return chars, negate


def _category(arg: object) -> set[str]:
    name = str(arg)
    if name.endswith("CATEGORY_DIGIT"):
        return set(_DIGITS)
    if name.endswith("CATEGORY_WORD"):
        return _ALNUM | {"_"}
    if name.endswith("CATEGORY_SPACE"):
        return {" "}
    if name.endswith("CATEGORY_NOT_DIGIT"):
        return set("aA_-")
    if name.endswith("CATEGORY_NOT_WORD"):
        return set("-. ")
    if name.endswith("CATEGORY_NOT_SPACE"):
        return set("aA0")
    raise _NoSample


def _one_of(chars: set[str], negate: bool) -> str:
    if negate:
        for c in _CANDIDATES:
            if c not in chars:
                return _literal(c)
        raise _NoSample
    if chars >= _DIGITS:
        return "#"
    if chars >= _UPPER:
        return "?"
    if not chars:
        raise _NoSample
    return _literal(sorted(chars)[0])


def _sample(items: list[tuple[object, object]]) -> str:
    out: list[str] = []
    for op, arg in items:
        if op == _const.LITERAL:
            out.append(_literal(chr(arg)))  # type: ignore[arg-type]
        elif op == _const.NOT_LITERAL:
            out.append(_one_of({chr(arg)}, True))  # type: ignore[arg-type]
        elif op == _const.ANY:
            out.append("*")
        elif op == _const.IN:
            out.append(_one_of(*_class_members(list(arg))))  # type: ignore[call-overload]
        elif op in (
            _const.MAX_REPEAT,
            _const.MIN_REPEAT,
            getattr(_const, "POSSESSIVE_REPEAT", None),
        ):
            lo, hi, sub = cast(tuple[int, int, Any], arg)
            count = lo if lo > 0 else min(hi, _OPEN_REPEAT if hi == _const.MAXREPEAT else hi)
            count = max(count, lo)
            if count > _MAX_REPEAT:
                raise _NoSample
            out.append(_sample(list(sub)) * count)
        elif op == _const.SUBPATTERN:
            out.append(_sample(list(arg[-1])))  # type: ignore[index]
        elif op == _const.BRANCH:
            out.append(_sample(list(arg[1][0])))  # type: ignore[index]
        elif op == _const.AT:
            continue
        elif op == _const.CATEGORY:
            out.append(_one_of(_category(arg), False))
        else:
            raise _NoSample
    return "".join(out)
