"""The engine is pure domain (standard library and numpy only, DESIGN.md §10); its docs run."""

from __future__ import annotations

import ast
import doctest
import importlib
import json
import subprocess
import sys

import pytest

from conftest import REPO

ENGINE = REPO / "jxcsim" / "engine"
ALLOWED = {"numpy", "jxcsim"}
FORBIDDEN = {"pandas", "simpy", "pm4py", "sqlalchemy", "pydantic", "scipy", "yaml"}


def test_importing_the_engine_loads_no_third_party_package_but_numpy():
    code = ("import json, sys; before = set(sys.modules); import jxcsim.engine; "
            "print(json.dumps(sorted(set(sys.modules) - before)))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    loaded = {name.split(".")[0] for name in json.loads(result.stdout)}
    assert "jxcsim" in loaded and not loaded & FORBIDDEN
    third_party = loaded - set(sys.stdlib_module_names) - ALLOWED
    assert not third_party, f"the engine pulled in {sorted(third_party)}"


def test_engine_sources_import_only_stdlib_numpy_and_the_engine():
    for path in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [] if node.level else [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                ok = top in sys.stdlib_module_names or top == "numpy" or name.startswith("jxcsim.engine")
                assert ok, f"{path.name}:{node.lineno} imports {name}"


@pytest.mark.parametrize("module", sorted(path.stem for path in ENGINE.glob("*.py")))
def test_engine_docstring_examples_run(module):
    name = "jxcsim.engine" if module == "__init__" else f"jxcsim.engine.{module}"
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0, f"{name} has no runnable example"
