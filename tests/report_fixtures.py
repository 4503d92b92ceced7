"""Executed notebooks made in the tests, following the HTML report's contract, and a report built from them.

The contract (see ``dalian_data.run.html_pages``): markdown prose in both
languages in cells tagged ``lang-zh`` / ``lang-en``; one code cell tagged
``key-finding`` whose output is ``text/markdown`` in the run's language; one
cell tagged ``headline`` whose ``image/png`` output is the headline chart;
every chart's PNG carries ``metadata["image/png"]["alt"]``. These builders
need no kernel, so the HTML layer is tested on its own, before and after the
real notebooks follow the contract.

Use from a test module (``tests/`` is on sys.path)::

    from report_fixtures import indicator_notebook, build_fixture_report
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import nbformat
import pandas as pd
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

#: What a fixture notebook says, per language (the test sentences are ours).
TEXT = {
    "zh": {
        "title": "人才流动便利度",
        "intro": "本节整理报告中关于人才资金与引进人数的数字，另见[概览](00_overview.ipynb)。",
        "charts": "人才发展资金的构成",
        "people": "引进人才人数",
        "finding": "人才发展资金累计投入**17.4亿元**，其中报告列明用途的补贴占13.2%。",
        "alt": "条形图：人才发展资金17.4亿元，其中列明用途的三项补贴合计2.29亿元，其余未列明。",
        "columns": ["指标项", "数值", "原文"],
        "index_name": "编号",
    },
    "en": {
        "title": "Ease of talent mobility",
        "intro": "This section gathers the report's figures on talent funds and people attracted; see also the [overview](00_overview.ipynb).",
        "charts": "What the talent funds were spent on",
        "people": "People attracted",
        "finding": "Talent funds totalled **CNY 1.74 bn**; the subsidies the report itemises make up 13.2% of it.",
        "alt": "Bar chart: talent funds of CNY 1.74 bn, of which three itemised subsidies total CNY 229 m; the rest is not itemised.",
        "columns": ["Metric", "Value", "Quote (as printed)"],
        "index_name": "Figure id",
    },
}
ROWS = [
    ("talent_funds_total", {"zh": "投入人才发展资金", "en": "Talent development funds"}, {"zh": "17.4亿元", "en": "CNY 1.74 bn"}, "17.4亿元"),
    ("graduates_attracted", {"zh": "引进高校毕业生", "en": "University graduates attracted"}, {"zh": "4.5万人", "en": "45,000 people"}, "4.5万人"),
]
#: Source lines of the fixture's code cells: none may appear on a page.
CODE = (
    'frame = dd.figures("talent").set_index("figure_id")',
    'fig, ax = plt.subplots()\nax.barh(frame.metric, frame.value)',
)


def png_bytes(colour: str = "#E69F00", size: tuple[int, int] = (40, 20)) -> bytes:
    """A small real PNG (a filled rectangle)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def _image_output(alt: str | None, colour: str) -> dict:
    data = {"image/png": base64.b64encode(png_bytes(colour)).decode("ascii"), "text/plain": "<Figure size 640x480 with 1 Axes>"}
    metadata = {"image/png": {"alt": alt}} if alt else {}
    return new_output("display_data", data=data, metadata=metadata)


def _table_html(lang: str) -> str:
    words = TEXT[lang]
    frame = pd.DataFrame(
        [(label[lang], value[lang], quote) for _, label, value, quote in ROWS],
        index=pd.Index([row[0] for row in ROWS], name=words["index_name"]),
        columns=words["columns"],
    )
    return frame.to_html()


def indicator_notebook(lang: str, *, tagged: bool = True, alt: bool = True) -> nbformat.NotebookNode:
    """An executed notebook for ``lang`` as the report writes it (both languages' prose, one's outputs).

    ``tagged=False`` leaves out the ``key-finding`` and ``headline`` tags, as
    the notebooks had them before the contract; ``alt=False`` leaves the
    charts without descriptions.
    """
    cells = []
    for code in ("zh", "en"):
        words = TEXT[code]
        cells.append(new_markdown_cell(f"# {words['title']}\n\n{words['intro']}", metadata={"tags": [f"lang-{code}"]}))
    cells.append(new_code_cell(f'lang = "{lang}"\nfigure_dir = None', metadata={"tags": ["parameters"]}))
    cells.append(
        new_code_cell(
            CODE[0],
            outputs=[new_output("stream", name="stderr", text="UserWarning: a warning a reader should not see\n")],
        )
    )
    finding = new_output("execute_result", data={"text/markdown": TEXT[lang]["finding"], "text/plain": "<finding>"}, execution_count=3)
    cells.append(new_code_cell("dd.key_finding('talent', lang=lang)", outputs=[finding], metadata={"tags": ["key-finding"] if tagged else []}))
    cells.append(
        new_code_cell(
            "frame",
            outputs=[new_output("execute_result", data={"text/html": _table_html(lang), "text/plain": "frame"}, execution_count=4)],
        )
    )
    for code in ("zh", "en"):
        cells.append(new_markdown_cell(f"## {TEXT[code]['charts']}", metadata={"tags": [f"lang-{code}"]}))
    headline = _image_output(TEXT[lang]["alt"] if alt else None, "#E69F00")
    cells.append(new_code_cell(CODE[1], outputs=[headline], metadata={"tags": ["headline"] if tagged else []}))
    for code in ("zh", "en"):
        cells.append(new_markdown_cell(f"### {TEXT[code]['people']}", metadata={"tags": [f"lang-{code}"]}))
    cells.append(new_code_cell("plt.show()", outputs=[_image_output(None, "#0072B2")]))
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
    return nb


def build_fixture_report(out: Path, lang: str, *, tagged: bool = True, figure_dir: str | None = None) -> Path:
    """A report folder as ``dalian-data report --html`` writes it, from fixture notebooks (no kernel).

    ``02_talent`` (with the contract's tags unless ``tagged`` is False),
    ``03_openness`` (without tags and without alt text, as notebooks made
    before the contract), a failed ``05_environment`` with no output, the
    downloads, and the index.
    """
    from dalian_data.run.html_pages import IndexEntry, downloads_in, read_highlights, render_index, render_notebook_html
    from dalian_data.publish.downloads import write_downloads

    out.mkdir(parents=True, exist_ok=True)
    notebooks = {"02_talent": indicator_notebook(lang, tagged=tagged), "03_openness": indicator_notebook(lang, tagged=False, alt=False)}
    siblings = tuple(sorted(notebooks))
    aliases = {str(Path.cwd() / figure_dir): figure_dir} if figure_dir else {}
    entries = []
    for name, nb in notebooks.items():
        nbformat.write(nb, out / f"{name}.ipynb")
        page = render_notebook_html(nb, name, lang, siblings, name=name, path_aliases=aliases)
        (out / f"{name}.html").write_text(page, encoding="utf-8")
        entries.append(IndexEntry(name, name, True, True, highlights=read_highlights(out / f"{name}.ipynb", lang)))
    entries.append(IndexEntry("05_environment", "05_environment", False, False, error="CellExecutionError in cell 7: KeyError 'good_air_days'"))
    parameters = {"lang": lang, **({"figure_dir": figure_dir} if figure_dir else {})}
    defaults = {"lang": "zh", "population": 7450785, "figure_dir": None, "decimals": 1, "show_quotes": False}
    write_downloads(out, {**defaults, **parameters})
    index = render_index(entries, parameters, lang, defaults=defaults, downloads=downloads_in(out, lang))
    (out / "index.html").write_text(index, encoding="utf-8")
    return out
