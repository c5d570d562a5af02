"""Documentation stays complete: settings in the README, types in docs/schema.md, commands and
client methods in docs/cli.md and docs/client.md."""

from __future__ import annotations

import inspect
import re

from pipeline.schema.model import BUILTIN_TYPES
from service.cli import build_parser
from service.client import DraftaClient
from service.settings import env_names
from tests.conftest import ROOT
from tests.test_tools_cli import _subcommands

MINE = ("validate", "convert", "preview", "generate", "remote", "assemble")


def test_every_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [var for var in env_names().values() if f"`{var}`" not in readme]
    assert missing == []


def test_every_builtin_type_is_in_the_schema_reference() -> None:
    reference = (ROOT / "docs" / "schema.md").read_text()
    headings = " ".join(re.findall(r"(?m)^#{2,4} (.*)$", reference)).split()
    # Each type has a heading of its own (or shared: "integer and float") and an example.
    examples = set(re.findall(r"(?m)(?:type: |^\s+\w+: )(\w+)\b", reference))
    missing = [t for t in BUILTIN_TYPES if t not in headings or t not in examples]
    assert missing == []


def test_every_command_is_in_the_cli_docs() -> None:
    text = (ROOT / "docs" / "cli.md").read_text()
    commands = [c for c in _subcommands(build_parser()) if c and c[0] in MINE]
    missing = [" ".join(c) for c in commands if f"drafta {' '.join(c)}" not in text]
    assert missing == []
    for variable in ("DRAFTA_URL", "DRAFTA_API_KEY", "DRAFTA_SHARD_ROWS"):
        assert variable in text


def test_every_client_method_is_in_the_client_docs() -> None:
    text = (ROOT / "docs" / "client.md").read_text()
    methods = [
        name
        for name, _ in inspect.getmembers(DraftaClient, inspect.isfunction)
        if not name.startswith("_")
    ]
    assert len(methods) > 20
    missing = [m for m in methods if f".{m}(" not in text]
    assert missing == []
    for name in ("DraftaError", "JobFailed", "status", "type", "title", "detail", "field"):
        assert name in text
