"""The resolved form of a schema: what every later step needs to know about each field, worked
out once.

The model (``pipeline.schema.model``) says what was written; this says what it means: where each
field stands in the document, how many distinct values it can take, what a reference points at
and what a template's placeholders name. Validation builds it, and capacity checks, the engine
and the exporters read it, so none of them walks the fields, parses a template or picks a
reference's key on its own.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.expressions import ColumnType
from pipeline.schema import model as m
from pipeline.schema.computed import Computed, branches, column_type, computed_parts, readable
from pipeline.schema.space import distinct_values, value_space
from pipeline.schema.templates import TOKEN_DOMAIN, Part, Placeholder, parse_template
from pipeline.schema.yaml_lines import Path

ITEM = "[]"  # what an array's item adds to the array's path: ``tags[]``


@dataclass(frozen=True)
class Target:
    """What a reference points at: the other entity's field whose values it copies."""

    entity: str
    field: str | None  # None: it names none and the entity has no sequence or uuid to default to
    spec: m.Field | None  # None: no such entity or field
    count: int | None  # the referenced entity's row count


@dataclass(frozen=True)
class ResolvedField:
    path: str  # root-relative name as templates write it (``address.city``, ``tags[]``)
    location: Path  # where it stands in the document: ("entities", "A", "fields", "tags", "of")
    spec: m.Field
    inside_array: bool
    space: int | None = None  # distinct values the schema allows; None: unbounded or unknown
    space_provider: str | None = None  # the provider whose data bounds the space at job time
    space_column: str | None = None  # the column of that provider's records, when it has records
    template: tuple[Part, ...] | None = None  # a template's parts; None: no template, or malformed
    template_token: bool = False  # a unique template that needs a token to stay unique
    reference: Target | None = None
    lookup: Target | None = None  # a lookup's field on the entity its `via` reference points at
    hidden: bool = False  # generated (templates and references may read it) but not written
    column_type: ColumnType = ColumnType.NULL  # its values' type as expressions read them
    computed: Computed | None = None  # its expression, `when:` and cases' conditions, compiled
    # A field of an entity or of an object, with a name of its own and a key that can be left
    # out; not an array's item, a map's key or value, or a branch of cases.
    member: bool = False

    @property
    def written(self) -> str:
        """The name outputs write: its ``output_name``, else its own name."""
        return self.spec.output_name or str(self.location[-1])

    @property
    def placeholders(self) -> tuple[Placeholder, ...]:
        return tuple(p for p in self.template or () if isinstance(p, Placeholder))

    def space_with(self, providers: Mapping[str, Sequence[Any]] | None) -> int | None:
        """The value space, counting provider data when given (a provider's space is its data)."""
        if self.space_provider is None:
            return self.space
        if providers is None:
            return None
        data = list(providers.get(self.space_provider, []))
        if self.space_column is not None:
            data = [r.get(self.space_column) for r in data if isinstance(r, Mapping)]
        return len(distinct_values(data))


@dataclass(frozen=True)
class ResolvedEntity:
    name: str
    model: m.Entity  # the entity as written
    fields: tuple[ResolvedField, ...]  # every field, parents before children
    key: str | None  # what a reference naming no field copies: the first sequence or uuid
    by_path: Mapping[str, ResolvedField] = field(repr=False, compare=False)

    @property
    def count(self) -> int | None:
        """The row count the schema gives; None also for children per parent (see ``per``)."""
        return row_count(self.model)

    @property
    def per(self) -> m.PerParent | None:
        """``count: {per: ...}``: rows in groups, one per parent row."""
        return self.model.count if isinstance(self.model.count, m.PerParent) else None

    def field(self, path: str) -> ResolvedField | None:
        return self.by_path.get(path)

    def columns(self) -> tuple[ResolvedField, ...]:
        """The top-level fields written out, in order: the columns of the entity's output."""
        return tuple(f for f in self.fields if len(f.location) == 4 and not f.hidden)


@dataclass(frozen=True)
class ResolvedSchema:
    entities: Mapping[str, ResolvedEntity]

    def entity(self, name: str) -> ResolvedEntity | None:
        return self.entities.get(name)


def row_count(entity: m.Entity) -> int | None:
    """The row count an entity's ``count`` gives; None when it has none or is per parent."""
    return entity.count if isinstance(entity.count, int) else None


