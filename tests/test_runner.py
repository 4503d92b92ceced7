"""``dalian-data report`` end to end on tiny notebooks: safe outputs, incremental runs, HTML.

These tests start real kernels (marked ``kernel``); they share one folder of
notebooks per test and keep each notebook to a print, so the whole module
takes seconds. The package fingerprint is pointed at a small fake package in
tmp_path, so edits to the real package while the tests run cannot turn a
cache hit into a miss.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import dalian_data.run.report
import dalian_data.run.engine
from dalian_data.run.report import longest_first
from dalian_data.run.cache import Manifest
from dalian_data.cli import main
from dalian_data.run.engine import Task


def write_notebook(path: Path, title: str, params: str, body: str) -> None:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_markdown_cell(f"# {title}"),
        new_code_cell(params, metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ]
    nbformat.write(nb, path)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """Three notebooks, a fake package and seeds to fingerprint, and a spy on the engine."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / "00_overview.ipynb", "总览 Overview", 'lang = "zh"', "print('overview', lang)")
    write_notebook(notebooks / "01_alpha.ipynb", "Alpha 创新", 'lang = "zh"\ndecimals = 1', "print('alpha', lang, decimals)")
    write_notebook(notebooks / "02_beta.ipynb", "Beta 人才", "population = 7450785", "print('beta', population)")
    package = tmp_path / "fakepkg"
    (package / "data").mkdir(parents=True)
    (package / "code.py").write_text("x = 1\n")
    (package / "data" / "table.csv").write_text("a\n1\n")
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "report.txt").write_text("报告\n", encoding="utf-8")
    monkeypatch.setattr(dalian_data.run.report, "package_dir", lambda: package)
    monkeypatch.setattr(dalian_data.run.report, "repo_dir", lambda: tmp_path)

    executed: list[list[str]] = []
    real_run_notebooks = dalian_data.run.engine.run_notebooks

    def spy(tasks, *args, **kwargs):
        tasks = list(tasks)
        executed.append(sorted(task.name for task in tasks))
        return real_run_notebooks(tasks, *args, **kwargs)

    monkeypatch.setattr(dalian_data.run.engine, "run_notebooks", spy)

    class Project:
        root = tmp_path
        nb_dir = notebooks
        out = tmp_path / "out"
        runs = executed

        def report(self, *args: str) -> int:
            return main(["report", "--notebooks-dir", str(notebooks), "--out", str(self.out), "--jobs", "2", *args])

    return Project()


@pytest.mark.kernel
def test_failure_keeps_previous_output_and_others_complete(project, capsys):
    assert project.report() == 0
    default = project.out / "default"
    before = {name: (default / f"{name}.ipynb").read_bytes() for name in ("00_overview", "01_alpha", "02_beta")}
    assert b"beta 7450785" in before["02_beta"]
    capsys.readouterr()

    write_notebook(project.nb_dir / "02_beta.ipynb", "Beta", "population = 7450785", "x = 1\nraise RuntimeError('boom 爆')")
    alpha = project.nb_dir / "01_alpha.ipynb"
    alpha_source = alpha.read_bytes()
    write_notebook(alpha, "Alpha", 'lang = "zh"', "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    assert project.report("--force") == 1
    captured = capsys.readouterr()
    # previous good outputs, byte for byte
    assert (default / "02_beta.ipynb").read_bytes() == before["02_beta"]
    assert (default / "01_alpha.ipynb").read_bytes() == before["01_alpha"]
    # the other notebook completed, and re-executing it reproduced identical bytes
    assert (default / "00_overview.ipynb").read_bytes() == before["00_overview"]
    assert 'dalian-data: 02_beta failed: cell 3 ("x = 1"): RuntimeError: boom 爆 (previous output kept)' in captured.err
    assert 'dalian-data: 01_alpha failed: cell 3 ("import os, signal"): the kernel died' in captured.err
    assert "1 executed, 0 up to date, 2 failed" in captured.out
    assert "failed: 01_alpha, 02_beta" in captured.out
    assert [p.name for p in default.iterdir() if p.name.startswith(".")] == []  # no temp files left

    # a failed notebook is never up to date and runs again; reverting a notebook
    # makes the output kept from before up to date again
    alpha.write_bytes(alpha_source)
    assert project.report() == 1
    assert project.runs[-1] == ["02_beta"]
    assert "0 executed, 2 up to date, 1 failed" in capsys.readouterr().out
    manifest = Manifest.load(default)
    assert sorted(manifest.failures) == ["02_beta"]


@pytest.mark.kernel
def test_incremental_runs_and_force(project, capsys):
    assert project.report() == 0
    assert project.runs == [["00_overview", "01_alpha", "02_beta"]]
    capsys.readouterr()

    assert project.report() == 0
    assert len(project.runs) == 1  # nothing handed to the engine: no kernel
    assert "3 notebooks up to date, nothing executed" in capsys.readouterr().out

    # touching one notebook re-executes only it
    write_notebook(project.nb_dir / "01_alpha.ipynb", "Alpha 2", 'lang = "zh"\ndecimals = 1', "print('alpha two')")
    assert project.report() == 0
    assert project.runs[-1] == ["01_alpha"]
    assert b"alpha two" in (project.out / "default" / "01_alpha.ipynb").read_bytes()

    # the package's data is part of every fingerprint
    (dalian_data.run.report.package_dir() / "data" / "table.csv").write_text("a\n2\n")
    assert project.report("02_beta") == 0
    assert project.runs[-1] == ["02_beta"]

    # a parameter makes its own folder, named after it
    assert project.report("01_alpha", "-p", "decimals", "3") == 0
    assert project.runs[-1] == ["01_alpha"]
    alpha = (project.out / "decimals-3" / "01_alpha.ipynb").read_text(encoding="utf-8")
    assert "alpha two" in alpha and '"id": "injected-parameters"' in alpha and "decimals = 3" in alpha
    assert project.report("01_alpha", "-p", "decimals", "3") == 0
    assert len(project.runs) == 4

    # a damaged output is not up to date
    (project.out / "default" / "02_beta.ipynb").write_text("{}")
    assert project.report("02_beta") == 0
    assert project.runs[-1] == ["02_beta"]

    capsys.readouterr()
    assert project.report("--force", "02_beta") == 0
    assert project.runs[-1] == ["02_beta"]
    assert "1 notebook: 1 executed, 0 up to date, 0 failed" in capsys.readouterr().out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for key, value in attrs if key == "href")


