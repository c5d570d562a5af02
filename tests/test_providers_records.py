"""Record providers: one column per field, the fields of one draw read the same record, records
weighted by a column; the API stores and checks records (JSON or CSV) and refuses bad fields
with path and line."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from pipeline.capacity import uniqueness_problems
from pipeline.local import generate
from pipeline.schema import SchemaError, catalogue, load_schema
from pipeline.schema.providers import shapes_of
from service.cli import main
from tests.jobhelpers import make_project, wait_for

Client = TestClient[Litestar]

PLACES: list[dict[str, Any]] = [
    {"city": "Austin", "state": "TX", "zip": "73301", "pop": 50},
    {"city": "Boston", "state": "MA", "zip": "02134", "pop": 30},
    {"city": "Chicago", "state": "IL", "zip": "60601", "pop": 15},
    {"city": "Denver", "state": "CO", "zip": "80201", "pop": 5},
    {"city": "Eugene", "state": "OR", "zip": "97401", "pop": 0},
]
BY_CITY = {p["city"]: p for p in PLACES}
PROVIDERS: dict[str, list[Any]] = {"USPlaces": PLACES, "Tiers": ["free", "pro"]}

CUSTOMERS = """\
version: 1
seed: 3
entities:
  Customer:
    count: 10000
    fields:
      id: {type: sequence}
      city: {type: provider, name: USPlaces, column: city, draw: place}
      state: {type: provider, name: USPlaces, column: state, draw: place}
      zip: {type: provider, name: USPlaces, column: zip, draw: place}
      tier: {type: provider, name: Tiers}
      label: {type: template, template: "{city}, {state}"}
"""
WEIGHTED = CUSTOMERS.replace("draw: place}", "draw: place, weight_column: pop}")


def _rows(tmp_path: Path, text: str, count: int = 10000, **kw: Any) -> list[dict[str, str]]:
    out = tmp_path / f"out-{len(text)}-{kw.get('shard_rows', 0)}.csv"
    generate(text, "Customer", count, format="csv", out=str(out), providers=PROVIDERS, **kw)
    return list(csv.DictReader(io.StringIO(out.read_text())))


def test_the_fields_of_a_draw_agree_in_every_row(tmp_path: Path) -> None:
    rows = _rows(tmp_path, CUSTOMERS)
    assert len(rows) == 10000
    assert all(
        (r["state"], r["zip"]) == (BY_CITY[r["city"]]["state"], BY_CITY[r["city"]]["zip"])
        for r in rows
    )
    assert all(r["label"] == f"{r['city']}, {r['state']}" for r in rows)
    assert set(Counter(r["city"] for r in rows)) == set(BY_CITY)  # uniform: every record
    assert {r["tier"] for r in rows} == {"free", "pro"}  # plain providers as before
    assert rows[1]["zip"] in {"73301", "02134", "60601", "80201", "97401"}


def test_fields_without_a_draw_pick_records_on_their_own(tmp_path: Path) -> None:
    rows = _rows(tmp_path, CUSTOMERS.replace(", draw: place", ""), count=2000)
    disagree = sum(r["state"] != BY_CITY[r["city"]]["state"] for r in rows)
    assert disagree > 1000  # about 4 in 5 for five records


def test_weight_column_is_followed(tmp_path: Path) -> None:
    rows = _rows(tmp_path, WEIGHTED)
    seen = Counter(r["city"] for r in rows)
    assert "Eugene" not in seen  # weight 0
    total = sum(p["pop"] for p in PLACES)
    # Seeded, so this cannot flake; a chi-square of 4 degrees of freedom beyond 18.5 has p < 0.001.
    chi2 = 0.0
    for place in PLACES[:4]:
        expected = len(rows) * place["pop"] / total
        chi2 += (seen[place["city"]] - expected) ** 2 / expected
    assert chi2 < 18.5
    assert abs(seen["Austin"] / len(rows) - 0.5) < 0.02


def test_adding_a_field_to_a_draw_changes_no_other_value(tmp_path: Path) -> None:
    full = _rows(tmp_path, CUSTOMERS, count=3000)
    fewer = _rows(tmp_path, CUSTOMERS.replace("      zip:", "      # zip:"), count=3000)
    assert [(r["city"], r["state"]) for r in full] == [(r["city"], r["state"]) for r in fewer]
    assert [r["tier"] for r in full] == [r["tier"] for r in fewer]


def test_one_and_five_shards_give_the_same_bytes(tmp_path: Path) -> None:
    one = _rows(tmp_path, WEIGHTED, count=5000)
    five = _rows(tmp_path, WEIGHTED, count=5000, shard_rows=1000)
    assert one == five


def test_unique_reads_each_value_of_a_column_once(tmp_path: Path) -> None:
    text = CUSTOMERS.replace("count: 10000", "count: 5").replace(
        "column: zip, draw: place}", "column: zip, unique: true}"
    )
    rows = _rows(tmp_path, text, count=5)
    assert sorted(r["zip"] for r in rows) == ["02134", "60601", "73301", "80201", "97401"]


BAD = """\
entities:
  Customer:
    fields:
      city: {type: provider, name: USPlaces, column: citty, draw: place}
      state: {type: provider, name: Tiers, column: state, draw: place}
      zip: {type: provider, name: USPlaces}
      w: {type: provider, name: USPlaces, column: zip, weight_column: city}
      x: {type: provider, name: USPlaces, column: zip, draw: place, weight_column: pop}
      y: {type: provider, name: Tiers, draw: other}
