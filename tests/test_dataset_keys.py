"""Fields unique together, and composite foreign keys: a hidden reference plus lookups."""

from __future__ import annotations

from pathlib import Path

from pipeline.capacity import uniqueness_problems
from pipeline.schema import load_schema
from tests.datasets import generated_rows, problems_of

UNIVERSITY = """\
version: 1
entities:
  Course:
    count: 40
    fields:
      course_id: {type: pattern, pattern: "CS-###", unique: true}
      credits: {type: integer, min: 1, max: 6}
  Section:
    count: 390
    unique: [[course, sec_id, semester]]
    fields:
      course: {type: reference, entity: Course, hidden: true}
      course_id: {type: lookup, via: course, field: course_id}
      sec_id: {type: integer, min: 1, max: 5}
      semester: {type: choice, values: [Fall, Spring]}
      room: {type: pattern, pattern: "R###"}
  Takes:
    count: 2000
    unique: [[student, section]]
    fields:
      student: {type: integer, min: 1, max: 100}
      section: {type: reference, entity: Section, hidden: true}
      course_id: {type: lookup, via: section, field: course_id}
      sec_id: {type: lookup, via: section, field: sec_id}
      semester: {type: lookup, via: section, field: semester}
"""


def _rows(entity: str, count: int, folder: Path, shard_rows: int = 1_048_576) -> list:
    return generated_rows(UNIVERSITY, entity, count, folder, seed=8, shard_rows=shard_rows)


def test_tuples_never_repeat_and_composite_keys_match_a_parent(tmp_path: Path) -> None:
    sections = _rows("Section", 390, tmp_path)
    keys = [(s["course_id"], s["sec_id"], s["semester"]) for s in sections]
    assert len(set(keys)) == 390  # 390 of the 400 possible tuples
    assert sections[0] == {
        "course_id": sections[0]["course_id"],
        "sec_id": sections[0]["sec_id"],
        "semester": sections[0]["semester"],
        "room": sections[0]["room"],
    }
    courses = {c["course_id"] for c in _rows("Course", 40, tmp_path)}
    assert {k[0] for k in keys} <= courses
    takes = _rows("Takes", 2000, tmp_path)
    assert len({(t["student"], t["course_id"], t["sec_id"], t["semester"]) for t in takes}) == 2000
    assert {(t["course_id"], t["sec_id"], t["semester"]) for t in takes} <= set(keys)
    assert _rows("Takes", 2000, tmp_path, shard_rows=64) == takes


def test_a_tuple_space_smaller_than_the_count_is_refused() -> None:
    assert problems_of(UNIVERSITY.replace("count: 390", "count: 401")) == [
        {
            "path": "entities.Section.unique[0]",
            "line": 10,
            "message": "cannot be unique: (course, sec_id, semester) has 400 possible tuple(s) "
            "but the entity's count is 401",
        }
    ]
    schema = load_schema(UNIVERSITY)
    assert uniqueness_problems(schema, "Takes", 39_000, {}) == []  # 100 students x 390
    assert uniqueness_problems(schema, "Section", 401, {}) == [
        {
            "path": "entities.Section.unique[0]",
            "message": "cannot be unique: (course, sec_id, semester) has 400 possible tuple(s) "
            "but the entity's count is 401",
        }
    ]


def test_bad_tuples_are_named_with_their_path_and_line() -> None:
    schema = """\
version: 1
entities:
  A:
    count: 10
    unique: [[a, b, nme], [name, a], [c]]
    fields:
      a: {type: integer, min: 1, max: 9}
      b: {type: integer, min: 1, max: 99, unique: true}
      name: person.first_name
      c: {type: choice, values: [x, y], null_rate: 0.5}
"""
    assert problems_of(schema) == [
        {
            "path": "entities.A.unique[0][1]",
            "line": 5,
            "message": "b in a unique tuple cannot itself be unique or have a null_rate",
        },
        {
            "path": "entities.A.unique[0][2]",
            "line": 5,
            "message": "A has no field 'nme'; did you mean name?",
        },
        {
            "path": "entities.A.unique[1][0]",
            "line": 5,
            "message": "name cannot be part of a unique tuple: its values must come from a "
            "bounded set the schema gives (integer, float with decimals, boolean, choice, date, "
            "datetime, pattern, or a reference to an entity with a count)",
        },
        {
            "path": "entities.A.unique[1][1]",
            "line": 5,
            "message": "a is already in unique tuple 0",
        },
        {
            "path": "entities.A.unique[2][0]",
            "line": 5,
            "message": "c in a unique tuple cannot itself be unique or have a null_rate",
        },
    ]


def test_a_reference_used_only_through_lookups_needs_no_parent_key() -> None:
    shown = UNIVERSITY.replace(
        "section: {type: reference, entity: Section, hidden: true}",
        "section: {type: reference, entity: Section}",
    )
    assert problems_of(shown) == [
        {
            "path": "entities.Takes.fields.section",
            "line": 22,
            "message": "entity Section has no sequence or uuid field to reference; name a "
            "unique field with `field`",
        }
    ]
