"""``import dalian_data`` stays light; figures() is built once."""

import subprocess
import sys

import dalian_data as dd


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
                         check=True, capture_output=True, text=True).stdout
    return set(out.split())


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
    loaded = _modules_after("import dalian_data as dd; dd.present")
    assert "dalian_data.present" in loaded and "dalian_data.charts" not in loaded
    assert dd.style.use_house_style is not None
