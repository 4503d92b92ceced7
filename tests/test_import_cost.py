"""``import dalian_data`` stays light; figures() is built once."""

import subprocess
import sys

import dalian_data as dd


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
                         check=True, capture_output=True, text=True).stdout
    return set(out.split())


#: what the extras add: the data core must never import any of it
EXTRAS_ONLY = ("matplotlib", "papermill", "pyarrow", "openpyxl", "nbformat", "nbclient", "nbconvert", "ipykernel",
               "IPython", "yaml", "tqdm", "fontTools", "brotli", "pandera")


def _extras_loaded(loaded: set[str], allowed: tuple[str, ...] = ()) -> set[str]:
    return {m for m in loaded if m.split(".")[0] in EXTRAS_ONLY and m.split(".")[0] not in allowed}


def test_importing_the_package_imports_nothing_an_extra_provides():
    assert not _extras_loaded(_modules_after("import dalian_data"))


def test_the_core_api_imports_nothing_an_extra_provides(tmp_path):
    note = tmp_path / "note.txt"
    note.write_text("全年新增就业12.5万人。", encoding="utf-8")
    loaded = _modules_after(
        "import dalian_data as dd\n"
        "dd.report_text(); dd.indicators(); dd.figures('talent'); dd.non_figures(); dd.primary_indicator()\n"
        "dd.aspects(); dd.derived(population=8000000); dd.quantities('增长8.2%'); dd.validate_parameters(lang='en')\n"
        f"dd.export({str(tmp_path / 'out')!r}, formats=('csv', 'datapackage'))\n"
        f"dd.read_export({str(tmp_path / 'out')!r}, 'figures')\n"
        "import contextlib, io\n"
        "from dalian_data.cli import main\n"
        f"with contextlib.redirect_stdout(io.StringIO()): main(['extract', {str(note)!r}])\n"
    )
    # `import pandas` itself imports pyarrow whenever it is installed (pandas.compat.pyarrow);
    # tests/test_wheel.py runs the core API where pyarrow is absent
    assert not _extras_loaded(loaded, allowed=("pyarrow",))
    assert (tmp_path / "out" / "figures.csv").is_file()


def test_importing_the_package_imports_neither_matplotlib_nor_pandera():
    loaded = _modules_after("import dalian_data")
    assert not {m for m in loaded if m.split(".")[0] in ("matplotlib", "pandera", "pandas")}


def test_building_figures_imports_neither_matplotlib_nor_pandera():
    loaded = _modules_after("import dalian_data; dalian_data.figures(); dalian_data.derived()")
    assert not {m for m in loaded if m.split(".")[0] in ("matplotlib", "pandera", "papermill")}


def test_figures_are_built_once_and_cached():
    from dalian_data import tables

    dd.figures()
    before = tables._figures.cache_info()
    dd.figures("talent")
    dd.figures()
    after = tables._figures.cache_info()
    assert after.misses == before.misses and after.hits >= before.hits + 2


def test_submodules_load_on_first_attribute_access():
    loaded = _modules_after("import dalian_data as dd; dd.schemas")
    assert "dalian_data.schemas" in loaded and "matplotlib" not in loaded


def test_formatting_needs_no_matplotlib():
    loaded = _modules_after("from dalian_data.notebook import formatting, sections")
    assert "dalian_data.notebook.charts" not in loaded and "matplotlib" not in loaded
