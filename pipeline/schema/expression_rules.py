"""Rules for expressions, `when:` conditions and `cases`: what the compiler found, cycles
between fields, and branches that disagree on a type."""

from __future__ import annotations

import graphlib

from pipeline.expressions import CompiledExpression, ExpressionError, dependency_order
from pipeline.schema import model as m
from pipeline.schema.computed import agreed_type, branches
from pipeline.schema.problems import Problems
from pipeline.schema.resolved import ResolvedEntity, ResolvedField


def check_computed(entity: ResolvedEntity, problems: Problems) -> None:
    """Add every problem of the entity's expressions, conditions and cases."""
    for at in entity.fields:
        if at.computed is not None:
            for sub, message in at.computed.problems:
                problems.add((*at.location, *sub), message)
        if isinstance(at.spec, m.Cases):
            _check_branches(entity, at, problems)
        target = at.reference
        if target is not None and target.spec is not None and target.spec.when is not None:
            problems.add(
                (*at.location, "field"),
                f"{target.entity}.{target.field} has a `when:`; a referenced field must never "
                "be null",
            )
    _check_cycles(entity, problems)


def _check_branches(entity: ResolvedEntity, at: ResolvedField, problems: Problems) -> None:
    assert isinstance(at.spec, m.Cases)
    found = [entity.by_path[path] for path, _, _ in branches(at.path, at.spec)]
    for branch in found:
        if isinstance(branch.spec, m.Object | m.Array):
            kind = branch.spec.__struct_config__.tag
            problems.add(
                (*branch.location, "type"),
                f"a branch of cases gives one value: an {kind} is not allowed here",
            )
        if branch.spec.unique:
            problems.add((*branch.location, "unique"), "unique is not allowed in a branch of cases")
    if agreed_type([b.column_type for b in found]) is None:
        kinds = ", ".join(f"{b.path.rpartition('.')[2]} is {b.column_type.article}" for b in found)
        problems.add(
            (*at.location, "cases"), f"the branches of cases must agree on a type: {kinds}"
        )


def _owner(path: str, cases: list[str]) -> str:
    """The readable field a branch belongs to: the outermost `cases` holding it."""
    for outer in cases:
        if path.startswith((f"{outer}.cases[", f"{outer}.else")):
            return outer
    return path


def _check_cycles(entity: ResolvedEntity, problems: Problems) -> None:
    cases = [at.path for at in entity.fields if isinstance(at.spec, m.Cases)]
    reads: dict[str, list[CompiledExpression]] = {}
    for at in entity.fields:
        if at.computed is not None:
            reads.setdefault(_owner(at.path, cases), []).extend(at.computed.all())
    try:
        dependency_order(reads)
    except ExpressionError as error:
        for problem in error.problems:
            first = entity.by_path[problem.fields[0]] if problem.fields else None
            problems.add(first.location if first else ("entities", entity.name), problem.message)
        return
    _check_through_templates(entity, reads, cases, problems)


def _check_through_templates(
    entity: ResolvedEntity,
    reads: dict[str, list[CompiledExpression]],
    cases: list[str],
    problems: Problems,
) -> None:
    """A circle that passes through templates as well as expressions (templates alone are
    checked with the templates)."""
    graph: dict[str, set[str]] = {}
    for name, compiled in reads.items():
        graph[name] = {_owner(n, cases) for c in compiled for n in c.names}
    templates = set()
    for at in entity.fields:
        if at.template is not None:
            owner = _owner(at.path, cases)
            templates.add(owner)
            graph.setdefault(owner, set()).update(_owner(h.path, cases) for h in at.placeholders)
    while True:
        try:
            graphlib.TopologicalSorter(graph).prepare()
            return
        except graphlib.CycleError as exc:
            # Each node of graphlib's cycle is read by the next: reversed, each reads the next.
            cycle: list[str] = exc.args[1][::-1]
        # Cut the circle where it leaves its first field, then look for another.
        graph[cycle[0]].discard(cycle[1])
        if set(cycle) <= templates:
            continue
        first = next(name for name in cycle if name in reads)
        start = cycle.index(first)
        names = [*cycle[start:-1], *cycle[:start], first]
        problems.add(
            entity.by_path[first].location,
            "these fields read each other (through templates), so none can be computed first: "
            + " -> ".join(names),
        )
