"""The package as a new user gets it: a wheel built from the sdist, installed into fresh venvs.

Two venvs, each outside the checkout and run from an unrelated folder:

* core only (``pip install dalian-data``): the data API works, papermill,
  matplotlib and pyarrow are absent, and every feature that needs an extra
  ends with one line naming it, having written nothing;
* with ``[notebooks]``: ``dalian-data report`` executes the notebooks shipped
  in the wheel, and ``dalian-data notebooks DEST`` copies them out.

The wheel is built once per module (``python -m build``: sdist, then the
wheel from the sdist, which proves the sdist carries the notebooks too).
Installs reuse pip's cache; the whole module takes about two minutes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))

pytestmark = [pytest.mark.wheel, pytest.mark.kernel]


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user who never cloned the project: nothing points into the checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "DALIAN_DATA_NOTEBOOKS", "PYTHONSTARTUP")}
    env.update(PYTHONNOUSERSITE="1", PIP_DISABLE_PIP_VERSION_CHECK="1", **extra)
    return env


def _run(args, cwd: Path, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=_clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"{args} exited {done.returncode}\nstdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """The sdist and the wheel built from it."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--outdir", out, ROOT], cwd=out)
    (wheel,), (sdist,) = out.glob("*.whl"), out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def _venv(tmp_path_factory, name: str, requirement: str) -> Path:
    """A fresh venv holding ``requirement`` (no pip inside: the outer pip installs into it)."""
    home = tmp_path_factory.mktemp(name)
    _run([sys.executable, "-m", "venv", "--without-pip", home / "venv"], cwd=home)
    python = home / "venv" / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet", requirement], cwd=home)
    return home / "venv" / "bin"


@pytest.fixture(scope="module")
def core(dist, tmp_path_factory) -> Path:
    return _venv(tmp_path_factory, "core", str(dist["wheel"]))


@pytest.fixture(scope="module")
def with_notebooks(dist, tmp_path_factory) -> Path:
    return _venv(tmp_path_factory, "notebooks", f"dalian-data[notebooks] @ {dist['wheel'].as_uri()}")


