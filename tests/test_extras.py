"""The extras of pyproject.toml, and the one line a feature ends with when its extra is missing.

tests/test_wheel.py checks the same in a real core-only install; these run
in the development venv, where every extra is installed.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from dalian_data import extras
from dalian_data.extras import MissingExtraError, extra_distributions, needs_extra, require_extra

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> list[str]:
    return [re.match(r"[A-Za-z0-9._-]+", r).group(0).lower() for r in requirements]


def test_the_core_needs_pandas_only():
    assert _names(PROJECT["dependencies"]) == ["pandas"]


def test_extras_are_read_from_the_installed_metadata_as_pyproject_declares_them():
    declared = PROJECT["optional-dependencies"]
    assert extra_distributions("notebooks") == tuple(_names(declared["notebooks"]))
    assert extra_distributions("export") == tuple(_names(declared["export"]))
    # [all] follows its self-reference to [notebooks,export]
    assert set(extra_distributions("all")) == set(_names(declared["notebooks"] + declared["export"])) | {"pandera"}


def test_an_undeclared_extra_is_named_with_the_declared_ones():
    with pytest.raises(ValueError, match=r"extra 'notebook' is not declared; declared: all, export, notebooks, test"):
        extra_distributions("notebook")


def test_every_extra_named_in_the_code_is_declared():
    named = {
        m.group(1)
        for path in (ROOT / "dalian_data").glob("*.py")
        for m in re.finditer(r"(?:needs_extra|require_extra)\(\s*\"[^\"]+\",\s*\"([^\"]+)\"", path.read_text(encoding="utf-8"))
    }
    assert named and named <= set(PROJECT["optional-dependencies"]), named


def test_a_missing_distribution_is_one_line_naming_the_extra(monkeypatch):
    monkeypatch.setattr(extras, "extra_distributions", lambda extra: ("pandas", "no-such-distribution-xyz"))
    with pytest.raises(MissingExtraError) as caught:
        require_extra("report", "notebooks")
    assert str(caught.value) == ("'report' needs the notebooks extra (no-such-distribution-xyz is not installed): "
                                 "pip install 'dalian-data[notebooks]'")
    assert isinstance(caught.value, ImportError) and caught.value.extra == "notebooks"


def test_everything_is_installed_here():
    for extra in ("notebooks", "export", "all"):
        require_extra("test", extra)


def test_a_missing_module_becomes_the_one_line_error():
    with pytest.raises(MissingExtraError, match=r"^'charts' needs the notebooks extra \(no_such_lib_xyz is not installed\)"):
        with needs_extra("charts", "notebooks"):
            import no_such_lib_xyz.plotting  # noqa: F401


def test_a_missing_module_of_the_package_itself_is_a_bug_and_stays_one():
    with pytest.raises(ModuleNotFoundError) as caught:
        with needs_extra("charts", "notebooks"):
            import dalian_data.no_such_module  # noqa: F401
    assert not isinstance(caught.value, MissingExtraError)


def test_other_errors_pass_through():
    with pytest.raises(KeyError):
        with needs_extra("charts", "notebooks"):
            raise KeyError("x")
