"""Keys over several columns of a SQL script, in our language.

A foreign key over several columns becomes a hidden reference that picks the parent row plus
one lookup per column, so the columns of every row are the key of one parent row. A primary
key or UNIQUE over several columns becomes a tuple of fields unique together (entity-level
``unique``); columns that are lookups through one hidden reference enter the tuple as that
reference: distinct parent rows have distinct keys, so the columns stay unique together while
each parent appears in many rows.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

from pipeline.importers import declared_decimal
from pipeline.importers.draft import EntityDraft, FieldDraft, add_description, safe_name
from pipeline.importers.sql_tables import ForeignKey
from pipeline.schema.dataset_rules import TUPLE_TYPES
from pipeline.schema.space import pattern_space

# The field types a tuple may hold, as the schema's rules allow them.
_TUPLE_TYPES = {str(t.__struct_config__.tag) for t in TUPLE_TYPES}


@dataclasses.dataclass
class Link:
    """A foreign key over several columns, as a hidden reference and its lookups."""

    field: str  # the hidden reference
    columns: list[str]  # the child's fields that are lookups through it
    originals: dict[str, FieldDraft]  # those fields as they were drafted from their columns
    label: str  # the constraint, as warnings name it


def link(
    fk: ForeignKey,
    fields: dict[str, FieldDraft],
    columns: dict[str, str],
    parent_entity: str,
    parent_columns: dict[str, str],
    parent_key: list[str],
    self_reference: bool,
    linked: list[Link],
) -> Link | str:
    """Turn the columns of ``fk`` into lookups through a new hidden reference (``fields`` is
    changed in place); or say why the language cannot: a reason to warn with.

    ``columns`` maps the child's columns to their fields, ``parent_columns`` the parent's
    (lower-cased) columns to its fields.
    """
    wanted = fk.ref_columns or parent_key
    if not wanted:
        return f"it names no columns of {fk.table}, which has no primary key"
    if len(wanted) != len(fk.columns):
        return f"it names {len(fk.columns)} columns but the parent's key has {len(wanted)}"
    targets = [parent_columns.get(c.lower()) for c in wanted]
    missing = [c for c, t in zip(wanted, targets, strict=True) if t is None]
    if missing:
        return f"{fk.table} has no column {missing[0]}"
    names = [columns[c] for c in fk.columns]
    taken = {n for done in linked for n in done.columns}
    if taken & set(names):
        shared = next(n for n in names if n in taken)
        return f"{shared} is already a lookup of another foreign key over several columns"
    if self_reference and set(targets) & set(names):
        return "it maps the table's own key columns onto themselves"
    ref_name = safe_name(fk.name or fk.table, set(fields))
    ref: dict[str, Any] = {"type": "reference", "entity": parent_entity, "hidden": True}
    if all(fields[n].spec.get("null_rate") for n in names):
        ref["null_rate"] = fields[names[0]].spec["null_rate"]
    label = f"FOREIGN KEY ({', '.join(fk.columns)}) REFERENCES {fk.table}"
    add_description(ref, f"{label}: picks the parent row")
    originals = {n: fields[n] for n in names}
    rebuilt: dict[str, FieldDraft] = {}
    for name, draft in fields.items():
        if name == names[0]:
            rebuilt[ref_name] = FieldDraft(ref)
        if name in originals:
            spec: dict[str, Any] = {
                "type": "lookup",
                "via": ref_name,
                "field": targets[names.index(name)],
            }
            add_description(spec, draft.spec.get("description"))
            rebuilt[name] = FieldDraft(spec)
        else:
            rebuilt[name] = draft
    fields.clear()
    fields.update(rebuilt)
    return Link(ref_name, names, originals, label)


def unlink(fields: dict[str, FieldDraft], done: Link, why: str) -> None:
    """Put back the columns of a link that cannot be generated, saying why in their
    descriptions (``fields`` changed in place)."""
    fields.pop(done.field, None)
    for name, draft in done.originals.items():
        add_description(draft.spec, f"not generated as a reference: {why}")
        fields[name] = draft


def unique_together(
    entity: EntityDraft,
    names: list[str],
    links: list[Link],
    as_pattern: Callable[[str], dict[str, Any] | None],
) -> bool:
    """Make the fields ``names`` (a key's columns) unique together, in place; False when the
    language cannot say it.

    A key that holds a field unique on its own is unique already. ``as_pattern`` gives a text
    column's field as a pattern of its declared length (a tuple needs a bounded set of values),
    or None when the column is not text.
    """
    fields = entity.fields
    drafts = [fields[n] for n in names]
    if any(d.spec["type"] in ("sequence", "uuid") or d.spec.get("unique") for d in drafts):
        return True
    members: list[str] = []
    for name, draft in zip(names, drafts, strict=True):
        member = name
        if draft.spec["type"] == "lookup":
            via = next(x for x in links if x.field == draft.spec["via"])
            if not set(via.columns) <= set(names):
                return False  # unique with the whole parent key is not unique with a part
            member = via.field
        if member not in members:
            members.append(member)
    if {n for t in entity.unique for n in t} & set(members):
        return False  # a field is in one tuple only
    patterns: dict[str, dict[str, Any]] = {}
    for member in members:
        spec = fields[member].spec
        if spec.get("unique"):
            return True
        if spec["type"] == "decimal":
            continue  # written as a float rounded to its scale below
        if spec["type"] not in _TUPLE_TYPES or (spec["type"] == "float" and "decimals" not in spec):
            pattern = as_pattern(member)
            if pattern is None:
                return False
            add_description(pattern, spec.get("description"))
            patterns[member] = pattern
    for member in members:
        if member in patterns:
            fields[member] = FieldDraft(patterns[member])
        if fields[member].spec["type"] == "decimal":  # a tuple unique together takes no decimal
            fields[member] = FieldDraft(declared_decimal.as_float(fields[member].spec))
        spec = fields[member].spec
        spec.pop("distribution", None)
        if spec.pop("null_rate", None):
            add_description(spec, "never null: a tuple unique together has no nulls")
    if len(members) == 1:  # the whole key is one parent's key: a 1:1 reference
        fields[members[0]].spec["unique"] = True
    else:
        entity.unique.append(_widest_first(members, fields))
    return True


def _widest_first(members: list[str], fields: dict[str, FieldDraft]) -> list[str]:
    """The tuple's fields with the most values first and references last.

    A tuple's first field varies slowest over its rows: when the fields after it have more
    values together than a row index spans, it would take a single value. A reference first
    would then name one parent in every row; a long text first is harmless.
    """

    def width(name: str) -> float:
        spec = fields[name].spec
        if spec["type"] == "reference":
            return 0
        space = _space(spec, {})
        return math.inf if space is None else space

    return sorted(members, key=width, reverse=True)


def _space(spec: dict[str, Any], counts: dict[str, int | None]) -> int | None:
    """The distinct values of a tuple's field, where the draft bounds them."""
    kind = spec["type"]
    if kind == "reference":
        return counts.get(spec["entity"])
    if kind == "integer":
        return int(spec.get("max", 1_000_000)) - int(spec.get("min", 0)) + 1
    if kind == "float" and "decimals" in spec:
        scale = 10 ** spec["decimals"]
        return math.floor(spec["max"] * scale) - math.ceil(spec["min"] * scale) + 1
    if kind == "choice":
        return len({repr(v) for v in spec["values"]})
    if kind == "boolean":
        return 2
    if kind == "pattern":
        return pattern_space(spec["pattern"])
    if kind == "date" and "start" in spec and "end" in spec:
        return (spec["end"] - spec["start"]).days + 1
    return None


def tuple_room(entity: EntityDraft, counts: dict[str, int | None]) -> int | None:
    """The fewest distinct tuples any of the entity's unique tuples can take."""
    room: int | None = None
    for names in entity.unique:
        spaces = [_space(entity.fields[n].spec, counts) for n in names]
        if any(s is None for s in spaces):
            continue
        total = math.prod(s for s in spaces if s is not None)
        room = total if room is None else min(room, total)
    return room
