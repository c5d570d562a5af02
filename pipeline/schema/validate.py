"""Rules that span fields and entities: references, templates, providers, uniqueness."""

from __future__ import annotations

import graphlib
import itertools
from collections.abc import Collection
from typing import NamedTuple

from pipeline.schema import model as m
from pipeline.schema.mimesis_methods import LOCALES
from pipeline.schema.problems import Problems, did_you_mean
from pipeline.schema.rules import UNIQUE_TYPES, field_findings
from pipeline.schema.space import value_space
from pipeline.schema.templates import placeholders
from pipeline.schema.yaml_lines import Path

SUPPORTED_VERSION = 1
MAX_SEED = 2**63 - 1


class FieldAt(NamedTuple):
    raw: Path  # path in the document, e.g. ("entities", "A", "fields", "tags", "of")
    name: str  # root-relative name as templates write it; array items end in "[]"
    spec: m.Field
    inside_array: bool


def walk(entity_name: str, entity: m.Entity) -> list[FieldAt]:
    """Every field of an entity, parents before children."""
    out: list[FieldAt] = []

    def visit(fields: dict[str, m.Field], raw: Path, prefix: str, in_array: bool) -> None:
        for name, spec in fields.items():
            here = FieldAt((*raw, name), f"{prefix}{name}", spec, in_array)
            out.append(here)
            visit_children(here)

    def visit_children(at: FieldAt) -> None:
        if isinstance(at.spec, m.Object):
            visit(at.spec.fields, (*at.raw, "fields"), f"{at.name}.", at.inside_array)
        elif isinstance(at.spec, m.Array):
            item = FieldAt((*at.raw, "of"), f"{at.name}[]", at.spec.of, True)
            out.append(item)
            visit_children(item)

    visit(entity.fields, ("entities", entity_name, "fields"), "", False)
    return out


def field_raw_path(entity_name: str, dotted: str) -> Path:
    """The document path of a field named by its dotted path (``address.city``)."""
    raw: Path = ("entities", entity_name, "fields")
    for i, part in enumerate(dotted.split(".")):
        raw = (*raw, part) if i == 0 else (*raw, "fields", part)
    return raw


def _is_broken(raw: Path, broken: set[Path]) -> bool:
    """True when the field or one of its ancestors could not be decoded."""
    return any(raw[: len(b)] == b for b in broken)


def used_providers(schema: m.Schema) -> set[str]:
    """Names of the workspace providers (``type: provider``) a schema uses."""
    return {
        at.spec.name
        for name, entity in schema.entities.items()
        for at in walk(name, entity)
        if isinstance(at.spec, m.Provider)
    }


def default_key(entity: m.Entity) -> str | None:
    """The field a reference uses when it names none: the first sequence or uuid field."""
    for name, spec in entity.fields.items():
        if isinstance(spec, m.Sequence | m.Uuid):
            return name
    return None


def is_derivable(spec: m.Field) -> bool:
    """True when the value at any row index can be computed without generating other rows."""
    return isinstance(spec, m.Sequence | m.Uuid) or (
        isinstance(spec, m.Pattern | m.Integer) and spec.unique
    )


def validate(
    schema: m.Schema,
    problems: Problems,
    *,
    broken: Collection[Path] = (),
    providers: Collection[str] | None = None,
) -> None:
    """Add every problem of a decoded schema to ``problems``."""
    if schema.version != SUPPORTED_VERSION:
        problems.add(("version",), f"version must be {SUPPORTED_VERSION}, got {schema.version}")
    if schema.locale not in LOCALES:
        problems.add(
            ("locale",), f"unknown locale {schema.locale!r}" + did_you_mean(schema.locale, LOCALES)
        )
    if schema.seed is not None and not 0 <= schema.seed <= MAX_SEED:
        problems.add(("seed",), f"seed must be between 0 and {MAX_SEED}")
    broken_set = set(broken)
    edges: list[tuple[str, str, Path]] = []
    for name, entity in schema.entities.items():
        if entity.count is not None and entity.count < 1:
            problems.add(("entities", name, "count"), f"count must be >= 1, got {entity.count}")
        fields = walk(name, entity)
        for at in fields:
            for sub, message in field_findings(at.spec, inside_array=at.inside_array):
                problems.add((*at.raw, *sub), message)
            if (
                isinstance(at.spec, m.Provider)
                and providers is not None
                and at.spec.name not in providers
            ):
                problems.add(
                    (*at.raw, "name"),
                    f"no provider named {at.spec.name!r} in this workspace"
                    + did_you_mean(at.spec.name, providers),
                )
            if isinstance(at.spec, m.Reference):
                _check_reference(schema, name, entity, at, problems, broken_set, edges)
            elif (
                at.spec.unique
                and isinstance(at.spec, UNIQUE_TYPES)
                and not at.inside_array
                and entity.count is not None
            ):
                _check_space(at, entity.count, problems)
        _check_templates(name, entity, fields, problems, broken_set)
    _check_cycles(edges, problems)


