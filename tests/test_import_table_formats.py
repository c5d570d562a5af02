"""Table schemas from data platforms: BigQuery, Delta Lake commits, Avro, Arrow view types."""

from __future__ import annotations

import json

from pipeline.importers import convert_with_warnings
from pipeline.schema import load_schema
from pipeline.schema import model as m


def _entity(text: str) -> tuple[m.Entity, list[dict[str, object]]]:
    yaml_text, warnings = convert_with_warnings(text, "json_parquet")
    schema = load_schema(yaml_text)
    return next(iter(schema.entities.values())), warnings


def test_bigquery_table_schema() -> None:
    doc = [
        {"name": "room_id", "type": "string", "mode": "nullable"},
        {"name": "flow_id", "type": "INTEGER", "mode": "REQUIRED"},
        {"name": "tags", "type": "STRING", "mode": "REPEATED"},
        {"name": "geo", "type": "RECORD", "mode": "NULLABLE",
         "fields": [{"name": "lat", "type": "FLOAT64", "mode": "REQUIRED"}]},
    ]  # fmt: skip
    entity, warnings = _entity(json.dumps(doc))
    assert entity.fields["room_id"] == m.Mimesis(method="text.word", null_rate=0.1)
    assert entity.fields["flow_id"] == m.Integer()
    assert entity.fields["tags"] == m.Array(of=m.Mimesis(method="text.word"))
    geo = entity.fields["geo"]
    assert isinstance(geo, m.Object) and geo.null_rate == 0.1
    assert geo.fields["lat"] == m.Mimesis(method="address.latitude")
    assert warnings == []


def test_delta_commit_file_reads_the_schema_string() -> None:
    schema = {
        "type": "struct",
        "fields": [
            {"name": "id", "type": "long", "nullable": False, "metadata": {}},
            {"name": "amount", "type": "decimal(38,18)", "nullable": True, "metadata": {}},
            {"name": "payload", "type": "variant", "nullable": True, "metadata": {}},
            {"name": "seen", "type": "timestamp_ntz", "nullable": True, "metadata": {}},
        ],
    }
    commit = "\n".join(
        [
            json.dumps({"commitInfo": {"timestamp": 1, "operation": "WRITE"}}),
            json.dumps({"protocol": {"minReaderVersion": 1}}),
            json.dumps(
                {"metaData": {"id": "x", "name": "events", "schemaString": json.dumps(schema)}}
            ),
            json.dumps({"add": {"path": "part-0.parquet"}}),
        ]
    )
    yaml_text, warnings = convert_with_warnings(commit, "json_parquet")
    entity = load_schema(yaml_text).entities["events"]
    assert entity.fields["id"] == m.Sequence()
    assert entity.fields["amount"] == m.Decimal(
        precision=38,
        scale=18,
        min="1.000000000000000000",
        max="1000.000000000000000000",
        null_rate=0.1,
    )
    assert entity.fields["payload"] == m.Mimesis(
        method="text.word", null_rate=0.1, description="variant (any value), written as text"
    )
    assert [w["message"] for w in warnings] == [
        "payload: variant is written as text",
    ]


def test_avro_record_schema() -> None:
    doc = {
        "type": "record",
        "name": "User",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "plan", "type": {"type": "enum", "name": "Plan", "symbols": ["FREE", "PRO"]}},
            {"name": "email", "type": ["null", "string"]},
            {"name": "born", "type": {"type": "int", "logicalType": "date"}},
            {"name": "scores", "type": {"type": "array", "items": "double"}},
            {
                "name": "price",
                "type": {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2},
            },
        ],
    }
    entity, _ = _entity(json.dumps(doc))
    assert entity.fields["plan"] == m.Choice(values=["FREE", "PRO"])
    assert entity.fields["email"] == m.Mimesis(method="person.email", null_rate=0.1)
    assert entity.fields["born"] == m.Date()
    assert entity.fields["price"] == m.Decimal(precision=6, scale=2, min="1.00", max="1000.00")
    assert isinstance(entity.fields["scores"], m.Array)


def test_arrow_view_and_run_end_types() -> None:
    def leaf(name: str, kind: dict[str, object], nullable: bool = False) -> dict[str, object]:
        return {"name": name, "type": kind, "nullable": nullable, "children": []}

    int16 = {"name": "int", "bitWidth": 16, "isSigned": True}
    int32 = {"name": "int", "bitWidth": 32, "isSigned": True}
    listed = {**leaf("l", {"name": "largelistview"}), "children": [leaf("item", int16, True)]}
    run_end = {
        **leaf("r", {"name": "runendencoded"}),
        "children": [leaf("run_ends", int32), leaf("values", {"name": "bool"}, True)],
    }
    fields = [leaf("s", {"name": "utf8view"}), leaf("b", {"name": "binaryview"}), listed, run_end]
    doc = {"schema": {"fields": fields}}
    entity, _ = _entity(json.dumps(doc))
    assert entity.fields["s"] == m.Mimesis(method="text.word")
    assert entity.fields["b"] == m.Binary()
    assert entity.fields["l"] == m.Array(of=m.Integer(max=32767, width=16))
    assert entity.fields["r"] == m.Boolean()


def test_a_date_named_string_stays_a_string() -> None:
    doc = {
        "type": "struct",
        "fields": [{"name": "start_date", "type": "string", "nullable": False}],
    }
    entity, _ = _entity(json.dumps(doc))
    assert entity.fields["start_date"] == m.Mimesis(method="text.word")
