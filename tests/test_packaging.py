"""The project's own promises: conda and pip list the same dependencies; rooms respect their imports."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import REPO

# conda names for the PyPI distributions that are called differently on conda-forge.
CONDA_NAMES = {"dask[distributed]": ["dask", "distributed"], "psycopg[binary]": ["psycopg"]}
PIP_ONLY_OK = {"pm4py", "rustxes", "log-distance-measures"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~; ]", req.strip(), maxsplit=1)[0].lower()


def _spec(req: str) -> str:
    return req.strip()[len(_name(req)):].replace(" ", "")


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += extra
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda = {}
    pip = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for p in dep["pip"]:
                if not p.startswith("-"):
                    pip[_name(p)] = _spec(p)
        else:
            conda[_name(dep)] = _spec(dep)
    for req in wanted:
        name = _name(req)
        spec = _spec(req)
        extras = re.match(r"^\[[^\]]*\]", spec)
        if extras:
            name += extras.group(0)
            spec = spec[extras.end():]
        targets = CONDA_NAMES.get(name, [name])
        for target in targets:
            found = conda.get(target, pip.get(target))
            assert found is not None, f"{target} (from pyproject {req!r}) is missing in environment.yml"
            assert found == spec, f"{target}: pyproject says {spec!r}, environment.yml says {found!r}"
        if name in pip:
            assert name in PIP_ONLY_OK, f"{name} should come from conda-forge"
    listed = set(conda) | set(pip)
    known = {t for req in wanted for t in CONDA_NAMES.get(_name(req) + (re.match(r"^\[[^\]]*\]", _spec(req)).group(0) if re.match(r"^\[[^\]]*\]", _spec(req)) else ""), [_name(req)])}
    extra = listed - known - {"python", "pip", "graphviz"}
    assert not extra, f"environment.yml lists packages pyproject does not: {sorted(extra)}"


def test_licence_is_agpl():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "AGPL-3.0-or-later"
    assert (REPO / "LICENSE").read_text().lstrip().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
