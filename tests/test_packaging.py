"""The project's own promises: conda and pip list the same dependencies; rooms respect their imports."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO

# conda names for the PyPI distributions that are called differently on conda-forge.
CONDA_NAMES = {"dask[distributed]": ["dask", "distributed"], "psycopg[binary]": ["psycopg"]}
PIP_ONLY_OK = {"pm4py", "rustxes", "log-distance-measures"}


def _split(req: str) -> tuple[str, str]:
    """('dask[distributed]', '>=2024.1') from 'dask[distributed]>=2024.1'."""
    match = re.match(r"^\s*([A-Za-z0-9_.-]+(?:\[[^\]]*\])?)\s*(.*)$", req)
    assert match, req
    return match.group(1).lower(), match.group(2).replace(" ", "")


def _pyproject_requirements() -> list[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]


def _environment() -> tuple[dict[str, str], dict[str, str]]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda: dict[str, str] = {}
    pip: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.update(_split(p) for p in dep["pip"] if not p.startswith("-"))
        else:
            conda.update([_split(dep)])
    return conda, pip


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    conda, pip = _environment()
    expected: set[str] = set()
    for req in _pyproject_requirements():
        name, spec = _split(req)
        for target in CONDA_NAMES.get(name, [name]):
            expected.add(target)
            found = conda.get(target, pip.get(target))
            assert found is not None, f"{target} (from pyproject {req!r}) is missing in environment.yml"
            assert found == spec, f"{target}: pyproject says {spec!r}, environment.yml says {found!r}"
            if target in pip:
                assert target in PIP_ONLY_OK, f"{target} should come from conda-forge"
    extra = (set(conda) | set(pip)) - expected - {"python", "pip", "graphviz"}
    assert not extra, f"environment.yml lists packages pyproject does not: {sorted(extra)}"


def test_licence_is_agpl():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert (REPO / "LICENSE").read_text().lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
