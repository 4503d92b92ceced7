"""Run a notebook's code cells in this process and keep what they show.

No kernel: each code cell is executed in one namespace, its last
expression's value is kept like a cell's result, ``IPython.display.display``
collects instead of printing, and :func:`dalian_data.notebook.charts.show` is wrapped
so the test sees every figure (its axes, scales, labels and alt text) before
the helper closes it. Fast enough to run every notebook in both languages,
which is what the chart and text tests need.
"""

from __future__ import annotations

import ast
import functools
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from dalian_data.notebook import charts, style  # noqa: E402

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NAMES = sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb"))


@dataclass
class Panel:
    """One axes of a shown chart, as the tests need it."""

    xscale: str
    yscale: str
    xlabel: str
    ylabel: str
    bars: int  # bar rectangles drawn in it
    horizontal: bool  # True when the bars run along x (barh)


@dataclass
class Chart:
    name: str
    alt: str
    lang: str
    title: str
    panels: list[Panel]
    texts: list[str]  # every visible text of the figure, source line excluded


@dataclass
class Run:
    notebook: str
    params: dict[str, Any]
    charts: list[Chart] = field(default_factory=list)
    shown: list[Any] = field(default_factory=list)  # objects displayed or returned by cells, in order

    def markdown(self) -> list[str]:
        """The text of every Markdown object the run showed."""
        return [obj.data for obj in self.shown if type(obj).__name__ == "Markdown"]


def _panel(ax) -> Panel:
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_width() and p.get_height()]
    # barh bars share one thickness (height) and vary in length (width); bar() the other way round
    heights, widths = len({round(b.get_height(), 9) for b in bars}), len({round(b.get_width(), 9) for b in bars})
    horizontal = heights < widths if heights != widths else bool(ax.get_xlabel())
    return Panel(ax.get_xscale(), ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel(), len(bars), horizontal)


def _chart(fig: Figure, name: str, alt: str, lang: str) -> Chart:
    fig.canvas.draw()  # lays out every text: a missing glyph raises here
    texts = [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return Chart(name, alt, lang, fig.get_suptitle(), [_panel(ax) for ax in fig.axes], texts)


@functools.lru_cache(maxsize=None)
def run(notebook: str, **params: Any) -> Run:
    """Execute ``notebooks/<notebook>.ipynb`` with ``params`` overriding its parameters cell (cached)."""
    nb = nbformat.read(NOTEBOOK_DIR / f"{notebook}.ipynb", as_version=4)
    plt.close("all")
    result = Run(notebook, dict(params))
    real_show = charts.show

    def show(fig, name, *, alt, lang, figure_dir=None):
        result.charts.append(_chart(fig, name, alt, lang))
        real_show(fig, name, alt=alt, lang=lang, figure_dir=figure_dir)

    namespace: dict[str, Any] = {"__name__": "__notebook__"}
    with mock.patch("IPython.display.display", lambda *objs, **_kw: result.shown.extend(objs)), \
            mock.patch.object(charts, "show", show), warnings.catch_warnings(), \
            plt.rc_context({"figure.max_open_warning": 0}):
        warnings.simplefilter("error")  # a notebook that warns fails nbval's "no stderr" too
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="(?!dalian_data)")
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, f"<{notebook}>", "exec"), namespace)  # noqa: S102 - our own notebooks
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(params)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), f"<{notebook}>", "eval"), namespace)  # noqa: S307
                if value is not None:
                    result.shown.append(value)
    assert not plt.get_fignums(), f"{notebook}: a figure was left open (not shown through charts.show)"
    style.use_house_style()
    return result
