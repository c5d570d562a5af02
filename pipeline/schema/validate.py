"""Rules that span fields and entities: references, templates, providers, uniqueness."""

from __future__ import annotations

import graphlib
import itertools
from collections.abc import Collection, Mapping

from pipeline.schema import model as m
from pipeline.schema.dataset_rules import check_dataset
from pipeline.schema.expression_rules import check_computed
from pipeline.schema.mimesis_methods import LOCALES
from pipeline.schema.problems import Problems, did_you_mean
from pipeline.schema.provider_rules import check_draw_groups, check_provider_field
from pipeline.schema.providers import ProviderShape
from pipeline.schema.resolved import (
    ResolvedEntity,
    ResolvedField,
    is_derivable,
    location_of,
    resolve,
)
from pipeline.schema.rules import field_findings
from pipeline.schema.uniqueness import unique_problem
from pipeline.schema.yaml_lines import Path

SUPPORTED_VERSION = 1
MAX_SEED = 2**63 - 1


def _is_broken(location: Path, broken: set[Path]) -> bool:
    """True when the field or one of its ancestors could not be decoded."""
    return any(location[: len(b)] == b for b in broken)


def used_providers(schema: m.Schema) -> set[str]:
    """Names of the workspace providers (``type: provider``) a schema uses."""
    return {
        at.spec.name
        for entity in resolve(schema).entities.values()
        for at in entity.fields
        if isinstance(at.spec, m.Provider)
    }


def validate(
    schema: m.Schema,
    problems: Problems,
    *,
    broken: Collection[Path] = (),
    providers: Collection[str] | None = None,
) -> None:
    """Add every problem of a decoded schema to ``problems``.

    ``providers`` names the workspace's providers; a mapping of names to their shapes also has
    provider fields checked against the columns of their data.
    """
    if schema.version != SUPPORTED_VERSION:
        problems.add(("version",), f"version must be {SUPPORTED_VERSION}, got {schema.version}")
    if schema.locale not in LOCALES:
        problems.add(
            ("locale",), f"unknown locale {schema.locale!r}" + did_you_mean(schema.locale, LOCALES)
        )
    if schema.seed is not None and not 0 <= schema.seed <= MAX_SEED:
        problems.add(("seed",), f"seed must be between 0 and {MAX_SEED}")
    broken_set = set(broken)
    shapes: Mapping[str, ProviderShape] | None = (
        providers if isinstance(providers, Mapping) else None
    )
    edges: list[tuple[str, str, Path]] = []
    resolved = resolve(schema)
    for name, entity in resolved.entities.items():
        if entity.count is not None and entity.count < 1:
            problems.add(("entities", name, "count"), f"count must be >= 1, got {entity.count}")
        for at in entity.fields:
            for sub, message in field_findings(at.spec, inside_array=at.inside_array):
                problems.add((*at.location, *sub), message)
            if at.spec.hidden and len(at.location) != 4:
                problems.add(
                    (*at.location, "hidden"),
                    f"hidden applies to top-level fields only; {at.path} is inside "
                    + ("an array" if at.inside_array else "an object"),
                )
            _check_member_options(at, problems)
            if isinstance(at.spec, m.Provider):
                check_provider_field(at, shapes, problems)
            if (
                isinstance(at.spec, m.Provider)
                and providers is not None
                and at.spec.name not in providers
            ):
                problems.add(
                    (*at.location, "name"),
                    f"no provider named {at.spec.name!r} in this workspace"
                    + did_you_mean(at.spec.name, providers),
                )
            if isinstance(at.spec, m.Reference):
                _check_reference(resolved.entities, name, at, problems, broken_set, edges)
            unique = unique_problem(at, entity.count, None)
            if unique is not None:
                problems.add(*unique)
        _check_templates(entity, problems, broken_set)
        _check_written_names(entity, problems)
        check_draw_groups(entity, problems)
        if entity.fields and not entity.columns():
            problems.add(
                ("entities", name, "fields"), "every field is hidden: at least one must be written"
            )
        check_computed(entity, problems)
    check_dataset(resolved, problems, broken_set)
    _check_cycles(edges, problems)


