"""A provider's items as the web form takes them (values one per line, or a JSON array of
values or records) and shows them back; the use cases are service.providers'."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from service.dto import Item
from service.errors import Invalid
from service.providers import check_items
from service.settings import Settings


def parse_values(text: str, settings: Settings) -> list[Item]:
    """Values written one per line, or a JSON array (for numbers, booleans and records)."""
    stripped = text.strip()
    values: Any
    if stripped.startswith("["):
        try:
            values = msgspec.convert(json.loads(stripped), list[Item])
        except (ValueError, msgspec.ValidationError) as exc:
            raise Invalid(
                f"the values are not a JSON array of strings, numbers, booleans or records: {exc}",
                field="values",
            ) from None
    else:
        values = [line.strip() for line in stripped.splitlines() if line.strip()]
    if not values:
        raise Invalid("a provider needs at least one value", field="values")
    check_items(values, settings, "values")
    return list(values)


def values_text(values: list[Item]) -> str:
    """How the edit form shows values: one per line when that reads back the same."""
    if all(isinstance(v, str) and v == v.strip() and v and "\n" not in v for v in values):
        return "\n".join(str(v) for v in values)
    return json.dumps(values, ensure_ascii=False)