@pytest.mark.kernel
def test_html_index_links_resolve_and_show_summary(project, capsys):
    summary_cell = new_code_cell(
        "from IPython.display import HTML\nHTML('<table class=\"summary\"><tr><td>六项指标 six</td></tr></table>')",
        metadata={"tags": ["summary"]},
    )
    nb = nbformat.read(project.nb_dir / "00_overview.ipynb", as_version=4)
    nb.cells.append(summary_cell)
    nbformat.write(nb, project.nb_dir / "00_overview.ipynb")
    beta = nbformat.read(project.nb_dir / "02_beta.ipynb", as_version=4)
    beta.cells.append(new_markdown_cell("Back to the [overview](00_overview.ipynb#top) or [elsewhere](other.ipynb)."))
    nbformat.write(beta, project.nb_dir / "02_beta.ipynb")

    assert project.report("--html", "-p", "lang", "en") == 0
    folder = project.out / "lang-en"
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in index and '<html lang="en">' in index
    text = re.sub(r"<[^>]+>", "", index)  # en pages wrap Chinese in <span lang="zh-Hans">
    assert "六项指标 six" in text  # the overview's summary cell
    assert "Alpha 创新" in text  # titles from the first heading
    parser = _Links()
    parser.feed(index)
    pages = sorted(f"{n}.{ext}" for n in ("00_overview", "01_alpha", "02_beta") for ext in ("html", "ipynb"))
    assert sorted(h for h in parser.hrefs if not h.startswith(("data/", "report.txt"))) == pages
    for href in parser.hrefs:
        assert (folder / href).is_file(), href
    page = (folder / "01_alpha.html").read_text(encoding="utf-8")
    assert re.search(r'<html lang="en">', page) and '<meta charset="utf-8"' in page
    assert "Alpha 创新" in re.sub(r"<[^>]+>", "", page)
    beta_page = (folder / "02_beta.html").read_text(encoding="utf-8")
    assert 'href="00_overview.html#top"' in beta_page  # links between notebooks stay in the browser
    assert "other.ipynb" not in beta_page and "elsewhere" in beta_page  # no page beside it: unlinked, text kept

    # an unchanged rerun renders nothing again
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.glob("*.html")}
    capsys.readouterr()
    assert project.report("--html", "-p", "lang", "en") == 0
    assert "up to date, nothing executed" in capsys.readouterr().out
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob("*.html")} == stamps

    # pages missing for up-to-date notebooks are rendered without executing anything
    (folder / "02_beta.html").unlink()
    runs = len(project.runs)
    assert project.report("--html", "-p", "lang", "en") == 0
    assert len(project.runs) == runs
    assert "rendered 1 HTML page" in capsys.readouterr().out
    assert (folder / "02_beta.html").is_file()