@pytest.fixture
def elsewhere(tmp_path) -> Path:
    """An unrelated working folder: no notebooks/, no pyproject.toml, no seeds/."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    return folder


def test_the_sdist_and_the_wheel_carry_the_notebooks_as_files(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        members = {Path(m.name).name: m for m in sdist.getmembers() if "/dalian_data/notebooks/" in m.name}
    assert sorted(n for n in members if n.endswith(".ipynb")) == NOTEBOOKS
    assert all(m.isfile() for m in members.values()), "the sdist must hold copies, not symlinks"
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        shipped = {n.rsplit("/", 1)[1]: wheel.read(n) for n in wheel.namelist() if n.startswith("dalian_data/notebooks/")}
    assert sorted(n for n in shipped if n.endswith(".ipynb")) == NOTEBOOKS
    for name in NOTEBOOKS:  # one source of truth: the wheel's bytes are the checkout's
        assert shipped[name] == (ROOT / "notebooks" / name).read_bytes(), name


def test_the_core_install_reads_the_figures_without_the_heavy_libraries(core, elsewhere):
    code = (
        "import json, sys, importlib.util as u\n"
        "import dalian_data as dd\n"
        "f = dd.figures(); d = dd.derived()\n"
        "print(json.dumps({'file': dd.__file__, 'figures': len(f), 'derived': len(d),\n"
        "  'absent': [m for m in ('papermill', 'matplotlib', 'pyarrow', 'openpyxl', 'nbconvert', 'ipykernel')\n"
        "             if u.find_spec(m) is None]}))\n"
    )
    result = json.loads(_run([core / "python", "-c", code], cwd=elsewhere).stdout)
    assert Path(result["file"]).is_relative_to(core.parent), "imported from the checkout, not the wheel"
    assert result["figures"] > 50 and result["derived"] > 10
    assert result["absent"] == ["papermill", "matplotlib", "pyarrow", "openpyxl", "nbconvert", "ipykernel"]


def test_the_core_install_exports_csv_and_the_data_package_and_extracts(core, elsewhere):
    _run([core / "dalian-data", "export", "out", "--format", "csv", "--format", "datapackage"], cwd=elsewhere)
    assert {p.name for p in (elsewhere / "out").iterdir()} >= {"figures.csv", "indicators.csv", "derived.csv", "datapackage.json"}
    text = elsewhere / "note.txt"
    text.write_text("全年新增就业12.5万人。", encoding="utf-8")
    assert "125000" in _run([core / "dalian-data", "extract", text.name], cwd=elsewhere).stdout


@pytest.mark.parametrize(("args", "feature", "extra", "missing"), [
    (["report"], "report", "notebooks", "matplotlib"),
    (["refresh"], "refresh", "notebooks", "matplotlib"),
    (["export", "out", "--format", "parquet"], "export to parquet", "export", "pyarrow"),
    (["export", "out", "--format", "xlsx"], "export to xlsx", "export", "openpyxl"),
])
def test_a_command_without_its_extra_ends_with_one_line_naming_it(core, elsewhere, args, feature, extra, missing):
    done = _run([core / "dalian-data", *args], cwd=elsewhere, check=False)
    assert done.returncode == 2
    assert done.stderr == (f"dalian-data: error: '{feature}' needs the {extra} extra ({missing} is not installed): "
                           f"pip install 'dalian-data[{extra}]'\n")
    assert not (elsewhere / "out").exists() and not (elsewhere / "build").exists(), "nothing is written"


@pytest.mark.parametrize(("module", "extra", "missing"), [
    ("notebook.charts", "notebooks", "matplotlib"),
    ("notebook.style", "notebooks", "matplotlib"),
    ("schemas", "all", "pandera"),
])
def test_a_module_without_its_extra_raises_one_line_naming_it(core, elsewhere, module, extra, missing):
    code = (
        "import importlib\n"
        "try:\n"
        f"    importlib.import_module('dalian_data.{module}')\n"
        "except ImportError as error:\n"
        "    print(type(error).__name__, error, sep=': ')\n"
    )
    assert _run([core / "python", "-c", code], cwd=elsewhere).stdout == (
        f"MissingExtraError: 'dalian_data.{module}' needs the {extra} extra ({missing} is not installed): "
        f"pip install 'dalian-data[{extra}]'\n"
    )


def test_report_runs_the_shipped_notebooks_from_an_unrelated_folder(with_notebooks, elsewhere):
    (shipped,) = with_notebooks.parent.glob("lib/python*/site-packages/dalian_data/notebooks")
    installed = sorted(shipped.iterdir())
    done = _run([with_notebooks / "dalian-data", "report", "--html", "--jobs", "2"], cwd=elsewhere)
    out = elsewhere / "build" / "report" / "default"
    assert sorted(p.name for p in out.glob("*.ipynb")) == NOTEBOOKS, done.stdout + done.stderr
    assert (out / "index.html").is_file() and len(list(out.glob("[0-9]*.html"))) == len(NOTEBOOKS)
    assert f"{len(NOTEBOOKS)} executed, 0 up to date, 0 failed" in done.stdout + done.stderr
    executed = json.loads((out / "02_talent.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in executed["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert not any(elsewhere.glob("*.ipynb")), "the notebooks stay in the package; only outputs land here"
    assert sorted(shipped.iterdir()) == installed, "running writes nothing into the installed package"


def test_refresh_leaves_the_installed_notebooks_alone(with_notebooks, elsewhere):
    (shipped,) = with_notebooks.parent.glob("lib/python*/site-packages/dalian_data/notebooks")
    before = {p.name: p.read_bytes() for p in shipped.iterdir()}
    done = _run([with_notebooks / "dalian-data", "refresh"], cwd=elsewhere, check=False)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "dalian-data notebooks DEST" in done.stderr
    assert {p.name: p.read_bytes() for p in shipped.iterdir()} == before


def test_notebooks_command_copies_the_seven_notebooks_and_keeps_edits(with_notebooks, elsewhere):
    cli = with_notebooks / "dalian-data"
    _run([cli, "notebooks", "mine"], cwd=elsewhere)
    copied = elsewhere / "mine"
    assert sorted(p.name for p in copied.glob("*.ipynb")) == NOTEBOOKS
    for name in NOTEBOOKS:
        assert (copied / name).read_bytes() == (ROOT / "notebooks" / name).read_bytes()

    edited = copied / "02_talent.ipynb"
    edited.write_text(edited.read_text(encoding="utf-8").replace("人才", "人材", 1), encoding="utf-8")
    mine = edited.read_bytes()
    refused = _run([cli, "notebooks", "mine"], cwd=elsewhere, check=False)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "02_talent.ipynb" in refused.stderr and "--force" in refused.stderr
    assert edited.read_bytes() == mine, "a refused copy keeps the user's edit"
    _run([cli, "notebooks", "mine", "--force"], cwd=elsewhere)
    assert edited.read_bytes() == (ROOT / "notebooks" / "02_talent.ipynb").read_bytes()
