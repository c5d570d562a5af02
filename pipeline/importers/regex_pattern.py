"""Translating simple regular expressions into the language's `pattern` and back."""

from __future__ import annotations

import re

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