def _check_reference(
    entities: Mapping[str, ResolvedEntity],
    name: str,
    at: ResolvedField,
    problems: Problems,
    broken: set[Path],
    edges: list[tuple[str, str, Path]],
) -> None:
    ref = at.spec
    assert isinstance(ref, m.Reference) and at.reference is not None
    target = at.reference
    parent = entities.get(ref.entity)
    if parent is None:
        if ("entities", ref.entity) not in broken:
            problems.add(
                (*at.location, "entity"),
                f"unknown entity {ref.entity!r}" + did_you_mean(ref.entity, entities),
            )
        return
    if ref.entity != name:
        edges.append((name, ref.entity, at.location))
    if parent.count is None and parent.per is None:
        problems.add(
            (*at.location, "entity"),
            (f"entity {ref.entity} has no `count`; a referenced entity needs one"),
        )
    if _only_looked_through(entities[name], at):
        return  # it picks rows for lookups; its own values are never made
    if target.field is None:
        problems.add(
            at.location,
            (
                f"entity {ref.entity} has no sequence or uuid field to reference; "
                "name a unique field with `field`"
            ),
        )
        return
    if target.spec is None:
        if not _is_broken(location_of(ref.entity, target.field), broken):
            problems.add(
                (*at.location, "field"),
                (
                    f"entity {ref.entity} has no field {target.field!r}"
                    + did_you_mean(target.field, [f.path for f in parent.fields])
                ),
            )
        return
    if not is_derivable(target.spec):
        problems.add(
            (*at.location, "field"),
            (
                f"{ref.entity}.{target.field} cannot be referenced: a reference needs a "
                "sequence, a uuid, or a unique pattern or integer, whose values follow from the "
                "row index"
            ),
        )
    elif target.spec.null_rate > 0:
        problems.add(
            (*at.location, "field"),
            (f"{ref.entity}.{target.field} has a null_rate; a referenced field must never be null"),
        )
    elif target.spec.absent_rate is not None:
        problems.add(
            (*at.location, "field"),
            f"{ref.entity}.{target.field} has an absent_rate; a referenced field is never absent",
        )


def _check_member_options(at: ResolvedField, problems: Problems) -> None:
    """``absent_rate`` and ``output_name`` name a key of a row or object: an array's item, a
    map's key or value and a branch of cases have none."""
    if at.member:
        return
    for option in ("absent_rate", "output_name"):
        if getattr(at.spec, option) is not None:
            problems.add(
                (*at.location, option),
                f"{option} applies to fields of an entity or an object; {at.path} is "
                + _what(at.location),
            )


def _what(location: Path) -> str:
    last = location[-1]
    if last == "of":
        return "an array's item"
    if last in ("keys", "values"):
        return f"a map's {str(last)[:-1]}"
    return "a branch of cases"


def _check_written_names(entity: ResolvedEntity, problems: Problems) -> None:
    """Two written fields of one row or object must not write the same name."""
    seen: dict[Path, dict[str, ResolvedField]] = {}
    for at in entity.fields:
        if not at.member or at.hidden:
            continue
        siblings = seen.setdefault(at.location[:-1], {})
        other = siblings.get(at.written)
        if other is None:
            siblings[at.written] = at
            continue
        where = (*at.location, "output_name") if at.spec.output_name else at.location
        problems.add(
            where, f"{at.path} is written as {at.written!r}, as {other.path} is: names must differ"
        )


def _only_looked_through(entity: ResolvedEntity, at: ResolvedField) -> bool:
    """A hidden reference that lookups use and no template reads: it needs no parent key."""
    if not at.hidden:
        return False
    if any(at.path in (h.path for h in f.placeholders) for f in entity.fields):
        return False
    return any(isinstance(f.spec, m.Lookup) and f.spec.via == at.path for f in entity.fields)


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


def _check_templates(entity: ResolvedEntity, problems: Problems, broken: set[Path]) -> None:
    graph: dict[str, set[str]] = {}
    for at in entity.fields:
        if not isinstance(at.spec, m.Template):
            continue
        deps = graph.setdefault(at.path, set())
        for holder in at.placeholders:
            target = entity.field(holder.path)
            message = _placeholder_problem(holder.path, target, entity, broken)
            if message:
                problems.add((*at.location, "template"), message)
            elif target is not None and isinstance(target.spec, m.Template):
                deps.add(target.path)
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as exc:
        cycle: list[str] = exc.args[1]
        first = entity.by_path[cycle[0]]
        problems.add((*first.location, "template"), "template cycle: " + " -> ".join(cycle))


def _placeholder_problem(
    path: str, target: ResolvedField | None, entity: ResolvedEntity, broken: set[Path]
) -> str | None:
    if target is None:
        head = path.split(".")
        for end in range(1, len(head)):
            parent = entity.field(".".join(head[:end]))
            if parent is not None and isinstance(parent.spec, m.Array):
                return f"{{{path}}} names a field inside an array"
        if _is_broken(location_of(entity.name, path), broken):
            return None
        leaves = [f.path for f in entity.fields if "[]" not in f.path]
        return f"{{{path}}} names no field of {entity.name}" + did_you_mean(path, leaves)
    if target.inside_array:
        return f"{{{path}}} names a field inside an array"
    if isinstance(target.spec, m.Object | m.Array):
        return f"{{{path}}} names an {target.spec.__struct_config__.tag}; name one of its values"
    return None
