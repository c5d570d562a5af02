"""``if``/``then``/``else`` of a JSON Schema object, kept by making each row's outcome certain.

The language draws each property on its own, so a condition on one property cannot steer
another per row. An ``if`` that tests one property's value (``{"properties": {"type":
{"const": "boolean"}}, "required": ["type"]}``) is kept instead: the first such condition
without ``else`` has its ``then`` hold in every row (true whatever the ``if`` says), and every
other condition's tested values are taken out of that property's choices, so its ``if`` never
holds and only its ``else`` (merged, when there is one) applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONDITIONAL = ("if", "then", "else")
# Properties an object must leave out; a key no JSON Schema keyword spells, carried from
# flattening to the object's fields.
NEVER = " never present"
_NOT_DRAWN = "not drawn, so that no other if/then applies: "
Flatten = Callable[[Any], dict[str, Any] | None]
Merge = Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]]


def _tested(test: Any) -> tuple[str, list[Any], bool] | None:
    """(property, the values that make the test hold, whether the test needs the property
    present) for an ``if`` on one property's const or enum; None for any other test."""
    if not isinstance(test, dict) or not set(test) <= {"properties", "required", "type"}:
        return None
    props = test.get("properties")
    if not isinstance(props, dict) or len(props) != 1:
        return None
    name, rule = next(iter(props.items()))
    if not isinstance(rule, dict) or not set(rule) <= {"const", "enum", "type"}:
        return None
    if "const" in rule:
        values = [rule["const"]]
    elif isinstance(rule.get("enum"), list):
        values = list(rule["enum"])
    else:
        return None
    required = test.get("required")
    return str(name), values, isinstance(required, list) and name in required


def apply_conditions(
    out: dict[str, Any],
    conditions: list[dict[str, Any]],
    flatten: Flatten,
    merge: Merge,
    warn: Callable[[str], None],
) -> dict[str, Any]:
    """``out`` with the conditions kept as the module says; a condition that cannot be kept
    is reported through ``warn``."""
    kept = False
    for condition in conditions:
        test = _tested(condition.get("if"))
        found = out.get("properties")
        props: dict[str, Any] = found if isinstance(found, dict) else {}
        prop = props.get(test[0]) if test is not None else None
        if test is None or not isinstance(prop, dict):
            warn("if/then/else is not enforced (only an if on one property's value is)")
            continue
        name, values, needs_present = test
        then = flatten(condition.get("then", {})) if "then" in condition else {}
        if not kept and "else" not in condition and then is not None:
            out, kept = merge(out, then), True  # holds in every row: the if no longer matters
            continue
        choices = prop.get("enum") if isinstance(prop.get("enum"), list) else None
        if choices is None and "const" in prop:
            choices = [prop["const"]]
        if choices is None:
            warn(f"if on {name}: its values cannot be kept from the test; not enforced")
            continue
        left = [v for v in choices if v not in values]
        listed = out.get("required")
        required: list[Any] = listed if isinstance(listed, list) else []
        if not left and (not needs_present or name in required):
            warn(f"if on {name}: every value it may take makes the test hold; not enforced")
            continue
        narrowed = {k: v for k, v in prop.items() if k != "const"}
        taken_out = ", ".join(str(v) for v in choices if v in values)
        said = narrowed.get("description")
        old = said if isinstance(said, str) else ""
        if _NOT_DRAWN in old:  # an earlier condition on the same property said it
            narrowed["description"] = f"{old}, {taken_out}"
        else:
            narrowed["description"] = "; ".join(filter(None, [old, _NOT_DRAWN + taken_out]))
        out = {**out, "properties": {**props, name: {**narrowed, "enum": left}}}
        if not left:  # the test needs it present: leaving it out makes the test fail
            out[NEVER] = [*(out.get(NEVER) or []), name]
        elif not needs_present:  # absent, it would pass the test
            out["required"] = list(dict.fromkeys([*required, name]))
        other = flatten(condition["else"]) if "else" in condition else None
        if other is not None:
            out = merge(out, other)
    return out