def test_unchanged_html_rerun_writes_nothing_and_restores_what_is_missing(project, capsys):
    assert project.report("--html") == 0
    folder = project.out / "default"

    def stamps() -> dict[str, int]:
        return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
                for p in folder.rglob("*") if p.is_file() and p.name != "manifest.json"}

    before = stamps()
    assert "data/figures.csv" in before and "report.txt" in before and "index.html" in before
    assert project.report("--html") == 0
    assert stamps() == before, "an unchanged rerun rewrites no page, index or download"

    (folder / "data" / "figures.csv").unlink()
    assert project.report("--html") == 0
    assert (folder / "data" / "figures.csv").is_file(), "a deleted download is written again"

    index = (folder / "index.html").read_text(encoding="utf-8")
    (folder / "index.html").write_text(index + "<!-- edited -->", encoding="utf-8")
    assert project.report() == 0  # a plain run keeps an existing index truthful
    assert (folder / "index.html").read_text(encoding="utf-8") == index


@pytest.mark.kernel
def test_refresh_executes_in_place_reproducibly_and_spares_failures(project, capsys):
    write_notebook(project.nb_dir / "02_beta.ipynb", "Beta", "population = 1", "raise ValueError('no 数据')")
    broken = (project.nb_dir / "02_beta.ipynb").read_bytes()
    assert main(["refresh", "--notebooks-dir", str(project.nb_dir), "--jobs", "2"]) == 1
    captured = capsys.readouterr()
    assert "dalian-data: 02_beta failed: cell 3" in captured.err and "ValueError: no 数据" in captured.err
    assert "refreshed 2 of 3 notebooks" in captured.out
    assert (project.nb_dir / "02_beta.ipynb").read_bytes() == broken
    first = {p.name: p.read_bytes() for p in project.nb_dir.glob("0[01]_*.ipynb")}
    assert b"overview zh" in first["00_overview.ipynb"] and b'"execution_count": 1' in first["00_overview.ipynb"]
    assert b"papermill" not in first["00_overview.ipynb"] and b"iopub" not in first["00_overview.ipynb"]

    (project.nb_dir / "02_beta.ipynb").unlink()
    assert main(["refresh", "--notebooks-dir", str(project.nb_dir), "--jobs", "2"]) == 0
    assert "(0 changed" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in project.nb_dir.glob("0[01]_*.ipynb")} == first


def test_longest_notebooks_start_first_and_new_ones_before_all(tmp_path):
    manifest = Manifest(tmp_path / "manifest.json", notebooks={"a": {"seconds": 1.0}, "b": {"seconds": 9.5}, "c": {"seconds": 3}})
    tasks = [Task(name=n, source="", source_bytes=b"", output="", cwd="") for n in ("a", "b", "c", "new1", "new2")]
    assert [t.name for t in longest_first(tasks, manifest)] == ["new1", "new2", "b", "c", "a"]


@pytest.mark.kernel
def test_a_relative_figure_dir_is_taken_from_the_callers_folder(project, tmp_path, monkeypatch, capsys):
    write_notebook(project.nb_dir / "03_figs.ipynb", "Figs 图", "figure_dir = None",
                   "import pathlib\npathlib.Path(figure_dir).mkdir(exist_ok=True)\n"
                   "(pathlib.Path(figure_dir) / 'chart.svg').write_text('<svg/>')")
    caller = tmp_path / "caller"
    caller.mkdir()
    monkeypatch.chdir(caller)
    assert project.report("03_figs", "-p", "figure_dir", "figs") == 0, capsys.readouterr()
    assert (caller / "figs" / "chart.svg").exists()
    assert not (project.nb_dir / "figs").exists()

    # the charts are outputs: deleting one makes its notebook run again and rebuilds it
    capsys.readouterr()
    assert project.report("03_figs", "-p", "figure_dir", "figs") == 0
    assert "up to date, nothing executed" in capsys.readouterr().out
    (caller / "figs" / "chart.svg").unlink()
    assert project.report("03_figs", "-p", "figure_dir", "figs") == 0
    assert project.runs[-1] == ["03_figs"]
    assert (caller / "figs" / "chart.svg").read_text() == "<svg/>"
    (caller / "figs" / "chart.svg").write_text("<svg>edited</svg>")
    assert project.report("03_figs", "-p", "figure_dir", "figs") == 0
    assert (caller / "figs" / "chart.svg").read_text() == "<svg/>"


@pytest.mark.kernel
@pytest.mark.parametrize(
    "damage",
    ['{"format": 2, "notebooks": [1, 2]}', '{"format": 2, "notebooks": {"00_overview": 7}}', "[1, 2]", "{not json", "\xff", "folder"],
)
def test_a_corrupt_manifest_warns_once_counts_as_empty_and_is_rewritten(project, capsys, damage):
    assert project.report("00_overview") == 0
    manifest = project.out / "default" / "manifest.json"
    manifest.unlink()
    if damage == "folder":
        (manifest / "inside").mkdir(parents=True)
    else:
        manifest.write_bytes(damage.encode("latin-1"))
    capsys.readouterr()
    assert project.report("00_overview") == 0
    captured = capsys.readouterr()
    warnings = [line for line in captured.err.splitlines() if "warning" in line]
    assert len(warnings) == 1 and warnings[0].startswith(f"dalian-data: warning: {manifest}")
    assert "treating it as empty and rewriting it" in warnings[0] and "Traceback" not in captured.err
    assert project.runs[-1] == ["00_overview"]  # empty: the notebook ran again
    assert Manifest.load(project.out / "default").problem is None
    assert project.report("00_overview") == 0
    assert "up to date" in capsys.readouterr().out and "warning" not in capsys.readouterr().err


