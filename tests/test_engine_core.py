"""The engine's promises: determinism across ranges, independent streams, typed columns."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.engine import BLOCK_ROWS, generate_batches
from pipeline.engine.bijection import Permutation
from pipeline.schema.parse import parse_schema

PERSON = """
version: 1
seed: 7
entities:
  Person:
    count: 1000000
    fields:
      id:         {type: uuid}
      first_name: person.first_name
      last_name:  person.last_name
      email:      {type: template, template: "{first_name|lower}.{last_name|lower}@example.com"}
      age:        {type: integer, min: 18, max: 90}
      signup:     {type: date, start: 2015-01-01, end: 2025-12-31}
      country:    {type: choice, values: [US, DE, FR, GB, JP, BR, IN]}
      balance:    {type: float, min: 0, max: 100000, decimals: 2}
      is_active:  {type: boolean, true_rate: 0.8}
      tier:       {type: choice, values: [free, pro, enterprise], weights: [80, 15, 5]}
"""


def table(text: str, entity: str, start: int, stop: int, seed: int = 7) -> pa.Table:
    schema = parse_schema(text)
    batches = list(generate_batches(schema, entity, start, stop, seed=seed, providers={}))
    return pa.Table.from_batches(batches)


def test_person_columns_and_first_row_are_stable() -> None:
    rows = table(PERSON, "Person", 0, 3)
    assert rows.column_names == [
        "id",
        "first_name",
        "last_name",
        "email",
        "age",
        "signup",
        "country",
        "balance",
        "is_active",
        "tier",
    ]
    first = rows.to_pylist()[0]
    assert (
        first["email"] == f"{first['first_name'].lower()}.{first['last_name'].lower()}@example.com"
    )
    assert str(rows.schema.field("signup").type) == "date32[day]"
    assert str(rows.schema.field("id").type) == "string"
    assert len(first["id"]) == 36 and first["id"][14] == "4" and first["id"][19] in "89ab"


def test_any_partition_gives_the_same_rows() -> None:
    whole = table(PERSON, "Person", 0, 70_000)
    cuts = [0, 1, 1433, 65_535, 65_536, 65_537, 70_000]
    parts = [table(PERSON, "Person", a, b) for a, b in itertools.pairwise(cuts)]
    assert pa.concat_tables(parts).equals(whole)


def test_preview_equals_the_start_of_a_big_job() -> None:
    big = table(PERSON, "Person", 0, BLOCK_ROWS + 5)
    assert table(PERSON, "Person", 0, 10).equals(big.slice(0, 10))
    assert table(PERSON, "Person", BLOCK_ROWS, BLOCK_ROWS + 5).equals(big.slice(BLOCK_ROWS, 5))


def test_seed_changes_values() -> None:
    assert not table(PERSON, "Person", 0, 50, seed=1).equals(table(PERSON, "Person", 0, 50, seed=2))


def test_adding_a_field_leaves_other_columns_equal() -> None:
    extra = PERSON.replace(
        "      age:", "      nick: {type: pattern, pattern: '??##'}\n      age:"
    ).replace(
        "is_active:  {type: boolean, true_rate: 0.8}",
        "is_active:  {type: boolean, true_rate: 0.8, null_rate: 0.1}\n      zz: {type: uuid}",
    )
    before = table(PERSON, "Person", 0, 5000)
    after = table(extra, "Person", 0, 5000)
    for name in before.column_names:
        if name != "is_active":
            assert after.column(name).equals(before.column(name)), name
    assert "nick" in after.column_names and "zz" in after.column_names


def test_permutation_is_a_bijection_of_its_domain() -> None:
    keys = np.array([1, 2, 3, 4], dtype=np.uint64)
    for domain in (1, 2, 3, 10, 1000, 4097):
        image = Permutation(domain, keys)(np.arange(domain))
        assert sorted(image.tolist()) == list(range(domain))
    assert Permutation(10, keys)(np.arange(10)).tolist() != list(range(10))


UNIQUE = """
entities:
  U:
    fields:
      id:    {type: uuid}
      n:     {type: integer, min: 0, max: 5000000, unique: true}
      code:  {type: pattern, pattern: "C-####-??", unique: true}
      email: {type: template, template: "{first|lower}@example.com", unique: true}
      first: person.first_name
