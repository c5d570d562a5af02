"""Rules of whole datasets: lookups, children per parent (``count: {per: ...}``) and fields
unique together (entity-level ``unique``)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping

from pipeline.schema import model as m
from pipeline.schema.problems import Problems, did_you_mean
from pipeline.schema.resolved import ResolvedEntity, ResolvedField, ResolvedSchema, location_of
from pipeline.schema.yaml_lines import Path

# What a field of a tuple may be: types whose values follow from an index into their space.
TUPLE_TYPES = (m.Integer, m.Float, m.Boolean, m.Choice, m.Date, m.Datetime, m.Pattern, m.Reference)


def check_dataset(
    schema: ResolvedSchema, problems: Problems, broken: Collection[Path] = ()
) -> None:
    """Every problem of lookups, counts per parent and unique tuples in a schema; fields that
    could not be decoded (``broken``) were reported already."""
    for name, entity in schema.entities.items():
        for at in entity.fields:
            if isinstance(at.spec, m.Lookup):
                _check_lookup(schema.entities, entity, at, problems, broken)
            elif isinstance(at.spec, m.Sequence) and at.spec.scope == "parent":
                if entity.per is None:
                    problems.add(
                        (*at.location, "scope"),
                        "scope: parent numbers rows within their parent's group; the entity "
                        "needs `count: {per: <entity>, ...}`",
                    )
                elif len(at.location) != 4:
                    problems.add((*at.location, "scope"), "scope: parent is for top-level fields")
                if at.spec.unique:
                    problems.add(
                        (*at.location, "unique"),
                        "a sequence with scope: parent starts again in every group, so it "
                        "cannot be unique; make the pair (parent reference, this field) unique "
                        "with the entity's `unique: [[...]]`",
                    )
        if entity.per is not None:
            _check_per_parent(schema.entities, entity, entity.per, problems)
        else:
            for at in entity.fields:
                if isinstance(at.spec, m.Reference) and at.spec.parent:
                    problems.add(
                        (*at.location, "parent"),
                        f"parent: true marks the reference to the `per` entity; {name} has no "
                        "`count: {per: ...}`",
                    )
        _check_tuples(schema, entity, problems)


def _check_lookup(
    entities: Mapping[str, ResolvedEntity],
    entity: ResolvedEntity,
    at: ResolvedField,
    problems: Problems,
    broken: Collection[Path],
) -> None:
    spec = at.spec
    assert isinstance(spec, m.Lookup)
    via = entity.field(spec.via)
    if via is None or len(via.location) != 4:
        tops = [f.path for f in entity.fields if len(f.location) == 4]
        problems.add(
            (*at.location, "via"),
            f"{entity.name} has no field {spec.via!r}" + did_you_mean(spec.via, tops),
        )
        return
    if not isinstance(via.spec, m.Reference):
        refs = [f.path for f in entity.fields if isinstance(f.spec, m.Reference)]
        known = f" (references: {', '.join(refs)})" if refs else ""
        problems.add(
            (*at.location, "via"),
            f"via names a reference field of {entity.name}; {spec.via} is a "
            f"{via.spec.__struct_config__.tag}{known}",
        )
        return
    parent = entities.get(via.spec.entity)
    if parent is None:
        return  # the reference itself reports the unknown entity
    target = parent.field(spec.field)
    written = location_of(parent.name, spec.field)
    if target is None and any(written[: len(b)] == b for b in broken):
        return
    if target is None or target.inside_array:
        names = [f.path for f in parent.fields if not f.inside_array]
        problems.add(
            (*at.location, "field"),
            f"entity {parent.name} has no field {spec.field!r}" + did_you_mean(spec.field, names),
        )
        return
    cycle = _lookup_cycle(entities, entity.name, at.path)
    if cycle:
        problems.add((*at.location, "field"), "lookup cycle: " + " -> ".join(cycle))


def _lookup_cycle(
    entities: Mapping[str, ResolvedEntity], entity: str, path: str
) -> list[str] | None:
    """The chain of lookups from (entity, path) when it comes back to itself."""
    seen: list[tuple[str, str]] = []
    here = (entity, path)
    while here not in seen:
        seen.append(here)
        at = entities[here[0]].field(here[1])
        if at is None or at.lookup is None or not isinstance(at.spec, m.Lookup):
            return None
        here = (at.lookup.entity, at.spec.field)
    if here != seen[0]:
        return None  # a cycle further on is reported at its own fields
    return [f"{e}.{p}" for e, p in (*seen, here)]


def _check_per_parent(
    entities: Mapping[str, ResolvedEntity],
    entity: ResolvedEntity,
    per: m.PerParent,
    problems: Problems,
) -> None:
    where: Path = ("entities", entity.name, "count")
    if per.per not in entities:
        problems.add(
            (*where, "per"), f"unknown entity {per.per!r}" + did_you_mean(per.per, entities)
        )
        return
    if per.per == entity.name:
        problems.add((*where, "per"), "an entity cannot be its own parent")
        return
    if per.min < 0:
        problems.add((*where, "min"), f"min must be >= 0, got {per.min}")
    if per.max is not None and per.max < per.min:
        problems.add((*where, "max"), f"max ({per.max}) is less than min ({per.min})")
    if per.max is None and per.distribution.kind != "poisson":
        problems.add(where, "count per parent needs `max` (only a poisson count may omit it)")
    sizes = per.distribution
    needs = {"uniform": None, "poisson": "mean", "zipf": "s"}[sizes.kind]
    for option in ("mean", "s"):
        value = getattr(sizes, option)
        at: Path = (*where, "distribution", option)
        if option == needs and value is None:
            problems.add((*where, "distribution"), f"a {sizes.kind} count needs `{option}`")
        elif option != needs and value is not None:
            problems.add(at, f"`{option}` does not belong to a {sizes.kind} count")
        elif value is not None and not (math.isfinite(value) and value >= 0):
            problems.add(at, f"`{option}` must be a finite number >= 0, got {value}")
        elif option == "s" and value is not None and value <= 0:
            problems.add(at, f"`s` must be > 0, got {value}")
    refs = [
        f
        for f in entity.fields
        if isinstance(f.spec, m.Reference) and len(f.location) == 4 and f.spec.entity == per.per
    ]
    marked = [f for f in refs if isinstance(f.spec, m.Reference) and f.spec.parent]
    for f in entity.fields:
        if isinstance(f.spec, m.Reference) and f.spec.parent and f not in refs:
            problems.add((*f.location, "parent"), f"parent: true goes on a reference to {per.per}")
    if not refs:
        problems.add(
            (*where, "per"),
            f"{entity.name} needs a reference to {per.per} to hold each group's parent key",
        )
    elif len(marked) > 1:
        for f in marked[1:]:
            problems.add((*f.location, "parent"), "only one reference may be marked parent: true")
    elif len(refs) > 1 and not marked:
        problems.add(
            (*where, "per"),
            f"{entity.name} has several references to {per.per} "
            f"({', '.join(f.path for f in refs)}); mark the group's one with parent: true",
        )
    holder = marked[0] if marked else refs[0] if len(refs) == 1 else None
    if holder is not None and holder.spec.unique:
        problems.add(
            (*holder.location, "unique"),
            "the reference holding the group's parent repeats its parent key in every row of "
            "the group; it cannot be unique",
        )


def member_space(schema: ResolvedSchema, at: ResolvedField) -> int | None:
    """The values a field of a tuple can take: a reference's are its parent's rows."""
    if isinstance(at.spec, m.Reference):
        parent = schema.entity(at.spec.entity)
        return parent.count if parent is not None else None
    return at.space


def tuple_space(schema: ResolvedSchema, entity: ResolvedEntity, names: list[str]) -> int | None:
    """The number of distinct tuples of these fields; None when a field's space is unknown."""
    total = 1
    for name in names:
        at = entity.field(name)
        space = member_space(schema, at) if at is not None else None
        if space is None:
            return None
        total *= space
    return total