"""

BAD_PROBLEMS: list[dict[str, Any]] = [
    {
        "path": "entities.Customer.fields.city.column",
        "line": 4,
        "message": "provider USPlaces has no column 'citty'; did you mean city? "
        "(columns: city, state, zip, pop)",
    },
    {
        "path": "entities.Customer.fields.state.column",
        "line": 5,
        "message": "provider Tiers holds plain values, not records: remove `column`",
    },
    {
        "path": "entities.Customer.fields.zip",
        "line": 6,
        "message": "provider USPlaces holds records: name one of its columns with `column` "
        "(columns: city, state, zip, pop)",
    },
    {
        "path": "entities.Customer.fields.w.weight_column",
        "line": 7,
        "message": "column 'city' of provider USPlaces cannot weigh records: it must be a "
        "number >= 0 in every record, and not 0 in all",
    },
    {
        "path": "entities.Customer.fields.y.draw",
        "line": 9,
        "message": "`draw` needs `column` (it reads a record provider)",
    },
    {
        "path": "entities.Customer.fields.state.name",
        "line": 5,
        "message": "draw 'place' reads provider USPlaces (city); every field of a draw names "
        "the same provider, got Tiers",
    },
    {
        "path": "entities.Customer.fields.x.weight_column",
        "line": 8,
        "message": "the fields of draw 'place' must agree on weight_column: city has None, "
        "this one 'pop'",
    },
]


def test_every_provider_problem_at_once() -> None:
    with pytest.raises(SchemaError) as info:
        load_schema(BAD, providers=shapes_of(PROVIDERS))
    assert info.value.problems == sorted(BAD_PROBLEMS, key=lambda p: p["line"])


def _provider(client: Client, auth: dict[str, str], name: str, data: list[Any]) -> str:
    r = client.post("/provider", json={"name": name, "data": data}, headers=auth)
    assert r.status_code == 201, r.json()
    ref: str = r.json()[0]["id"]
    return ref


def test_schema_problems_through_the_api(client: Client, auth: dict[str, str]) -> None:
    for name, data in PROVIDERS.items():
        _provider(client, auth, name, data)
    group = client.post("/project-group", json={"name": "g"}, headers=auth).json()
    r = client.post(
        "/project", json={"project_group_id": group["id"], "name": "p", "data": BAD}, headers=auth
    )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"] == sorted(BAD_PROBLEMS, key=lambda p: p["line"])


def test_a_job_reads_records_and_checks_them_again(client: Client, auth: dict[str, str]) -> None:
    places = _provider(client, auth, "USPlaces", PLACES)
    _provider(client, auth, "Tiers", ["free", "pro"])
    project = make_project(client, auth, WEIGHTED, name="places")
    r = client.post(
        f"/data/{project}",
        json={"entity_name": "Customer", "count": 3000, "format": "json"},
        headers=auth,
    )
    assert r.status_code == 202, r.json()
    status = wait_for(client, auth, r.json()["id"])
    assert status["status"] == "completed", status
    rows = json.loads(client.get(f"/data/{status['id']}/download", headers=auth).content)
    assert all(r["zip"] == BY_CITY[r["city"]]["zip"] for r in rows)
    preview = client.post(
        f"/project/{project}/preview", json={"entity_name": "Customer", "count": 3}, headers=auth
    ).json()
    assert list(preview["rows"][0]) == [
        "id",
        "city",
        "state",
        "zip",
        "tier",
        "label",
    ]
    # The provider loses its weight column after the schema was saved: the job is refused.
    changed = [{k: v for k, v in p.items() if k != "pop"} for p in PLACES]
    assert (
        client.put(f"/provider/{places}", json={"data": changed}, headers=auth).status_code == 200
    )
    refused = client.post(
        f"/data/{project}", json={"entity_name": "Customer", "count": 10}, headers=auth
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {
        "path": "entities.Customer.fields.city.weight_column",
        "line": 8,
        "message": "provider USPlaces has no column 'pop' (columns: city, state, zip)",
    }


@pytest.mark.parametrize(
    ("data", "field", "detail"),
    [
        (
            [{"a": 1, "b": 2}, {"a": 3}],
            "data[1]",
            "data[1]: every record needs the keys of data[0]; this one lacks 'b'",
        ),
        (
            [{"a": 1}, "x"],
            "data[1]",
            "data[1]: every item must be a record (an object) like data[0], got 'x'",
        ),
        (
            ["x", {"a": 1}],
            "data[1]",
            "data[1]: plain values and records cannot be mixed: data[0] is a plain value",
        ),
        ([{}], "data[0]", "data[0]: a record needs at least one key"),
    ],
)
def test_bad_records_are_422_naming_the_item(
    client: Client, auth: dict[str, str], data: list[Any], field: str, detail: str
) -> None:
    r = client.post("/provider", json={"name": "R", "data": data}, headers=auth)
    assert r.status_code == 422, r.json()
    assert (r.json()["field"], r.json()["detail"]) == (field, detail)
    nested = client.post("/provider", json={"name": "R", "data": [{"a": [1]}]}, headers=auth)
    assert nested.status_code == 422
    assert nested.json()["field"].startswith("data[0]")
    assert client.get("/provider", headers=auth).json() == []


def test_records_count_against_the_item_limit(client: Client, auth: dict[str, str]) -> None:
    limit = client.app.state.settings.max_provider_items
    data = [{"n": i} for i in range(limit + 1)]
    r = client.post("/provider", json={"name": "Big", "data": data}, headers=auth)
    assert r.status_code == 422
    assert r.json()["field"] == "data"


def test_csv_upload(client: Client, auth: dict[str, str]) -> None:
    text = "city,state,zip,pop,big\nAustin,TX,73301,950000,true\nBoston,MA,02134,650000,false\n"
    r = client.post(
        "/provider/csv?name=Places",
        content=text.encode(),
        headers={**auth, "content-type": "text/csv"},
    )
    assert r.status_code == 201, r.json()
    ref = r.json()[0]["id"]
    assert client.get(f"/provider/{ref}", headers=auth).json()["data"] == [
        {"city": "Austin", "state": "TX", "zip": "73301", "pop": 950000, "big": True},
        {"city": "Boston", "state": "MA", "zip": "02134", "pop": 650000, "big": False},
    ]
    put = client.put(f"/provider/{ref}/csv?name=Towns", content=b"name\nEly\nRye\n", headers=auth)
    assert put.status_code == 200, put.json()
    assert (put.json()["name"], put.json()["data"]) == ("Towns", ["Ely", "Rye"])
    ragged = client.put(f"/provider/{ref}/csv", content=b"a,b\n1,2\n3\n", headers=auth)
    assert ragged.status_code == 422
    assert (ragged.json()["field"], ragged.json()["detail"]) == (
        "data[1]",
        "row 3 of the CSV has 1 cells; the header has 2",
    )
    unnamed = client.post("/provider/csv?name=bad%20name", content=b"a\n1\n", headers=auth)
    assert (unnamed.status_code, unnamed.json()["field"]) == (422, "name")


def test_uniqueness_counts_the_distinct_values_of_the_column() -> None:
    text = CUSTOMERS.replace("column: state, draw: place}", "column: state, unique: true}")
    assert uniqueness_problems(load_schema(text), "Customer", 5, PROVIDERS) == []
    assert uniqueness_problems(load_schema(text), "Customer", 6, PROVIDERS) == [
        {
            "path": "entities.Customer.fields.state.unique",
            "message": "cannot be unique: state has 5 possible value(s) but the entity's "
            "count is 6",
        }
    ]


def test_the_catalogue_lists_the_record_options() -> None:
    options = catalogue()["types"]["provider"]["options"]
    assert {k: options[k] for k in ("column", "draw", "weight_column")} == {
        "column": {"type": "string | null", "required": False, "default": None},
        "draw": {"type": "string | null", "required": False, "default": None},
        "weight_column": {"type": "string | null", "required": False, "default": None},
    }


def test_the_cli_checks_columns_against_a_providers_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s.yaml").write_text(CUSTOMERS.replace("column: zip", "column: zipp"))
    (tmp_path / "p.json").write_text(json.dumps(PROVIDERS))
    assert (
        main(["validate", str(tmp_path / "s.yaml"), "--providers", str(tmp_path / "p.json")]) == 1
    )
    assert "entities.Customer.fields.zip.column" in capsys.readouterr().err
    (tmp_path / "p.json").write_text(json.dumps({"USPlaces": [{"a": 1}, {"b": 2}]}))
    with pytest.raises(SystemExit):
        main(["validate", str(tmp_path / "s.yaml"), "--providers", str(tmp_path / "p.json")])
    assert "USPlaces[1]: every record needs the keys of data[0]" in capsys.readouterr().err