def unique_by_construction(spec: m.Field) -> bool:
    """A sequence numbering the whole entity, or a uuid: never repeats, asked or not (a
    sequence with ``scope: parent`` starts again in every group)."""
    if isinstance(spec, m.Sequence):
        return spec.scope != "parent"
    return isinstance(spec, m.Uuid)


def is_derivable(spec: m.Field) -> bool:
    """True when the value at any row index can be computed without generating other rows,
    and names that row alone."""
    return unique_by_construction(spec) or (isinstance(spec, m.Pattern | m.Integer) and spec.unique)


def location_of(entity: str, path: str) -> Path:
    """The document location of a field named by its dotted path (``address.city``)."""
    out: Path = ("entities", entity, "fields")
    for i, part in enumerate(path.split(".")):
        out = (*out, part) if i == 0 else (*out, "fields", part)
    return out


def _walk(entity_name: str, entity: m.Entity) -> list[ResolvedField]:
    """Every field of an entity, parents before children; the one walk of the fields."""
    out: list[ResolvedField] = []

    def visit(fields: dict[str, m.Field], location: Path, prefix: str, in_array: bool) -> None:
        for name, spec in fields.items():
            here = ResolvedField(
                f"{prefix}{name}",
                (*location, name),
                spec,
                in_array,
                hidden=spec.hidden,
                member=True,
            )
            out.append(here)
            children(here)

    def children(at: ResolvedField) -> None:
        if isinstance(at.spec, m.Object):
            visit(at.spec.fields, (*at.location, "fields"), f"{at.path}.", at.inside_array)
        elif isinstance(at.spec, m.Array):
            item = ResolvedField(
                f"{at.path}{ITEM}", (*at.location, "of"), at.spec.of, True, hidden=at.spec.of.hidden
            )
            out.append(item)
            children(item)
        elif isinstance(at.spec, m.Map):
            # A map's entries are generated as the items of an array of {key, value}.
            for name, part, spec in (
                ("key", "keys", at.spec.keys),
                ("value", "values", at.spec.values),
            ):
                entry = ResolvedField(
                    f"{at.path}{ITEM}.{name}", (*at.location, part), spec, True, hidden=spec.hidden
                )
                out.append(entry)
                children(entry)
        elif isinstance(at.spec, m.Cases):
            for path, sub, spec in branches(at.path, at.spec):
                branch = ResolvedField(path, (*at.location, *sub), spec, at.inside_array)
                out.append(branch)
                children(branch)

    visit(entity.fields, ("entities", entity_name, "fields"), "", False)
    return out


def _default_key(fields: list[ResolvedField]) -> str | None:
    """What a reference naming no field copies: the first top-level sequence or uuid."""
    for at in fields:
        if len(at.location) == 4 and unique_by_construction(at.spec):
            return at.path
    return None


def _template_parts(spec: m.Template) -> tuple[Part, ...] | None:
    try:
        return parse_template(spec.template)
    except ValueError:
        return None


def _as_is(parts: tuple[Part, ...] | None, by_path: Mapping[str, ResolvedField]) -> str | None:
    """The field a template copies unchanged (literal text around one unfiltered placeholder),
    when that field is unique by itself; such a template needs no token to stay unique."""
    holders = [p for p in parts or () if isinstance(p, Placeholder)]
    if len(holders) != 1 or holders[0].filter is not None:
        return None
    target = by_path.get(holders[0].path)
    if target is None:
        return None
    if unique_by_construction(target.spec) or target.spec.unique:
        return target.path
    return None


