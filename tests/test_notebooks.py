"""Every notebook: its .ipynb is in sync with the jupytext source, has no outputs, and executes."""

from __future__ import annotations

from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.py"))
# Small parameters so the suite stays fast; keys are notebook names.
SMALL: dict[str, dict[str, object]] = {"01_simulate_a_wholesaler": {"WEEKS": 7}, "02_find_posting_gaps": {"WEEKS": 6}}

pytestmark = pytest.mark.notebook


def _sources(nb) -> list[tuple[str, str]]:
    return [(c.cell_type, c.source.strip()) for c in nb.cells]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_paired_ipynb_is_in_sync_and_clean(source: Path):
    paired = source.with_suffix(".ipynb")
    assert paired.exists(), f"{paired.name} missing: run jupytext --sync {source}"
    stored = nbformat.read(paired, as_version=4)
    assert not any(c.get("outputs") for c in stored.cells), f"{paired.name} carries outputs"
    assert _sources(stored) == _sources(jupytext.read(source)), f"{paired.name} is out of sync with {source.name}"


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(source: Path, tmp_path: Path):
    nb = jupytext.read(source)
    overrides = SMALL.get(source.stem, {})
    if overrides:
        params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
        injected = "\n".join(f"{k} = {v!r}" for k, v in overrides.items())
        nb.cells.insert(params + 1, nbformat.v4.new_code_cell(injected))
    client = NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(source.parent)}})
    client.execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    if source.stem == "02_find_posting_gaps":  # the simulated client's truth scored: a line and a table
        printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert "planted habits the log can show" in printed
        tables = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", []))
        assert "planted habit" in tables and ">found<" in tables
