"""What the notebooks' charts share: bars of report figures, axis units, and showing a chart.

Each notebook draws its own charts with matplotlib, in a few lines, from
:func:`dalian_data.figures` and :func:`dalian_data.derived`; this module
holds only what two or more of them need::

    fig, ax = plt.subplots()
    charts.barh(ax, dd.figures("talent").query("unit == '人'"), lang)
    fig.suptitle(title)
    charts.show(fig, "02_talent_people", alt=sentence, lang=lang, figure_dir=figure_dir)

:func:`barh` refuses rows of more than one unit (one unit per axis) and
hatches figures the report gives as bounds or approximations (超过700家,
近百条), so a floor is not read as an exact count. :func:`show` adds the
source line, saves PNG and SVG when ``figure_dir`` is set, displays the PNG
with its description as alt text and closes the figure. Charts never use a
log scale: values that differ by orders of magnitude go to separate panels.

Importing this module imports matplotlib; ``import dalian_data`` does not.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dalian_data.extras import needs_extra

with needs_extra("dalian_data.notebook.charts", "notebooks"):
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors
    from matplotlib import ticker
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

from dalian_data.notebook import style
from dalian_data.catalogue import catalogue
from dalian_data.notebook.formatting import check_lang, figure_value, label, labels, wrap

__all__ = ["MUTED", "NOTE", "tint", "value_scale", "unit_label", "tick_format", "bound_style", "bound_legend",
           "annotate", "barh", "count_barh", "show"]

MUTED = "#bdbdbd"  # context: bars that are not the subject, remainders, other days
NOTE = "#595959"  # annotation text that is not a value
_VALUE_FONTSIZE = 8.5


def tint(colour: str, amount: float) -> str:
    """``colour`` mixed with ``amount`` (0–1) of white: a lighter shade of the same hue."""
    rgb = np.array(mcolors.to_rgb(colour))
    return mcolors.to_hex(rgb + (1.0 - rgb) * amount)


def value_scale(values: Sequence[float], unit: str, unit_en: str, lang: str) -> tuple[float, str]:
    """Divisor and unit words for an axis of ``values``: (1e8, '亿元'), (1e9, 'CNY bn') …

    The same scale words as :func:`dalian_data.notebook.formatting.format_value`, picked by the largest value.
    """
    check_lang(lang)
    top = max(abs(v) for v in values)
    scale = next((s for s in labels()["scales"][lang] if top >= 10 ** s["factor"]), None)
    divisor = 10 ** scale["factor"] if scale else 1.0
    display = labels()["unit_display"]
    if lang == "zh":
        return divisor, f"{scale['word'] if scale else ''}{display['zh'].get(unit, unit)}"
    if unit == "%":
        return divisor, "%"
    if unit_en == display["en"]["money_word"]:
        return divisor, " ".join(filter(None, [display["en"]["money_prefix"], scale["money"] if scale else ""]))
    return divisor, " ".join(filter(None, [scale["word"] if scale else "", unit_en]))


def unit_label(what: str, unit: str, lang: str) -> str:
    """An axis label with its unit in brackets: 数量（家）, Number (enterprises)."""
    return f"{what}（{unit}）" if check_lang(lang) == "zh" else f"{what} ({unit})"


def tick_format(lang: str) -> ticker.Formatter:
    """Plain tick numbers (no 1e6 offsets), with thousands separators in English."""
    return ticker.FuncFormatter(lambda x, _pos: f"{x:,g}" if lang == "en" else f"{x:g}")


def bound_style(colour: str) -> dict[str, Any]:
    """A hatched, lighter bar: the value is a bound, an approximation or computed, not printed exactly."""
    return {"facecolor": tint(colour, 0.55), "edgecolor": colour, "hatch": "////", "linewidth": 0}


def bound_legend(lang: str, text: str | None = None) -> Patch:
    """Legend entry explaining hatching, in a neutral colour so it fits any bar colour."""
    return Patch(facecolor="white", edgecolor=NOTE, hatch="////", linewidth=0.6,
                 label=text or label("charts.bound_legend", lang))


def annotate(ax: Axes, bars: BarContainer, texts: Sequence[str], *, inside: bool = False,
             colour: str = "black", backed: bool = False) -> None:
    """Write each bar's value just past its end (or in its middle with ``inside``).

    Works for horizontal and vertical bars; ``backed`` puts a white box
    behind the text, for text on a hatched bar.
    """
    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5} if backed else None
    vertical = bars.orientation == "vertical"
    for bar, text in zip(bars, texts):
        x, y = bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2
        if vertical:
            point, offset = (x, y if inside else bar.get_y() + bar.get_height()), (0, 0 if inside else 3)
            align = {"ha": "center", "va": "center" if inside else "bottom"}
        else:
            point, offset = (x if inside else bar.get_x() + bar.get_width(), y), (0 if inside else 4, 0)
            align = {"ha": "center" if inside else "left", "va": "center"}
        ax.annotate(text, point, xytext=offset, textcoords="offset points", fontsize=_VALUE_FONTSIZE,
                    color=colour, bbox=box, **align)


def barh(ax: Axes, rows: pd.DataFrame, lang: str, *, colour: Any = "#0072B2",
         what: str | None = None, width: int | None = None) -> BarContainer:
    """Horizontal bars of rows of :func:`dalian_data.figures`, which must share one unit.

    Bars run top to bottom in the order of ``rows``, labelled with their
    metric and their value as the report prints it; bounds and
    approximations are hatched. The x axis starts at zero, is linear and is
    labelled ``what`` (default 数量 / Number) with the unit in brackets.
    Rows of different units raise ValueError: they belong on separate axes.
    """
    check_lang(lang)
    units = list(dict.fromkeys(rows["unit"].astype(str)))
    if len(units) != 1:
        raise ValueError(f"bars on one axis must share one unit; got {', '.join(units) or 'no rows'}")
    words = list(dict.fromkeys(rows["unit_en"].astype(str)))  # pupils, teachers: both 人, one axis in people
    word = words[0] if len(words) == 1 else catalogue()["units"].get(units[0], {}).get("en", units[0])
    divisor, unit = value_scale(rows["value"], units[0], word, lang)
    colours = [colour] * len(rows) if mcolors.is_color_like(colour) else list(colour)
    y = np.arange(len(rows))
    bars = ax.barh(y, rows["value"] / divisor, color=colours, height=0.65)
    for bar, qualifier, shade in zip(bars, rows["qualifier"].astype(str), colours):
        if qualifier != "exact":
            bar.set(**bound_style(shade))
    annotate(ax, bars, [figure_value(row, lang) for row in rows.itertuples(index=False)])
    names = rows["metric"] if lang == "zh" else rows["metric_en"]
    ax.set_yticks(y, [wrap(n, lang, width) for n in names], fontsize="small")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, float((rows["value"] / divisor).max()) * 1.3)
    ax.xaxis.set_major_formatter(tick_format(lang))
    ax.set_xlabel(unit_label(what or label("charts.count", lang), unit, lang))
    return bars


def count_barh(ax: Axes, counts: pd.Series, lang: str, *, colour: Any = "#0072B2", what: str, unit: str) -> BarContainer:
    """Horizontal bars of whole counts of one thing (``unit``), labelled by the series' index.

    For counts the package computes rather than figures the report prints,
    such as measures by type of action: bars run top to bottom in the order
    of ``counts``, each labelled with its count; the linear x axis starts at
    zero and is labelled ``what`` with ``unit`` in brackets.
    """
    check_lang(lang)
    y = np.arange(len(counts))
    bars = ax.barh(y, counts.to_numpy(), color=colour, height=0.65)
    annotate(ax, bars, [f"{n:d}" for n in counts])
    ax.set_yticks(y, [wrap(str(name), lang) for name in counts.index], fontsize="small")
    ax.set_ylim(len(counts) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, max(1, int(counts.max())) * 1.2)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel(unit_label(what, unit, lang))
    return bars


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def show(fig: Figure, name: str, *, alt: str, lang: str, figure_dir: os.PathLike | str | None = None) -> None:
    """Finish a chart: source line, files in ``figure_dir``, one PNG output with alt text, figure closed.

    ``alt`` describes what the chart shows, in ``lang``, as a sentence; it
    becomes the output's ``metadata["image/png"]["alt"]``, which the HTML
    pages use as the image's alt text. The figure is closed, so the inline
    backend does not show it a second time.
    """
    from IPython.display import Image, display

    check_lang(lang)
    if not alt or not alt.strip() or alt.strip()[-1] not in ".。":
        raise ValueError(f"alt text of chart {name!r} must be a sentence ending in . or 。; got {alt!r}")
    try:
        style.add_source(fig, lang)
        style.save_figure(fig, figure_dir, name)
        data = _png(fig)
        width = int(round(fig.get_figwidth() * matplotlib.rcParams["figure.dpi"]))
    finally:
        plt.close(fig)
    display(Image(data=data, format="png", width=width, metadata={"alt": alt.strip()}))
