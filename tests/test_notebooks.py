"""The notebooks run from top to bottom (with nbclient and the venv's python3 kernel)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT
from tests.daskcluster import DaskCluster

NOTEBOOKS = ROOT / "notebooks"


def _run(name: str, cwd: Path) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(cwd)}}
    ).execute()
    return notebook


def _text(notebook: nbformat.NotebookNode) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(json.dumps(output.get("data", {})))
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["quickstart.ipynb", "scale_out.ipynb"])
def test_notebooks_are_stored_without_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_quickstart_runs(
    tmp_path: Path, dask_cluster: DaskCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel and the service it starts inherit this: the session's cluster starts faster.
    monkeypatch.setenv("DRAFTA_SCHEDULER_ADDRESS", dask_cluster.address)
    text = _text(_run("quickstart.ipynb", tmp_path))
    assert "with key dft_" in text
    assert "completed" in text and "rows_done=100000" in text


def test_scale_out_runs(tmp_path: Path) -> None:
    text = _text(_run("scale_out.ipynb", tmp_path))
    assert "dashboard: http://127.0.0.1:" in text
    assert "'rows': 2000000" in text
    assert "orders without a customer: 0" in text
    assert "image/png" in text
