"""The dependency rules of the layout, checked from the imports themselves."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

FORBIDDEN = {
    "pipeline": {"service", "litestar"},
    "storage": {"service", "pipeline", "litestar", "dask", "distributed"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_layers_import_only_downwards() -> None:
    breaches = []
    for package, banned in FORBIDDEN.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            bad = _imports(path) & banned
            if bad:
                breaches.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert breaches == []


def test_top_level_layout() -> None:
    for name in [
        "pyproject.toml",
        "service",
        "pipeline",
        "storage",
        "deploy",
        "tests",
        "notebooks",
        "README.md",
        "Makefile",
        "constraints.txt",
        ".ci/run",
    ]:
        assert (ROOT / name).exists(), name