@pytest.mark.kernel
def test_a_cell_that_never_ends_times_out_naming_the_cell(project, capsys):
    write_notebook(project.nb_dir / "02_beta.ipynb", "Beta", "population = 1", "import time\ntime.sleep(600)")
    assert project.report("02_beta", "--timeout", "2") == 1
    err = capsys.readouterr().err
    assert 'dalian-data: 02_beta failed: cell 3 ("import time"): timed out after 2 s (raise it with --timeout)' in err
    assert not (project.out / "default" / "02_beta.ipynb").exists()
    assert Manifest.load(project.out / "default").failures["02_beta"].startswith("cell 3")


@pytest.mark.kernel
def test_a_full_disk_fails_the_notebook_that_does_not_fit_and_keeps_the_rest(project, small_filesystem, capsys):
    # 02_beta prints 400 KB: its output cannot fit in 256 KiB
    write_notebook(project.nb_dir / "02_beta.ipynb", "Beta", "population = 1", "print('数' * 200_000)")
    out = small_filesystem / "out"
    assert main(["report", "--notebooks-dir", str(project.nb_dir), "--out", str(out), "--jobs", "2"]) == 1
    captured = capsys.readouterr()
    assert "dalian-data: 02_beta failed: cannot write" in captured.err and "No space left on device" in captured.err
    assert "Traceback" not in captured.err
    folder = out / "default"
    assert sorted(p.name for p in folder.iterdir()) == ["00_overview.ipynb", "01_alpha.ipynb", "manifest.json"]
    manifest = Manifest.load(folder)
    assert manifest.problem is None and sorted(manifest.notebooks) == ["00_overview", "01_alpha"]

    # a disk so full that not even the manifest fits: one line, exit 1, the old manifest intact
    try:
        with open(small_filesystem / "filler", "wb") as handle:
            while True:
                handle.write(b"\0" * 4096)
                handle.flush()
    except OSError:  # full (perhaps already at open)
        pass
    before = (folder / "manifest.json").read_bytes()
    assert main(["report", "--notebooks-dir", str(project.nb_dir), "--out", str(out), "--force", "00_overview"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) >= 1 and err[-1].startswith("dalian-data: ") and "No space left on device" in err[-1], err
    assert (folder / "manifest.json").read_bytes() == before
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_a_read_only_output_folder_is_a_one_line_usage_error(project, small_filesystem, capsys):
    import subprocess

    subprocess.run(["mount", "-o", "remount,ro", str(small_filesystem)], check=True)
    assert main(["report", "--notebooks-dir", str(project.nb_dir), "--out", str(small_filesystem / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Read-only file system; choose another --out" in err


@pytest.mark.kernel
def test_a_report_keeps_one_language_and_refresh_keeps_both(project, capsys):
    nb = nbformat.read(project.nb_dir / "01_alpha.ipynb", as_version=4)
    nb.cells += [
        new_markdown_cell("说明：仅中文。", metadata={"tags": ["lang-zh"]}),
        new_markdown_cell("Note: English only.", metadata={"tags": ["lang-en"]}),
    ]
    nbformat.write(nb, project.nb_dir / "01_alpha.ipynb")
    assert project.report("01_alpha", "-p", "lang", "en") == 0
    english = (project.out / "lang-en" / "01_alpha.ipynb").read_text(encoding="utf-8")
    assert "Note: English only." in english and "仅中文" not in english and "alpha en 1" in english
    assert project.report("01_alpha") == 0
    chinese = (project.out / "default" / "01_alpha.ipynb").read_text(encoding="utf-8")
    assert "仅中文" in chinese and "English only" not in chinese
    assert main(["refresh", "01_alpha", "--notebooks-dir", str(project.nb_dir)]) == 0
    both = (project.nb_dir / "01_alpha.ipynb").read_text(encoding="utf-8")
    assert "仅中文" in both and "English only" in both and "alpha zh 1" in both


def test_a_manifest_of_another_format_is_silently_out_of_date(tmp_path):
    (tmp_path / "manifest.json").write_text('{"format": 1, "notebooks": {"a": {"fingerprint": "f"}}}')
    manifest = Manifest.load(tmp_path)
    assert manifest.problem is None and manifest.notebooks == {}
