"""The type catalogue (GET /types) and the introspected mimesis methods."""

from __future__ import annotations

from litestar import Litestar
from litestar.testing import TestClient

from pipeline.schema import catalogue
from pipeline.schema.mimesis_methods import LOCALES, list_methods, suggest
from pipeline.schema.model import BUILTIN_TYPES
from service.controllers.types import TypesController


def test_mimesis_methods_are_introspected_with_args_and_examples() -> None:
    methods = list_methods()
    assert len(methods) > 150
    assert "person.first_name" in methods
    assert "address.city" in methods
    assert not any(name.startswith("binaryfile.") for name in methods)
    assert "choice.choice" not in methods  # needs arguments
    phone = methods["person.phone_number"]
    assert [(a.name, a.default, a.annotation) for a in phone.args] == [
        ("mask", "", "str"),
        ("placeholder", "#", "str"),
        ("e164", False, "bool"),
    ]
    assert isinstance(phone.example, str)
    assert list_methods() is methods  # cached


def test_suggest_and_locales() -> None:
    assert suggest("person.firstname")[0] == "person.first_name"
    assert suggest("internet.email")[0] == "person.email"
    assert "en" in LOCALES and "de" in LOCALES and len(LOCALES) > 40


def test_catalogue_lists_every_builtin_type_with_options() -> None:
    data = catalogue()
    assert list(data["types"]) == list(BUILTIN_TYPES)
    assert data["types"]["integer"]["options"]["max"] == {
        "type": "integer",
        "required": False,
        "default": 1000000,
    }
    assert data["types"]["datetime"]["options"]["start"]["default"] == "2000-01-01T00:00:00Z"
    assert data["types"]["choice"]["options"]["values"]["required"] is True
    assert data["types"]["constant"]["unique"] is False
    assert data["types"]["pattern"]["unique"] is True
    assert data["common_options"]["null_rate"]["default"] == 0.0
    assert data["distribution"]["kinds"]["normal"] == ["mean", "stddev"]
    assert data["template_filters"] == ["lower", "upper", "title", "slug"]
    assert data["mimesis"]["methods"]["address.city"]["args"] == []
    data["types"].clear()
    assert catalogue()["types"]  # callers get their own copy


def test_types_endpoint() -> None:
    with TestClient(Litestar([TypesController])) as client:
        response = client.get("/types")
    assert response.status_code == 200
    body = response.json()
    assert body["types"]["sequence"]["options"]["step"]["default"] == 1
    assert "person.email" in body["mimesis"]["methods"]
