"""environment.yml repeats pyproject.toml's dependencies, the core's and every extra's: names and pins."""

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# PyPI name -> conda-forge name, where they differ.
CONDA_NAMES = {"brotli": "brotli-python", "build": "python-build"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"]) + [r for extra in project["optional-dependencies"].values() for r in extra]
    # [all] names the other extras as "dalian-data[notebooks,export]": not a package to install
    pins = dict(_split(r) for r in reqs if _split(r)[0] != project["name"])
    pins["python"] = project["requires-python"].replace(" ", "")
    return {CONDA_NAMES.get(name, name): spec for name, spec in pins.items()}


def environment_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    return dict(_split(d) for d in env["dependencies"] if isinstance(d, str) and d != "pip")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    assert sorted(environment_requirements()) == sorted(pyproject_requirements())


def test_environment_yml_pins_the_same_versions_as_pyproject():
    env, py = environment_requirements(), pyproject_requirements()
    drift = {name: (env[name], py[name]) for name in py if name in env and env[name] != py[name]}
    assert not drift, f"environment.yml vs pyproject.toml: {drift}"


def test_environment_yml_installs_the_project_itself_with_pip():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip_lists = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert ["-e ."] in pip_lists
