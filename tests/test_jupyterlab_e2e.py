"""End to end: the committed notebooks' stored outputs render in JupyterLab in Chromium.

One JupyterLab server (serving a temporary copy of notebooks/, starting no
kernels) and one headless Chromium per module. JupyterLab is loaded once, by
URL (/lab/workspaces/<fresh>/tree/<notebook>); the next notebooks open in the
same page as a click in the file browser would, after closing every tab (a
full application start costs ~5 s on 2 cores, opening a notebook under 1 s).

Needs Debian's Chromium (`apt-get install chromium`): without it these tests
skip, except in CI (CI=true) where they fail. Under pytest-xdist use
`--dist loadfile`, so that the whole module shares one server and one browser.

Run alone: .venv/bin/python -m pytest tests/test_jupyterlab_e2e.py -v
Screenshots land in each test's tmp_path (their paths are in failure messages).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import zlib
from pathlib import Path

import pytest

import browser
from browser import (  # noqa: F401 -- fixtures are used by name
    VIEWPORT,
    assert_notebook_renders,
    assert_page_renders,
    browser_page,
    chromium_browser,
    notebook_expectations,
    page_errors,
    running_jupyter_lab,
)

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
REPO_NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
SAMPLE_DIR = "_e2e_sample"  # inside the server's temporary root, beside the copied notebooks


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


def _sample_notebook():
    """A small notebook like ours: Chinese markdown, a pandas table, a matplotlib PNG."""
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_markdown_cell("# 大连营商环境样例\n\n用于检验浏览器渲染的**示例**笔记本：表格与图表。"),
        new_code_cell(
            "import pandas as pd\n"
            "df = pd.DataFrame({'指标': ['创新活跃度', '人才流动便利度'], '得分': [85.2, 90.1]})\n"
            "df"
        ),
        new_code_cell(
            "%matplotlib inline\n"
            "import matplotlib.pyplot as plt\n"
            "fig, ax = plt.subplots(figsize=(4, 2.5))\n"
            "ax.bar(['A', 'B'], [85.2, 90.1])\n"
            "plt.show()"
        ),
        new_markdown_cell("## 结论\n\n表格和图表都应当显示。"),
    ]
    return nb


def _execute(nb, cwd: Path, scratch: Path):
    """Run ``nb`` with nbclient; the kernel's connection file and IPython profile go to ``scratch``."""
    from jupyter_client import KernelManager
    from nbclient import NotebookClient

    scratch.mkdir(parents=True, exist_ok=True)
    km = KernelManager(kernel_name="python3", connection_file=str(scratch / "kernel.json"))
    client = NotebookClient(nb, km=km, timeout=120, resources={"metadata": {"path": str(cwd)}})
    client.execute(env={**os.environ, "IPYTHONDIR": str(scratch / "ipython")})
    return nb


@pytest.fixture(scope="module")
def e2e_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("jupyterlab-e2e")


@pytest.fixture(scope="module")
def lab_root(e2e_dir: Path) -> Path:
    """The server's root: a copy of notebooks/ plus the executed sample notebooks."""
    import nbformat

    root = e2e_dir / "root"
    if NOTEBOOKS_DIR.is_dir():
        shutil.copytree(NOTEBOOKS_DIR, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    root.mkdir(exist_ok=True)
    sample_dir = root / SAMPLE_DIR
    sample_dir.mkdir()
    nb = _execute(_sample_notebook(), sample_dir, e2e_dir / "kernel")
    nbformat.write(nb, sample_dir / "sample.ipynb")

    # The same notebook with its PNG bytes corrupted: the check must catch it.
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                output["data"]["image/png"] = base64.b64encode(b"this is not a png").decode()
    nbformat.write(nb, sample_dir / "broken_image.ipynb")
    return root


@pytest.fixture(scope="module")
def lab(lab_root: Path, e2e_dir: Path):
    with running_jupyter_lab(lab_root, e2e_dir / "server") as server:
        yield server


@pytest.fixture(scope="module")
def lab_page(chromium_browser, lab):
    """One page for the module's notebooks: JupyterLab starts once in it.

    Chromium comes first, so that without it the tests skip before the server starts.
    """
    context = chromium_browser.new_context(viewport=VIEWPORT, service_workers="block")
    page = context.new_page()
    page_errors(page)
    yield page
    context.close()


# --------------------------------------------------------------------------
# No browser needed
# --------------------------------------------------------------------------


def _no_chromium(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser, "FALLBACK_CHROMIUM", str(tmp_path / "no-chromium-here"))


def test_missing_chromium_skips_outside_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_chromium(monkeypatch, tmp_path)
    monkeypatch.delenv("CI", raising=False)
    assert browser.find_chromium() is None
    with pytest.raises(pytest.skip.Exception, match="Chromium not found: apt-get install chromium"):
        browser.chromium_executable()


def test_missing_chromium_fails_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _no_chromium(monkeypatch, tmp_path)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium not found: apt-get install chromium"):
        browser.chromium_executable()


def test_notebook_expectations_count_what_jupyterlab_renders(tmp_path: Path) -> None:
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    png = base64.b64encode(_tiny_png()).decode()
    table = "<style>td {color: red}</style><table><tr><th>城市</th></tr><tr><td>大连</td></tr></table>"
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# 标题 <!-- 注释 -->\n[链接](https://例子.cn) $\\text{公式}$"),
        new_code_cell(
            outputs=[
                new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"}),
                new_output("execute_result", data={"image/jpeg": png}, execution_count=1),
                new_output("display_data", data={"text/html": table, "image/png": png}),  # HTML wins
                new_output("stream", text="图"),
            ]
        ),
    ]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    expected = notebook_expectations(path)
    assert expected.cell_types == ("markdown", "code")
    assert expected.images == 2
    assert expected.tables == 1
    assert expected.markdown_cjk == {0: frozenset("标题链接")}
    assert expected.html_output_cjk == frozenset("城市大连")