"""


def test_unique_columns_have_no_duplicates_at_a_million_rows() -> None:
    rows = table(UNIQUE, "U", 0, 1_000_000)
    for name in ("id", "n", "code", "email"):
        assert pc.count_distinct(rows.column(name)).as_py() == 1_000_000, name
    email = rows.column("email")[0].as_py()
    first = rows.column("first")[0].as_py().lower()
    assert email.startswith(first) and email.endswith("@example.com")
    assert len(email) == len(first) + 7 + len("@example.com")
    assert pc.min(rows.column("n")).as_py() >= 0 and pc.max(rows.column("n")).as_py() <= 5_000_000


def test_unique_values_do_not_depend_on_the_job_size() -> None:
    small = table(UNIQUE, "U", 0, 10)
    assert small.equals(table(UNIQUE, "U", 0, 100_000).slice(0, 10))


ALL_UNIQUE = """
entities:
  B:
    fields:
      b: {type: boolean, unique: true}
  C:
    fields:
      c: {type: choice, values: [x, y, z, x], unique: true}
      p: {type: provider, name: colours, unique: true}
  A:
    count: 30
    fields:
      f: {type: float, min: 0, max: 1, decimals: 2, unique: true}
      d: {type: date, start: 2020-01-01, end: 2020-01-31, unique: true}
      t:
        type: datetime
        start: 2020-01-01T00:00:00Z
        end: 2020-01-01T00:00:00.000099Z
        unique: true
      s: {type: template, template: "id-{i}", unique: true}
      i: {type: sequence, start: 10, step: 5}
"""


def test_every_unique_kind_is_a_permutation_of_its_space() -> None:
    schema = parse_schema(ALL_UNIQUE)
    providers = {"colours": ["red", "green", "blue"]}

    def rows(entity: str, count: int) -> pa.Table:
        batches = generate_batches(schema, entity, 0, count, seed=3, providers=providers)
        return pa.Table.from_batches(list(batches))

    assert sorted(rows("B", 2).column("b").to_pylist()) == [False, True]
    three = rows("C", 3)
    assert sorted(three.column("c").to_pylist()) == ["x", "y", "z"]
    assert sorted(three.column("p").to_pylist()) == ["blue", "green", "red"]
    thirty = rows("A", 30)
    days = thirty.column("d").to_pylist()
    assert len(set(days)) == 30 and min(days) >= dt.date(2020, 1, 1)
    floats = thirty.column("f").to_pylist()
    assert len(set(floats)) == 30 and all(round(v, 2) == v and 0 <= v <= 1 for v in floats)
    assert thirty.column("s").to_pylist()[:3] == ["id-10", "id-15", "id-20"]
    assert len(set(thirty.column("t").to_pylist())) == 30


def test_choice_of_mixed_types_becomes_text() -> None:
    text = "entities:\n  M:\n    fields:\n      v: {type: choice, values: [1, two, true]}\n"
    column = table(text, "M", 0, 200).column("v")
    assert column.type == pa.string()
    assert set(column.to_pylist()) == {"1", "two", "true"}


def test_the_worker_preload_readies_the_engine_in_a_fresh_process() -> None:
    # A fresh interpreter: this one has long since imported and introspected everything.
    code = (
        "import importlib, sys\n"
        "from pipeline import WORKER_PRELOAD\n"
        "importlib.import_module(WORKER_PRELOAD).dask_setup(None)\n"
        "from pipeline.schema import mimesis_methods\n"
        "assert mimesis_methods._introspect.cache_info().currsize == 1\n"
        "assert 'pipeline.tasks' in sys.modules\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
