"""The ``dalian-data`` command line: parameter checking, extract, help, start-up cost.

Nothing here starts a kernel: parameter errors must be caught before any
kernel exists, and the engine is replaced by a tripwire to prove it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import dalian_data.run.engine
from dalian_data.cli import main
from dalian_data.run.notebook_parameters import (
    NOT_A_LITERAL,
    DeclaredNotebook,
    ParameterError,
    convert_text,
    declared_parameters,
    parameters_slug,
    resolve_parameters,
)


def write_notebook(path: Path, params: str) -> None:
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# t"),
        new_code_cell(params, metadata={"tags": ["parameters"]}),
        new_code_cell("print(1)"),
    ]
    nbformat.write(nb, path)


@pytest.fixture
def notebooks(tmp_path, monkeypatch):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(folder / "00_overview.ipynb", 'lang = "zh"\npopulation = 7450785\nfigure_dir = None')
    write_notebook(folder / "02_talent.ipynb", 'lang = "zh"\ndecimals = 1\nshow_quotes = False')

    def tripwire(*args, **kwargs):
        raise AssertionError("the engine was called: a kernel would have started")

    monkeypatch.setattr(dalian_data.run.engine, "run_notebooks", tripwire)
    return folder


def run(notebooks: Path, out: Path, *args: str) -> int:
    return main(["report", "--notebooks-dir", str(notebooks), "--out", str(out), *args])


@pytest.mark.parametrize(
    "args, message",
    [
        (["-p", "lang", "fr"], "parameter 'lang' is 'fr'; allowed: 'zh' or 'en'"),
        (
            ["-p", "colour", "red"],
            "parameter 'colour' is not declared by any selected notebook; "
            "allowed: decimals, figure_dir, lang, population, show_quotes",
        ),
        (["-p", "population", "8e6"], "parameter 'population' is '8e6'; allowed: a whole number of residents from 1 to 100000000"),
        (["-p", "population", "0"], "parameter 'population' is 0; allowed: a whole number of residents from 1 to 100000000"),
        (["-p", "decimals", "9"], "parameter 'decimals' is 9; allowed: a whole number from 0 to 6"),
        (["-p", "show_quotes", "maybe"], "parameter 'show_quotes' is 'maybe'; allowed: True or False"),
        (["02_talent", "-p", "population", "8000000"], "parameter 'population' is not declared by any selected notebook; allowed: decimals, lang, show_quotes"),
        (["03_nothing"], "notebook '03_nothing' not found in"),
    ],
)
def test_request_errors_exit_2_with_one_line_before_anything_runs(notebooks, tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert run(notebooks, out, *args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dalian-data: error: {message}")
    assert err.count("\n") == 1
    assert not out.exists()  # no output folder, no manifest, nothing written


def _one_line_error(capsys, longest: int = 400) -> str:
    """The whole of stderr, checked to be one short ``dalian-data: error:`` line."""
    err = capsys.readouterr().err
    assert err.startswith("dalian-data: error: ") and err.count("\n") == 1 and len(err) < longest, err[:600]
    return err


@pytest.mark.parametrize(
    "value, shown",
    [
        ("9" * 5000, "'99999999"),  # over Python's 4,300-digit limit of int()
        ("8" * 101, "'88888888"),
        ("x" * 1_000_000, "... (1000000 characters)"),
    ],
)
def test_huge_values_get_a_short_one_line_error(notebooks, tmp_path, capsys, value, shown):
    assert run(notebooks, tmp_path / "out", "-p", "population", value) == 2
    assert shown in _one_line_error(capsys)
    assert run(notebooks, tmp_path / "out", "-p", "lang", value) == 2
    assert "parameter 'lang' is" in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "text, message",
    [
        # eight levels of nine aliases: a billion leaves from ten lines
        ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
         + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))
         + "lang: *i\n", "anchors and aliases (&name, *name) are not allowed"),
        ("population: " + "7" * 5000 + "\n", "holds a value too large or too deeply nested"),
        ("lang: " + "[" * 5000 + "\n", "too deeply nested"),
        ("lang: zh\n" + "# padding\n" * 10_000, "allowed: at most 65536"),
        ("lang: [unclosed\n", "is not valid YAML (line 2)"),
        ("lang: " + "z" * 100_000 + "\n", "allowed: at most 65536"),
        ("show_quotes: {a: 1, b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}\n", "allowed: True or False"),
    ],
)
def test_yaml_of_any_shape_gets_a_one_line_error_quickly(notebooks, tmp_path, capsys, text, message):
    params = tmp_path / "params.yaml"
    params.write_text(text, encoding="utf-8")
    assert run(notebooks, tmp_path / "out", "-f", str(params)) == 2
    assert message in _one_line_error(capsys)
    assert not (tmp_path / "out").exists()


def test_a_parameter_equal_to_its_default_is_the_default_run():
    a = DeclaredNotebook(Path("a.ipynb"), {"lang": "zh", "figure_dir": None, "decimals": 1})
    requested, per = resolve_parameters([a], {"decimals": 1}, [("figure_dir", "null"), ("lang", "zh")])
    assert requested == {} and per == {Path("a.ipynb"): {}} and parameters_slug(requested) == "default"
    with pytest.raises(ParameterError, match="parameter 'decimals' is 1.0"):  # not the default 1: refused
        resolve_parameters([a], {"decimals": 1.0}, [])


def test_output_folders_that_cannot_be_written_are_one_line_errors(notebooks, tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("keep me")
    assert run(notebooks, a_file) == 2
    assert "a file is in the way; give --out a folder path" in _one_line_error(capsys)
    assert run(notebooks, a_file / "below") == 2
    assert "a file is in the way" in _one_line_error(capsys)
    assert a_file.read_text() == "keep me"
    assert run(notebooks, tmp_path / ("n" * 300)) == 2
    assert "the name is too long" in _one_line_error(capsys, longest=800)  # it names the long path


def test_a_tampered_seed_is_one_line_naming_the_seed_before_any_kernel(notebooks, tmp_path, monkeypatch, capsys):
    from dalian_data import source

    seeds = tmp_path / "checkout" / "seeds"
    seeds.mkdir(parents=True)
    seed = seeds / source.REPORT_SEED_NAME
    seed.write_text("大连市2020年营商环境报告（已改动）", encoding="utf-8")
    package = tmp_path / "checkout" / "dalian_data"
    (package / "data").mkdir(parents=True)
    (package / "data" / "report.txt").symlink_to(Path("..", "..", "seeds", source.REPORT_SEED_NAME))
    monkeypatch.setattr(source.resources, "files", lambda name: package)
    source.report_text.cache_clear()
    try:
        assert run(notebooks, tmp_path / "out") == 1  # the tripwire engine was never called
        err = _one_line_error(capsys)
        assert f"{seed}: sha256 is" in err and "the report text was altered" in err
        assert main(["export", str(tmp_path / "export")]) == 1
        assert f"{seed}: sha256 is" in _one_line_error(capsys)
        assert not (tmp_path / "export").exists()
    finally:
        source.report_text.cache_clear()


def test_yaml_file_and_cli_override(notebooks, tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text("lang: en\npopulation: 9000000\n", encoding="utf-8")
    out = tmp_path / "out"
    # -p overrides the file: the bad value comes from the command line
    assert run(notebooks, out, "-f", str(params), "-p", "lang", "de") == 2
    assert "parameter 'lang' is 'de'" in capsys.readouterr().err
    params.write_text("lang: en\npopulation: 9000000.5\n", encoding="utf-8")
    assert run(notebooks, out, "-f", str(params)) == 2
    assert "parameter 'population' is 9000000.5" in capsys.readouterr().err
    params.write_text("- lang\n", encoding="utf-8")
    assert run(notebooks, out, "-f", str(params)) == 2
    assert "must be a mapping of parameter names to values" in capsys.readouterr().err
    assert run(notebooks, out, "-f", str(tmp_path / "missing.yaml")) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not out.exists()


def test_missing_notebooks_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["report", "--notebooks-dir", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dalian-data: error: notebooks folder") and "DALIAN_DATA_NOTEBOOKS" in err


def test_notebooks_folder_from_environment(notebooks, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DALIAN_DATA_NOTEBOOKS", str(notebooks))
    assert main(["report", "--out", str(tmp_path / "o"), "-p", "lang", "xx"]) == 2
    assert "parameter 'lang' is 'xx'" in capsys.readouterr().err


def test_conversion_follows_the_type_of_the_default():
    assert convert_text("show_quotes", "TRUE", False) is True
    assert convert_text("show_quotes", "0", True) is False
    assert convert_text("decimals", "2", 1) == 2 and isinstance(convert_text("decimals", "2", 1), int)
    assert convert_text("population", "8_000_000", 1) == 8_000_000
    for bad in ("8__0", "8.0", "8e6", "", "eight"):
        with pytest.raises(ParameterError, match=f"parameter 'population' is {bad!r}"):
            convert_text("population", bad, 1)
    assert convert_text("ratio", "2", 1.5) == 2.0 and isinstance(convert_text("ratio", "2", 1.5), float)
    assert convert_text("figure_dir", "null", None) is None
    assert convert_text("figure_dir", "None", None) is None
    assert convert_text("figure_dir", "figs", None) == "figs"
    assert convert_text("lang", "None", "zh") == "None"  # a str default takes the text as is
    assert convert_text("expr", "anything", NOT_A_LITERAL) == "anything"
    with pytest.raises(ParameterError, match="parameter 'ratio' is 'abc'; allowed: a number"):
        convert_text("ratio", "abc", 1.5)
    with pytest.raises(ParameterError, match="allowed: true or false"):
        convert_text("flag", "yes", False)


def test_declared_parameters_reads_only_literal_assignments():
    nb = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "source": "x = 1"},
            {
                "cell_type": "code",
                "metadata": {"tags": ["parameters"]},
                "source": ["lang = 'zh'  # comment\n", "n: int = 3\n", "import os\n", "p = os.getcwd()\n"],
            },
        ]
    }
    assert declared_parameters(nb) == {"lang": "zh", "n": 3, "p": NOT_A_LITERAL}
    assert declared_parameters({"cells": []}) == {}


def test_each_notebook_gets_only_what_it_declares():
    a = DeclaredNotebook(Path("a.ipynb"), {"lang": "zh", "population": 1})
    b = DeclaredNotebook(Path("b.ipynb"), {"lang": "zh", "decimals": 1})
    requested, per = resolve_parameters([a, b], {"decimals": 2}, [("lang", "en")])
    assert requested == {"decimals": 2, "lang": "en"}
    assert per == {Path("a.ipynb"): {"lang": "en"}, Path("b.ipynb"): {"lang": "en", "decimals": 2}}


def test_slug_is_readable_safe_and_deterministic():
    assert parameters_slug({}) == "default"
    assert parameters_slug({"population": 8000000, "lang": "en"}) == "lang-en_population-8000000"
    assert parameters_slug({"show_quotes": True}) == "show_quotes-True"
    path_slug = parameters_slug({"figure_dir": "/tmp/my figs/中文"})
    assert path_slug == parameters_slug({"figure_dir": "/tmp/my figs/中文"})
    assert path_slug != parameters_slug({"figure_dir": "/tmp/my-figs/中文"})
    assert path_slug.startswith("figure_dir-tmp-my-figs") and all(c.isascii() and c not in "/ " for c in path_slug)
    long_slug = parameters_slug({"figure_dir": "x" * 300})
    assert len(long_slug) <= 64


from dalian_data.extract import COLUMNS  # noqa: E402


def test_extract_prints_quantities_of_any_text(tmp_path, capsys):
    text = tmp_path / "note.txt"
    text.write_text("2021年全市实现地区生产总值7825.9亿元，增长8.2%。", encoding="utf-8")
    assert main(["extract", str(text)]) == 0
    table = capsys.readouterr().out
    assert "7825.9亿元" in table and "782590000000" in table and "growth" in table
    assert main(["extract", str(text), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["value"], r["unit"], r["kind"], r["period"]) for r in rows] == [
        (782590000000.0, "元", "level", "2021"),
        (8.2, "%", "growth", "2021"),
    ]
    assert main(["extract", str(text), "--format", "csv"]) == 0
    csv = capsys.readouterr().out.splitlines()
    assert csv[0] == ",".join(COLUMNS) and len(csv) == 3


def test_extract_rejects_missing_and_non_utf8_files(tmp_path, capsys):
    assert main(["extract", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err
    assert err == f"dalian-data: error: cannot read {str(tmp_path / 'missing.txt')!r}: no such file\n"
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("增长8.2%".encode("gb18030"))
    assert main(["extract", str(gbk)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"dalian-data: error: {str(gbk)!r} is not UTF-8 text (byte 0x") and err.count("\n") == 1


@pytest.mark.parametrize("command", ["report", "refresh", "extract", "export"])
def test_every_command_has_help_with_examples(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and f"dalian-data {command}" in out


def test_help_is_fast_because_heavy_modules_load_lazily():
    code = (
        "import sys, contextlib, io\n"
        "from dalian_data.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try: main(['report', '--help'])\n"
        "    except SystemExit: pass\n"
        "heavy = [m for m in ('pandas', 'papermill', 'nbformat', 'nbconvert', 'matplotlib', 'yaml') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run([sys.executable, "-m", "dalian_data", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "dalian-data" in result.stdout and "report" in result.stdout


def test_export_passes_formats_and_lang_and_reports_bad_targets(tmp_path, monkeypatch, capsys):
    import dalian_data

    calls = []

    def fake_export(directory, formats, lang):
        calls.append((directory, formats, lang))
        if directory.endswith("file"):
            raise NotADirectoryError(f"cannot export into {directory}: it is a file")
        return [Path(directory) / "figures.csv"]

    monkeypatch.setattr(dalian_data, "export", fake_export, raising=False)
    assert main(["export", str(tmp_path / "out"), "--format", "csv", "--format", "xlsx", "--format", "csv", "--lang", "en"]) == 0
    assert calls[-1] == (str(tmp_path / "out"), ("csv", "xlsx"), "en")
    assert capsys.readouterr().out == f"{tmp_path / 'out' / 'figures.csv'}\n"
    assert main(["export", str(tmp_path / "out")]) == 0
    assert calls[-1][1:] == (("csv", "parquet", "xlsx", "datapackage"), "zh")
    assert main(["export", str(tmp_path / "a-file")]) == 2
    assert capsys.readouterr().err == f"dalian-data: error: cannot export into {tmp_path / 'a-file'}: it is a file\n"


def test_export_into_an_empty_name_is_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["export", ""]) == 2
    assert "the export directory is an empty name" in _one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []


def test_export_into_a_mount_point_stages_inside_it(small_filesystem, capsys):
    # staging beside the target would be on another file system: os.replace fails with EXDEV
    assert main(["export", str(small_filesystem), "--format", "csv"]) == 0
    printed = sorted(Path(line).name for line in capsys.readouterr().out.splitlines())
    assert "figures.csv" in printed
    assert sorted(p.name for p in small_filesystem.iterdir()) == printed  # no staging folder left inside
    assert not [p for p in small_filesystem.parent.iterdir() if ".export-" in p.name]