def _check_space(at: FieldAt, count: int, problems: Problems) -> None:
    space = value_space(at.spec)
    if space is not None and space < count:
        problems.add(
            (*at.raw, "unique"),
            (
                f"cannot be unique: {at.name} has {space} possible value(s) "
                f"but the entity's count is {count}"
            ),
        )


def _check_reference(
    schema: m.Schema,
    name: str,
    entity: m.Entity,
    at: FieldAt,
    problems: Problems,
    broken: set[Path],
    edges: list[tuple[str, str, Path]],
) -> None:
    ref = at.spec
    assert isinstance(ref, m.Reference)
    parent = schema.entities.get(ref.entity)
    if parent is None:
        if ("entities", ref.entity) not in broken:
            problems.add(
                (*at.raw, "entity"),
                f"unknown entity {ref.entity!r}" + did_you_mean(ref.entity, schema.entities),
            )
        return
    if ref.entity != name:
        edges.append((name, ref.entity, at.raw))
    if parent.count is None:
        problems.add(
            (*at.raw, "entity"),
            (f"entity {ref.entity} has no `count`; a referenced entity needs one"),
        )
    if ref.field is None:
        target_name = default_key(parent)
        if target_name is None:
            problems.add(
                at.raw,
                (
                    f"entity {ref.entity} has no sequence or uuid field to reference; "
                    "name a unique field with `field`"
                ),
            )
            return
    else:
        target_name = ref.field
    target = m.find_field(parent, target_name)
    if target is None:
        if not _is_broken(field_raw_path(ref.entity, target_name), broken):
            problems.add(
                (*at.raw, "field"),
                (
                    f"entity {ref.entity} has no field {target_name!r}"
                    + did_you_mean(target_name, [f.name for f in walk(ref.entity, parent)])
                ),
            )
        return
    if not is_derivable(target):
        problems.add(
            (*at.raw, "field"),
            (
                f"{ref.entity}.{target_name} cannot be referenced: a reference needs a sequence, "
                "a uuid, or a unique pattern or integer, whose values follow from the row index"
            ),
        )
    elif target.null_rate > 0:
        problems.add(
            (*at.raw, "field"),
            (f"{ref.entity}.{target_name} has a null_rate; a referenced field must never be null"),
        )
    if (
        ref.unique
        and not at.inside_array
        and parent.count
        and entity.count
        and entity.count > parent.count
    ):
        problems.add(
            (*at.raw, "unique"),
            (
                f"cannot be unique: a 1:1 reference needs count <= {ref.entity}'s count "
                f"({parent.count}), got {entity.count}"
            ),
        )


def _check_cycles(edges: list[tuple[str, str, Path]], problems: Problems) -> None:
    remaining = list(edges)
    while True:
        graph: dict[str, set[str]] = {}
        for child, parent, _ in remaining:
            graph.setdefault(child, set()).add(parent)
        try:
            graphlib.TopologicalSorter(graph).prepare()
            return
        except graphlib.CycleError as exc:
            cycle: list[str] = exc.args[1]
        # The cycle comes back as [a, b, ..., a] with each node depending on the next.
        pairs = set(itertools.pairwise(cycle))
        closing = next(e for e in remaining if (e[0], e[1]) in pairs)
        problems.add((*closing[2], "entity"), "reference cycle: " + " -> ".join(cycle))
        remaining.remove(closing)


def _check_templates(
    entity_name: str,
    entity: m.Entity,
    fields: list[FieldAt],
    problems: Problems,
    broken: set[Path],
) -> None:
    by_name = {at.name: at for at in fields}
    graph: dict[str, set[str]] = {}
    for at in fields:
        if not isinstance(at.spec, m.Template):
            continue
        deps = graph.setdefault(at.name, set())
        for holder in placeholders(at.spec.template):
            target = by_name.get(holder.path)
            message = _placeholder_problem(holder.path, target, by_name, entity_name, broken)
            if message:
                problems.add((*at.raw, "template"), message)
            elif target is not None and isinstance(target.spec, m.Template):
                deps.add(target.name)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = exc.args[1]
        problems.add((*by_name[cycle[0]].raw, "template"), "template cycle: " + " -> ".join(cycle))


def _placeholder_problem(
    path: str,
    target: FieldAt | None,
    by_name: dict[str, FieldAt],
    entity_name: str,
    broken: set[Path],
) -> str | None:
    if target is None:
        head = path.split(".")
        for end in range(1, len(head)):
            parent = by_name.get(".".join(head[:end]))
            if parent is not None and isinstance(parent.spec, m.Array):
                return f"{{{path}}} names a field inside an array"
        if _is_broken(field_raw_path(entity_name, path), broken):
            return None
        leaves = [n for n in by_name if "[]" not in n]
        return f"{{{path}}} names no field of {entity_name}" + did_you_mean(path, leaves)
    if target.inside_array:
        return f"{{{path}}} names a field inside an array"
    if isinstance(target.spec, m.Object | m.Array):
        return f"{{{path}}} names an {target.spec.__struct_config__.tag}; name one of its values"
    return None