def _check_tuples(schema: ResolvedSchema, entity: ResolvedEntity, problems: Problems) -> None:
    seen: dict[str, int] = {}
    for i, names in enumerate(entity.model.unique):
        where: Path = ("entities", entity.name, "unique", i)
        if not names:
            problems.add(where, "a unique tuple names at least one field")
            continue
        ok = True
        for j, name in enumerate(names):
            at = entity.field(name)
            if at is None or len(at.location) != 4:
                tops = [f.path for f in entity.fields if len(f.location) == 4]
                problems.add(
                    (*where, j),
                    f"{entity.name} has no field {name!r}" + did_you_mean(name, tops),
                )
                ok = False
            elif not isinstance(at.spec, TUPLE_TYPES) or member_space(schema, at) is None:
                problems.add(
                    (*where, j),
                    f"{name} cannot be part of a unique tuple: its values must come from a "
                    "bounded set the schema gives (integer, float with decimals, boolean, "
                    "choice, date, datetime, pattern, or a reference to an entity with a count)",
                )
                ok = False
            elif (
                entity.per is not None
                and isinstance(at.spec, m.Reference)
                and at.spec.entity == entity.per.per
            ):
                problems.add(
                    (*where, j),
                    f"{name} holds each group's parent; it repeats within a group and cannot be "
                    "part of a unique tuple (number the group's rows with sequence scope: parent)",
                )
                ok = False
            elif at.spec.unique or at.spec.null_rate > 0:
                problems.add(
                    (*where, j),
                    f"{name} in a unique tuple cannot itself be unique or have a null_rate",
                )
                ok = False
            elif at.spec.absent_rate is not None:
                problems.add((*where, j), f"{name} in a unique tuple cannot have an absent_rate")
                ok = False
            elif name in seen and seen[name] != i:
                problems.add((*where, j), f"{name} is already in unique tuple {seen[name]}")
                ok = False
            seen.setdefault(name, i)
        if len(set(names)) != len(names):
            problems.add(where, "a unique tuple names each field once")
            ok = False
        if ok:
            for problem in tuple_count_problems(schema, entity, entity.count or 0, only=i):
                problems.add(*problem)


def tuple_count_problems(
    schema: ResolvedSchema, entity: ResolvedEntity, count: int, only: int | None = None
) -> list[tuple[Path, str]]:
    """Unique tuples with fewer possible values than ``count`` rows."""
    out: list[tuple[Path, str]] = []
    for i, names in enumerate(entity.model.unique):
        if only is not None and i != only:
            continue
        space = tuple_space(schema, entity, names)
        if count and space is not None and space < count:
            out.append(
                (
                    ("entities", entity.name, "unique", i),
                    f"cannot be unique: ({', '.join(names)}) has {space} possible tuple(s) but "
                    f"the entity's count is {count}",
                )
            )
    return out