# --------------------------------------------------------------------------
# Browser: the machinery, on pages and notebooks we make
# --------------------------------------------------------------------------


def _tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A valid RGB PNG, built by hand (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xcc\x22\x22" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _html_page(path: Path, body: str) -> Path:
    path.write_text(f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>', "utf-8")
    return path


def test_assert_page_renders_passes_a_good_page_and_fails_a_bad_one(browser_page, tmp_path: Path) -> None:
    good_src = "data:image/png;base64," + base64.b64encode(_tiny_png()).decode()
    good = _html_page(
        tmp_path / "good.html",
        f'<h1>大连</h1><img src="{good_src}"><table><tr><td>创新</td></tr></table>'
        '<script src="https://cdn.example.invalid/require.js"></script>',  # blocked, must not hang
    )
    summary = assert_page_renders(
        browser_page, good, min_images=1, min_tables=1, expected_text=("大连",), screenshot=tmp_path / "good.png"
    )
    assert (summary.images, summary.tables) == (1, 1)
    assert (tmp_path / "good.png").stat().st_size > 0

    bad = _html_page(
        tmp_path / "bad.html",
        '<p>English only</p><img src="data:image/png;base64,bm90IGEgcG5n"><img src="missing.png">',
    )
    with pytest.raises(AssertionError) as failure:
        assert_page_renders(browser_page, bad, min_images=1, min_tables=1, screenshot=tmp_path / "bad.png")
    message = str(failure.value)
    assert message.count("not decoded") == 2, message
    assert "expected at least 1 table(s)" in message, message
    assert "no Chinese characters" in message, message
    assert str(tmp_path / "bad.png") in message, message


def test_browser_renders_a_sample_notebook(lab_page, lab, lab_root: Path, tmp_path: Path) -> None:
    path = lab_root / SAMPLE_DIR / "sample.ipynb"
    expected = notebook_expectations(path)
    assert (expected.images, expected.tables) == (1, 1), "sample notebook did not execute as designed"
    summary = assert_notebook_renders(
        lab_page, lab, f"{SAMPLE_DIR}/sample.ipynb", expected, via="url", screenshot=tmp_path / "sample.png"
    )
    assert (summary.images, summary.tables) == (1, 1)
    assert "创新活跃度" in summary.text and "结论" in summary.text
    sessions = lab.get_json("api/sessions")
    assert sessions == [], f"opening a notebook started a kernel: {sessions}"


def test_broken_image_output_is_detected(lab_page, lab, lab_root: Path, tmp_path: Path) -> None:
    path = lab_root / SAMPLE_DIR / "broken_image.ipynb"
    with pytest.raises(AssertionError) as failure:
        assert_notebook_renders(
            lab_page, lab, f"{SAMPLE_DIR}/broken_image.ipynb", notebook_expectations(path),
            screenshot=tmp_path / "broken.png",
        )
    message = str(failure.value)
    assert "image #0 not decoded (naturalWidth=0" in message, message
    assert "1 problem(s)" in message, message  # the rest of the notebook still passes


# --------------------------------------------------------------------------
# The committed notebooks
# --------------------------------------------------------------------------


@pytest.mark.parametrize("notebook", REPO_NOTEBOOKS, ids=[p.name for p in REPO_NOTEBOOKS])
def test_notebook_renders_in_jupyterlab(lab_page, lab, notebook: Path, tmp_path: Path) -> None:
    served = lab.root_dir / notebook.name
    before = served.read_bytes()
    assert_notebook_renders(
        lab_page, lab, notebook.name, notebook_expectations(served), screenshot=tmp_path / f"{notebook.stem}.png"
    )
    assert served.read_bytes() == before, f"JupyterLab rewrote its copy of {notebook.name} while only opening it"