class _Resolver:
    def __init__(self, schema: m.Schema) -> None:
        self.schema = schema
        self.walked = {name: _walk(name, entity) for name, entity in schema.entities.items()}
        self.by_path = {
            name: {at.path: at for at in fields} for name, fields in self.walked.items()
        }
        self.keys = {name: _default_key(fields) for name, fields in self.walked.items()}
        self.readable = {
            name: readable([(at.path, at.spec, at.inside_array) for at in fields])
            for name, fields in self.walked.items()
        }
        self.done: dict[tuple[str, str], ResolvedField] = {}
        self.busy: set[tuple[str, str]] = set()

    def resolve(self) -> ResolvedSchema:
        entities = {}
        for name, entity in self.schema.entities.items():
            fields = tuple(self.field(name, at.path) for at in self.walked[name])
            entities[name] = ResolvedEntity(
                name, entity, fields, self.keys[name], {f.path: f for f in fields}
            )
        return ResolvedSchema(entities)

    def field(self, entity: str, path: str) -> ResolvedField:
        key = (entity, path)
        hit = self.done.get(key)
        if hit is not None:
            return hit
        at = self.by_path[entity][path]
        if key in self.busy:  # a template cycle (validation reports it): no space to borrow
            return at
        self.busy.add(key)
        spec = at.spec
        if isinstance(spec, m.Provider):
            out = replace(at, space_provider=spec.name, space_column=spec.column)
        elif isinstance(spec, m.Template):
            out = self._template(entity, at, spec)
        elif isinstance(spec, m.Reference):
            out = replace(at, **self._reference(spec))
        elif isinstance(spec, m.Lookup):
            out = replace(at, lookup=self._lookup(entity, spec))
        else:
            out = replace(at, space=value_space(spec))
        out = self._typed(entity, out)
        self.busy.discard(key)
        self.done[key] = out
        return out

    def _typed(self, entity: str, at: ResolvedField) -> ResolvedField:
        """The field's type for expressions, and its expressions compiled (computed.py)."""

        def type_of(path: str) -> ColumnType:
            return self.field(entity, path).column_type

        computed = computed_parts(at.spec, self.readable[entity], type_of)
        target = at.reference or at.lookup  # a lookup's values have its target's type too
        reference = None
        if target is not None and target.spec is not None and target.field is not None:
            reference = self.field(target.entity, target.field).column_type
        branch_types = []
        if isinstance(at.spec, m.Cases):
            branch_types = [type_of(path) for path, _, _ in branches(at.path, at.spec)]
        kind = column_type(at.spec, computed, reference, branch_types)
        return replace(at, column_type=kind, computed=computed)

    def _template(self, entity: str, at: ResolvedField, spec: m.Template) -> ResolvedField:
        parts = _template_parts(spec)
        copied = _as_is(parts, self.by_path[entity])
        if copied is not None:
            source = self.field(entity, copied)
            return replace(
                at,
                template=parts,
                space=source.space,
                space_provider=source.space_provider,
                space_column=source.space_column,
            )
        return replace(
            at,
            template=parts,
            template_token=spec.unique,
            space=TOKEN_DOMAIN if spec.unique else None,
        )

    def _reference(self, spec: m.Reference) -> dict[str, Any]:
        parent = self.schema.entities.get(spec.entity)
        if parent is None:
            return {"reference": Target(spec.entity, spec.field, None, None)}
        name = spec.field if spec.field is not None else self.keys[spec.entity]
        target = self.by_path[spec.entity].get(name) if name is not None else None
        found = target.spec if target is not None and ITEM not in target.path else None
        count = row_count(parent)
        return {
            "reference": Target(spec.entity, name, found, count),
            # Each parent row can be picked once: the parent's rows are the value space.
            "space": count if found is not None else None,
        }

    def _lookup(self, entity: str, spec: m.Lookup) -> Target | None:
        """The field a lookup reads; None when ``via`` is not a reference of this entity."""
        via = self.by_path[entity].get(spec.via)
        if via is None or not isinstance(via.spec, m.Reference) or len(via.location) != 4:
            return None
        parent = self.schema.entities.get(via.spec.entity)
        if parent is None:
            return None
        target = self.by_path[via.spec.entity].get(spec.field)
        found = target.spec if target is not None and not target.inside_array else None
        count = row_count(parent)
        return Target(via.spec.entity, spec.field, found, count)


# The resolved form is kept beside the schema it was built from, for as long as that lives;
# keyed by identity since a schema (holding dicts) cannot be hashed.
_CACHE: dict[int, tuple[weakref.ref[m.Schema], ResolvedSchema]] = {}
_LOCK = threading.Lock()


def resolve(schema: m.Schema) -> ResolvedSchema:
    """The resolved form of a schema, built on first use and then kept with it."""
    key = id(schema)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is schema:
        return hit[1]
    resolved = _Resolver(schema).resolve()

    def forget(_: object, key: int = key) -> None:
        with _LOCK:
            entry = _CACHE.get(key)
            if entry is not None and entry[0]() is None:
                del _CACHE[key]

    with _LOCK:
        _CACHE[key] = (weakref.ref(schema, forget), resolved)
    return resolved
