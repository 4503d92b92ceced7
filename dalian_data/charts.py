"""The notebooks' charts, one function each, in Chinese or English.

Each function takes ``lang`` ("zh" or "en") and returns a matplotlib Figure
that already carries its title, unit-bearing axis labels and the source line
(:func:`dalian_data.style.add_source`), in the house style. Notebooks only
show and save it::

    fig = charts.talent_funds(lang=lang, decimals=decimals)
    style.save_figure(fig, figure_dir, "02_talent_funds")
    plt.show()

The data come from :func:`dalian_data.figures` and :func:`dalian_data.derived`
and the words from ``data/labels.toml``; a chart never types a number. Bars
of figures the report gives as bounds or approximations (超过700家, 近百条) are
hatched, so a reader does not take a floor for an exact count. Axes that
span more than three orders of magnitude use a log scale and say so.

Importing this module imports matplotlib; ``import dalian_data`` does not.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from dalian_data.extras import needs_extra

with needs_extra("dalian_data.charts", "notebooks"):
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib import colors as mcolors
    from matplotlib import ticker
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.transforms import ScaledTranslation

from dalian_data import DALIAN_POPULATION_2020, derived, figures, indicators, style
from dalian_data.derived_metrics import DAYS_IN_REPORT_YEAR
from dalian_data.present import (
    check_lang,
    figure_value,
    format_kind,
    format_period,
    format_value,
    label,
    labels,
    public_service_sectors,
    wrap,
)

__all__ = [
    "CHARTS",
    "KIND_COLOURS",
    "innovation_growth",
    "innovation_counts",
    "talent_funds",
    "talent_people",
    "figures_by_kind",
    "evidence_map",
    "openness_context",
    "openness_counts",
    "public_service_sectors_chart",
    "public_service_evidence",
    "air_quality",
    "water_quality",
    "land_meetings",
    "freight_by_mode",
    "shipping_network",
]

#: Colours of the five kinds of figure (level, growth, change, share, rate):
#: evenly spaced steps of matplotlib's viridis map, which stay distinguishable
#: with colour-vision deficiencies and in greyscale, and do not reuse the
#: indicator colours of the house style (those mean "which indicator").
KIND_COLOURS: dict[str, str] = {
    kind: mcolors.to_hex(matplotlib.colormaps["viridis"](x))
    for kind, x in zip(labels()["kinds"], np.linspace(0.0, 0.95, len(labels()["kinds"])))
}

_MUTED = "#bdbdbd"  # context: bars that are not the subject, remainders, other days
_NOTE = "#595959"  # annotation text that is not a value
_LOG_RATIO = 1000  # a log axis only when the largest value is over 1000 times the smallest
_VALUE_FONTSIZE = 8.5


# ---- shared helpers --------------------------------------------------------------

def _ensure_style() -> None:
    """Apply the house style if it is not in force (it carries the Chinese font).

    Notebooks call :func:`style.use_house_style` themselves; this only makes a
    chart drawn from a plain Python session readable too.
    """
    if style.FONT_FAMILY not in matplotlib.rcParams["font.family"]:
        style.use_house_style()


def _tint(colour: str, amount: float) -> str:
    """``colour`` mixed with ``amount`` (0–1) of white: a lighter shade of the same hue."""
    rgb = np.array(mcolors.to_rgb(colour))
    return mcolors.to_hex(rgb + (1.0 - rgb) * amount)


def _figure(height: float | None = None, width: float = 8.0, **subplots: Any) -> tuple[Figure, Any]:
    _ensure_style()
    return plt.subplots(figsize=(width, height or 4.5), **subplots)


def _finish(fig: Figure, lang: str, title: str) -> Figure:
    """Title at the top left and the source line at the bottom: every chart ends here."""
    fig.suptitle(title, x=0.01, ha="left", fontsize="large")
    style.add_source(fig, lang)
    return fig


def _bars_height(names: Sequence[str], per_line: float = 0.2, extra: float = 1.6) -> float:
    """A figure height that gives each (wrapped) bar label room: inches."""
    lines = sum(name.count("\n") + 1 for name in names)
    return max(3.0, extra + per_line * lines + 0.22 * len(names))


def _metric(figs: pd.DataFrame, lang: str) -> list[str]:
    return [wrap(m, lang) for m in (figs["metric"] if lang == "zh" else figs["metric_en"])]


def _units(figs: pd.DataFrame, lang: str) -> str:
    """The distinct units of some figures, in report order, as one axis-label string."""
    shown = labels()["unit_display"]["zh"]
    units = figs["unit"].map(lambda u: shown.get(u, u)) if lang == "zh" else figs["unit_en"]
    return label("charts.common.units_joiner", lang).join(dict.fromkeys(units))


def _count_axis(figs: pd.DataFrame, lang: str, log: bool) -> str:
    unit = _units(figs, lang)
    if log:
        unit += label("charts.common.units_joiner", lang) + label("charts.common.log_scale", lang)
    return label("charts.common.count_axis", lang, unit=unit)


def _tick_format(lang: str) -> ticker.Formatter:
    """Plain tick numbers (no 1e6 offsets), with thousands separators in English."""
    return ticker.FuncFormatter(lambda x, _pos: f"{x:,g}" if lang == "en" else f"{x:g}")


def _log_axis(ax: Axes, lang: str, values: Sequence[float]) -> None:
    """A log x axis whose ticks read 1, 10, 100, 1000, 1万 … (no 10^n notation)."""
    ax.set_xscale("log")
    ax.set_xlim(min(values) / 2, max(values) * 3)
    ax.xaxis.set_major_locator(ticker.LogLocator(base=10))
    ax.xaxis.set_major_formatter(ticker.FuncFormatter(
        lambda x, _pos: format_value(x, "", lang=lang) if x >= 1 else f"{x:g}"))
    ax.xaxis.set_minor_formatter(ticker.NullFormatter())


def _value_scale(values: Sequence[float], unit: str, unit_en: str, lang: str) -> tuple[float, str]:
    """Divisor and unit label for an axis of ``values``: (1e8, '亿元'), (1e9, 'CNY bn') …

    The same scale words as :func:`present.format_value`, picked by the largest value.
    """
    top = max(abs(v) for v in values)
    scale = next((s for s in labels()["scales"][lang] if top >= 10 ** s["factor"]), None)
    display = labels()["unit_display"]["en"]
    if lang == "zh":
        shown = labels()["unit_display"]["zh"].get(unit, unit)
        return (10 ** scale["factor"] if scale else 1.0), f"{scale['word'] if scale else ''}{shown}"
    divisor = 10 ** scale["factor"] if scale else 1.0
    if unit_en == display["money_word"]:
        return divisor, " ".join(filter(None, [display["money_prefix"], scale["money"] if scale else ""]))
    return divisor, " ".join(filter(None, [scale["word"] if scale else "", unit_en]))


def _bound_style(colour: str) -> dict[str, Any]:
    """A hatched, lighter bar: the value is a bound or an approximation."""
    return {"facecolor": _tint(colour, 0.55), "edgecolor": colour, "hatch": "////", "linewidth": 0}


def _annotate(ax: Axes, bars, texts: Sequence[str], *, inside: bool = False, colour: str = "black",
              backed: bool = False) -> None:
    """Write each bar's value just past its end (or inside, for wide stacked bars).

    ``backed`` puts a white box behind the text, for text on a hatched bar.
    """
    box = {"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1.5} if backed else None
    for bar, text in zip(bars, texts):
        x = bar.get_x() + (bar.get_width() / 2 if inside else bar.get_width())
        y = bar.get_y() + bar.get_height() / 2
        ax.annotate(text, (x, y), xytext=(0 if inside else 4, 0), textcoords="offset points",
                    ha="center" if inside else "left", va="center", fontsize=_VALUE_FONTSIZE, color=colour,
                    bbox=box)


def _legend_below(ax: Axes, handles: Sequence[Any] | None = None, ncol: int | None = None,
                  below: float = 0.5) -> None:
    """A legend centred under the axes, ``below`` inches under their bottom edge (clear of the x label).

    Anchored in inches rather than axes fractions so the gap is the same for
    any figure height; constrained layout then makes room for it.
    """
    if handles is None:
        handles = ax.get_legend_handles_labels()[0]
    offset = ScaledTranslation(0, -below, ax.figure.dpi_scale_trans)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=ax.transAxes + offset,
              ncol=ncol or min(len(handles), 3), fontsize="small")


def _bound_handle(lang: str) -> Patch:
    """Legend entry explaining hatching, in a neutral colour so it fits any bar colour."""
    return Patch(facecolor="white", edgecolor=_NOTE, hatch="////", linewidth=0.6,
                 label=label("charts.common.bound_legend", lang))


def _figure_bars(figs: pd.DataFrame, lang: str, title: str, colours: Sequence[str] | str,
                 legend: Sequence[Patch] = ()) -> Figure:
    """Horizontal bars of figures in report order, labelled with their values as printed.

    Bounds are hatched; the axis is logarithmic only if the values span more
    than :data:`_LOG_RATIO`, and the axis label then says so.
    """
    names = _metric(figs, lang)
    colours = [colours] * len(figs) if isinstance(colours, str) else list(colours)
    fig, ax = _figure(_bars_height(names))
    values = figs["value"].to_numpy(dtype=float)
    bounds = (figs["qualifier"].astype(str) != "exact").to_numpy()
    y = np.arange(len(figs))
    bars = ax.barh(y, values, color=colours, height=0.65)
    for bar, bound, colour in zip(bars, bounds, colours):
        if bound:
            bar.set(**{k: v for k, v in _bound_style(colour).items()})
    _annotate(ax, bars, [figure_value(r, lang) for r in figs.itertuples(index=False)])
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    log = values.max() / values.min() > _LOG_RATIO
    if log:
        _log_axis(ax, lang, values)
    else:
        ax.set_xlim(0, values.max() * 1.15)
        ax.xaxis.set_major_formatter(_tick_format(lang))
    ax.set_xlabel(_count_axis(figs, lang, log))
    handles = list(legend)
    if bounds.any():
        handles.append(_bound_handle(lang))
    if handles:
        _legend_below(ax, handles)
    return _finish(fig, lang, title)


def _colour(indicator: str) -> str:
    return style.INDICATOR_COLOURS[indicator]


def _derived(population: int = DALIAN_POPULATION_2020, days_in_year: int = DAYS_IN_REPORT_YEAR) -> pd.DataFrame:
    return derived(population=population, days_in_year=days_in_year).set_index("derived_id", drop=False)


def _names(lang: str) -> dict[str, str]:
    table = indicators()
    names = table["indicator"].astype(str) if lang == "zh" else table["indicator_en"]
    return dict(zip(table["indicator_id"].astype(str), names))


# ---- 01 innovation ----------------------------------------------------------------

def _growth_pairs(indicator: str, derived_rows: pd.DataFrame) -> list[tuple[Any, Any, Any]]:
    """(level figure, growth figure, implied previous level) for each derived back-calculation.

    Read from the derived metrics: one whose formula uses exactly one level
    (or rate) figure and one growth figure is the level a year earlier.
    """
    figs = figures(indicator).set_index("figure_id", drop=False)
    pairs = []
    for row in derived_rows[derived_rows["indicator_id"] == indicator].itertuples(index=False):
        inputs = row.inputs.split(",")
        if len(inputs) != 2 or not all(i in figs.index for i in inputs):
            continue
        kinds = {str(figs.loc[i, "kind"]): figs.loc[i] for i in inputs}
        level = kinds.get("level", kinds.get("rate"))
        if "growth" in kinds and level is not None:
            pairs.append((level, kinds["growth"], row))
    return pairs


def innovation_growth(lang: str = "zh", *, decimals: int = 1) -> Figure:
    """Growth rates beside the levels they apply to, for innovation.

    The report gives three growth rates but a level for only two of them;
    the panels on the right show each of those two levels beside the
    previous year's level implied by its growth rate (hatched: computed,
    not reported). The growth panel marks the rate that has no level.
    """
    check_lang(lang)
    _ensure_style()
    key = "charts.innovation_growth"
    colour = _colour("innovation")
    figs = figures("innovation")
    growth = figs[figs["kind"].astype(str) == "growth"].reset_index(drop=True)
    pairs = _growth_pairs("innovation", _derived())
    paired = {p[1]["figure_id"] for p in pairs}

    fig = plt.figure(figsize=(9.5, 4.8))
    grid = fig.add_gridspec(1, 1 + len(pairs), width_ratios=[2.3] + [1] * len(pairs))
    ax = fig.add_subplot(grid[0])
    names = _metric(growth, lang)
    y = np.arange(len(growth))
    bars = ax.barh(y, growth["value"], color=colour, height=0.6)
    texts = [figure_value(r, lang) + ("" if r.figure_id in paired else "\n" + label(f"{key}.no_level", lang))
             for r in growth.itertuples(index=False)]
    _annotate(ax, bars, texts)
    ax.set_yticks(y, [wrap(n, lang, 14 if lang == "zh" else 24) for n in names], fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, growth["value"].max() * 1.2)
    ax.set_xlabel(label(f"{key}.growth_axis", lang))
    ax.set_title(label(f"{key}.growth_title", lang), fontsize="medium")

    for i, (level, _growth, implied) in enumerate(pairs, start=1):
        axp = fig.add_subplot(grid[i])
        divisor, unit = _value_scale([level["value"]], str(level["unit"]), str(level["unit_en"]), lang)
        heights = [implied.value / divisor, level["value"] / divisor]
        drawn = axp.bar([0, 1], heights, width=0.6, color=colour)
        drawn[0].set(**_bound_style(colour))
        # numbers only: the unit is on the axis, and a full "24.25 items per 10,000 people" would not fit
        texts = [format_value(heights[0], "", lang=lang, decimals=decimals),
                 format_value(heights[1], "", lang=lang, qualifier=str(level["qualifier"]))]
        for bar, text in zip(drawn, texts):
            axp.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 3),
                         textcoords="offset points", ha="center", va="bottom", fontsize=_VALUE_FONTSIZE)
        axp.set_xticks([0, 1], [label(f"{key}.previous", lang), label(f"{key}.reported", lang)], fontsize="small")
        axp.set_ylim(0, max(heights) * 1.2)
        axp.grid(axis="x", visible=False)
        axp.yaxis.set_major_formatter(_tick_format(lang))
        metric = level["metric"] if lang == "zh" else level["metric_en"]
        axp.set_title(wrap(metric, lang, 10 if lang == "zh" else 20), fontsize="small")
        axp.set_ylabel(label(f"{key}.level_axis", lang, unit=unit))
    return _finish(fig, lang, label(f"{key}.title", lang))


def innovation_counts(lang: str = "zh") -> Figure:
    """How many innovation entities and facilities the report counts, bounds hatched.

    Stocks (enterprises) and flows (new platforms, new base stations) sit
    side by side as the report lists them; the closing section says why they
    cannot be added.
    """
    check_lang(lang)
    figs = figures("innovation")
    counts = figs[(figs["kind"].astype(str) == "level") & (figs["unit"] != "元")].reset_index(drop=True)
    return _figure_bars(counts, lang, label("charts.innovation_counts.title", lang), _colour("innovation"))


# ---- 02 talent ---------------------------------------------------------------------

def talent_funds(lang: str = "zh", *, decimals: int = 1) -> Figure:
    """The talent funds total beside its itemised parts and the un-itemised remainder.

    The parts are the inputs of the derived metric
    ``listed_subsidies_share_of_talent_funds`` (its formula's numerator), so
    the chart and the derived table always add up the same things.
    """
    check_lang(lang)
    key = "charts.talent_funds"
    colour = _colour("talent")
    figs = figures("talent").set_index("figure_id", drop=False)
    share = _derived().loc["listed_subsidies_share_of_talent_funds"]
    *part_ids, total_id = share.inputs.split(",")
    total, parts = figs.loc[total_id], figs.loc[part_ids]
    remainder = total["value"] - parts["value"].sum()
    divisor, unit = _value_scale([total["value"]], str(total["unit"]), str(total["unit_en"]), lang)

    fig, ax = _figure(4.6)
    ax.barh(1, total["value"] / divisor, color=colour, height=0.55)
    ax.annotate(figure_value(total, lang), (total["value"] / divisor, 1), xytext=(4, 0),
                textcoords="offset points", va="center", fontsize=_VALUE_FONTSIZE)
    left, handles = 0.0, []
    sep = "：" if lang == "zh" else ": "
    for i, part in enumerate(parts.itertuples(index=False)):
        shade = _tint(colour, 0.15 + 0.25 * i)
        ax.barh(0, part.value / divisor, left=left, color=shade, height=0.55, edgecolor="white", linewidth=0.8)
        left += part.value / divisor
        name = part.metric if lang == "zh" else part.metric_en
        handles.append(Patch(color=shade, label=f"{name}{sep}{figure_value(part, lang)}"))
    ax.barh(0, remainder / divisor, left=left, color="white", edgecolor=_MUTED, hatch="////", height=0.55,
            linewidth=0.8)
    rest = format_value(remainder, str(total["unit"]), lang=lang, decimals=decimals, unit_en=str(total["unit_en"]))
    handles.append(Patch(facecolor="white", edgecolor=_MUTED, hatch="////",
                         label=f"{label(f'{key}.remainder', lang)}{sep}{rest}"))
    ax.annotate(label(f"{key}.share_note", lang, share=format_value(share.value, "%", lang=lang, decimals=decimals)),
                (0, 0.5), xytext=(2, 0), textcoords="offset points", ha="left", va="center",
                fontsize=_VALUE_FONTSIZE, color=_NOTE)
    ax.set_yticks([1, 0], [label(f"{key}.total", lang), label(f"{key}.itemised", lang)])
    ax.set_ylim(-0.6, 1.5)
    ax.set_xlim(0, total["value"] / divisor * 1.15)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_formatter(_tick_format(lang))
    ax.set_xlabel(label(f"{key}.axis", lang, unit=unit))
    _legend_below(ax, handles, ncol=1)
    return _finish(fig, lang, label(f"{key}.title", lang))


def talent_people(lang: str = "zh") -> Figure:
    """People attracted, elected or staying, coloured by the period each count starts from.

    The counts start at different points (2019年以来, 2020年以来, unstated),
    so the colour keeps a reader from reading them as one series.
    """
    check_lang(lang)
    colour = _colour("talent")
    figs = figures("talent")
    people = figs[figs["unit"] == "人"].reset_index(drop=True)
    periods = list(dict.fromkeys(people["period"].astype(object).where(people["period"].notna(), None)))
    shades = {p: (_tint(colour, 0.45 * i) if p is not None else _MUTED) for i, p in enumerate(periods)}
    keys = people["period"].astype(object).where(people["period"].notna(), None)
    legend = [Patch(color=shades[p], label=format_period(p, lang)) for p in periods]
    return _figure_bars(people, lang, label("charts.talent_people.title", lang), [shades[p] for p in keys],
                        legend=legend)


# ---- 00 overview and 03 openness ---------------------------------------------------

def figures_by_kind(lang: str = "zh") -> Figure:
    """How many figures each indicator's section gives, stacked by kind."""
    check_lang(lang)
    key = "charts.figures_per_indicator"
    names = _names(lang)
    counts = (
        figures().dropna(subset=["indicator_id"])
        .pipe(lambda f: pd.crosstab(f["indicator_id"].astype(str), f["kind"].astype(str)))
        .reindex(index=list(names), columns=list(KIND_COLOURS), fill_value=0)
    )
    wrapped = [wrap(names[i], lang, 12 if lang == "zh" else 28) for i in counts.index]
    fig, ax = _figure(_bars_height(wrapped, extra=2.0))
    y = np.arange(len(counts))
    left = np.zeros(len(counts))
    for kind, colour in KIND_COLOURS.items():
        ax.barh(y, counts[kind], left=left, color=colour, height=0.65, label=format_kind(kind, lang))
        left += counts[kind].to_numpy()
    for yi, total in zip(y, left):
        ax.annotate(f"{int(total)}", (total, yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=_VALUE_FONTSIZE)
    ax.set_yticks(y, wrapped, fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel(label(f"{key}.axis", lang))
    _legend_below(ax, ncol=len(KIND_COLOURS))
    return _finish(fig, lang, label(f"{key}.title", lang))


def openness_context(lang: str = "zh", *, decimals: int = 1) -> Figure:
    """Figures per indicator with openness highlighted and the others' mean marked."""
    check_lang(lang)
    names = _names(lang)
    counts = (figures().dropna(subset=["indicator_id"])["indicator_id"].astype(str)
              .value_counts().reindex(list(names), fill_value=0))
    wrapped = [wrap(names[i], lang, 12 if lang == "zh" else 28) for i in counts.index]
    fig, ax = _figure(_bars_height(wrapped, extra=1.8))
    colours = [_colour(i) if i == "openness" else _MUTED for i in counts.index]
    y = np.arange(len(counts))
    bars = ax.barh(y, counts, color=colours, height=0.65)
    _annotate(ax, bars, [str(int(c)) for c in counts])
    mean = counts.drop("openness").mean()
    ax.axvline(mean, color=_NOTE, linestyle="--", linewidth=1)
    mean_text = format_value(mean, "", lang=lang, decimals=decimals).strip()
    ax.annotate(label("charts.openness_context.mean", lang, mean=mean_text), (mean, 1), xycoords=("data", "axes fraction"),
                xytext=(0, 2), textcoords="offset points", ha="center", va="bottom", fontsize=_VALUE_FONTSIZE,
                color=_NOTE)
    ax.set_yticks(y, wrapped, fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlabel(label("charts.figures_per_indicator.axis", lang))
    return _finish(fig, lang, label("charts.openness_context.title", lang))


def openness_counts(lang: str = "zh") -> Figure:
    """The openness section's only two counts, as printed."""
    check_lang(lang)
    return _figure_bars(figures("openness"), lang, label("charts.openness_counts.title", lang),
                        _colour("openness"))


def evidence_map(lang: str = "zh") -> Figure:
    """Small multiples: one strip per indicator, a line where each figure stands in its section.

    Shared x axis in characters, so a long section with few lines (openness)
    and a dense one (public services) read at a glance; colours are kinds.
    """
    check_lang(lang)
    key = "charts.evidence_map"
    table = indicators()
    figs = figures()
    fig, axes = _figure(1.0 + 0.8 * len(table), width=8.5, nrows=len(table), sharex=True)
    for ax, row in zip(axes, table.itertuples(index=False)):
        length = int(row.section_end - row.section_start)
        mine = figs[figs["indicator_id"] == row.indicator_id]
        ax.barh(0, length, height=1, color="#f0f0f0")
        ax.vlines(mine["start"] - row.section_start, -0.5, 0.5, linewidth=2,
                  colors=[KIND_COLOURS[str(k)] for k in mine["kind"]])
        ax.set_ylim(-0.5, 0.5)
        ax.set_yticks([])
        ax.grid(False)
        ax.spines[["left", "top", "right"]].set_visible(False)
        ax.set_title(label(f"{key}.panel", lang, name=str(row.indicator), name_en=row.indicator_en,
                           n=len(mine), length=length), fontsize="small", loc="left", pad=3)
        ax.spines["bottom"].set_color(_MUTED)
    axes[-1].xaxis.set_major_formatter(_tick_format(lang))
    axes[-1].set_xlabel(label(f"{key}.axis", lang))
    handles = [Patch(color=c, label=format_kind(k, lang)) for k, c in KIND_COLOURS.items()]
    axes[0].legend(handles=handles, ncol=len(handles), loc="lower right", bbox_to_anchor=(1, 1.25),
                   fontsize="small")
    return _finish(fig, lang, label(f"{key}.title", lang))


# ---- 04 public services -----------------------------------------------------------

_SECTOR_PALETTE = "Dark2"  # qualitative, distinct from the indicator and kind colours


def _sector_colours() -> dict[str, str]:
    ids = [e["id"] for e in labels()["public_service_sectors"]]
    cmap = matplotlib.colormaps[_SECTOR_PALETTE]
    return {sector: mcolors.to_hex(cmap(i)) for i, sector in enumerate(ids)}


def public_service_sectors_chart(lang: str = "zh") -> Figure:
    """Every count of the public-services section, coloured by the sector the report puts it under.

    The two rates (general practitioners per 10,000 residents, sports area per
    person) are not counts and stay in the table.
    """
    check_lang(lang)
    figs = figures("public_services").merge(public_service_sectors(), on="figure_id")
    counts = figs[figs["kind"].astype(str) == "level"].reset_index(drop=True)
    colours = _sector_colours()
    sectors = counts.drop_duplicates("sector_id")
    legend = [Patch(color=colours[str(s.sector_id)], label=s.sector if lang == "zh" else s.sector_en)
              for s in sectors.itertuples(index=False)]
    return _figure_bars(counts, lang, label("charts.public_service_sectors.title", lang),
                        [colours[str(s)] for s in counts["sector_id"]], legend=legend)


def public_service_evidence(lang: str = "zh") -> Figure:
    """Figures per public-service sector by kind, plus the satisfaction score the indicator names: none."""
    check_lang(lang)
    key = "charts.public_service_evidence"
    figs = figures("public_services").merge(public_service_sectors(), on="figure_id")
    entries = labels()["public_service_sectors"]
    counts = (pd.crosstab(figs["sector_id"].astype(str), figs["kind"].astype(str))
              .reindex(index=[e["id"] for e in entries], columns=list(KIND_COLOURS), fill_value=0))
    names = [e[lang] for e in entries] + [label(f"{key}.satisfaction", lang)]
    wrapped = [wrap(n, lang, 12 if lang == "zh" else 26) for n in names]
    fig, ax = _figure(_bars_height(wrapped, extra=2.0))
    y = np.arange(len(names))
    left = np.zeros(len(names))
    for kind, colour in KIND_COLOURS.items():
        if counts[kind].sum() == 0:
            continue
        heights = np.append(counts[kind].to_numpy(), 0)
        ax.barh(y, heights, left=left, color=colour, height=0.65, label=format_kind(kind, lang))
        left += heights
    for yi, total in zip(y[:-1], left[:-1]):
        ax.annotate(f"{int(total)}", (total, yi), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=_VALUE_FONTSIZE)
    ax.annotate(f"0  {label(f'{key}.none', lang)}", (0, y[-1]), xytext=(4, 0), textcoords="offset points",
                va="center", fontsize=_VALUE_FONTSIZE, color=_colour("transport"))
    ax.set_yticks(y, wrapped, fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlim(0, left.max() * 1.2)
    ax.set_xlabel(label("charts.figures_per_indicator.axis", lang))
    ax.legend(loc="lower right", fontsize="small")
    return _finish(fig, lang, label(f"{key}.title", lang))


# ---- 05 environment ---------------------------------------------------------------

def air_quality(lang: str = "zh", *, days_in_year: int = DAYS_IN_REPORT_YEAR, decimals: int = 1) -> Figure:
    """Good-air days in the reported year and the year before (implied by the change).

    Each bar is a whole year: the reported year has ``days_in_year`` days
    (the parameter), the year before as many as the calendar gives it.
    """
    check_lang(lang)
    key = "charts.air_quality"
    colour = _colour("environment")
    figs = figures("environment").set_index("figure_id", drop=False)
    rows = _derived(days_in_year=days_in_year)
    days = figs.loc["good_air_days"]
    year = int(days["period"])
    previous = rows.loc["good_air_days_2019"]
    years = [
        (label(f"{key}.implied", lang, year=year - 1), previous.value, 366 if calendar.isleap(year - 1) else 365,
         format_value(previous.value, previous.unit, lang=lang, decimals=decimals, unit_en=previous.unit_en),
         rows.loc["good_air_days_share_2019"], True),
        (label(f"{key}.reported", lang, year=year), days["value"], days_in_year, figure_value(days, lang),
         rows.loc["good_air_days_share"], False),
    ]
    fig, ax = _figure(3.6)
    for y, (_name, good, length, text, share, implied) in enumerate(years):
        bar = ax.barh(y, good, color=colour, height=0.6)
        if implied:
            bar[0].set(**_bound_style(colour))
        other = ax.barh(y, length - good, left=good, color=_MUTED, height=0.6)
        share_text = label(f"{key}.share", lang, share=format_value(share.value, "%", lang=lang, decimals=decimals))
        _annotate(ax, bar, [f"{text}  ·  {share_text}"], inside=True, colour="black" if implied else "white",
                  backed=implied)
        _annotate(ax, other, [format_value(length - good, str(days["unit"]), lang=lang,
                                           unit_en=str(days["unit_en"]))], inside=True)
    ax.set_yticks(range(len(years)), [y[0] for y in years])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, max(y[2] for y in years))
    ax.set_xlabel(label(f"{key}.axis", lang))
    _legend_below(ax, [Patch(color=colour, label=label(f"{key}.good", lang)),
                       Patch(color=_MUTED, label=label(f"{key}.other", lang))])
    return _finish(fig, lang, label(f"{key}.title", lang))


def water_quality(lang: str = "zh") -> Figure:
    """The two water-quality shares on a full 0–100 % axis, the shortfall in grey."""
    check_lang(lang)
    key = "charts.water_quality"
    colour = _colour("environment")
    figs = figures("environment")
    shares = figs[figs["kind"].astype(str) == "share"].reset_index(drop=True)
    names = _metric(shares, lang)
    fig, ax = _figure(_bars_height(names, extra=1.7))
    y = np.arange(len(shares))
    bars = ax.barh(y, shares["value"], color=colour, height=0.6)
    ax.barh(y, 100 - shares["value"], left=shares["value"], color=_MUTED, height=0.6)
    _annotate(ax, bars, [figure_value(r, lang) for r in shares.itertuples(index=False)], inside=True,
              colour="white")
    ax.set_yticks(y, names, fontsize="small")
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, 100)
    ax.set_xlabel(label(f"{key}.axis", lang))
    return _finish(fig, lang, label(f"{key}.title", lang))


#: Meetings and the projects dealt with at them, as the report pairs them.
_LAND_PAIRS = (("joint", "land_joint_meetings", "land_joint_meeting_projects"),
               ("committee", "land_committee_meetings", "land_committee_approved_projects"))


def land_meetings(lang: str = "zh") -> Figure:
    """Meetings held and site-selection projects, for the two land bodies the report names."""
    check_lang(lang)
    key = "charts.land_meetings"
    colour = _colour("environment")
    figs = figures("environment").set_index("figure_id", drop=False)
    used = figs.loc[[i for _, m, p in _LAND_PAIRS for i in (m, p)]]
    fig, ax = _figure(4.2)
    x = np.arange(len(_LAND_PAIRS))
    width = 0.36
    for offset, (column, shade, what) in enumerate(((1, colour, "meetings"), (2, _tint(colour, 0.5), "projects"))):
        rows = [figs.loc[pair[column]] for pair in _LAND_PAIRS]
        bars = ax.bar(x + (offset - 0.5) * width, [r["value"] for r in rows], width=width, color=shade,
                      label=label(f"{key}.{what}", lang))
        for bar, row in zip(bars, rows):
            ax.annotate(figure_value(row, lang), (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        xytext=(0, 3), textcoords="offset points", ha="center", fontsize=_VALUE_FONTSIZE)
    ax.set_xticks(x, [label(f"{key}.{name}", lang) for name, _, _ in _LAND_PAIRS])
    ax.grid(axis="x", visible=False)
    ax.set_ylim(0, used["value"].max() * 1.2)
    ax.set_ylabel(_count_axis(used, lang, log=False))
    ax.legend(fontsize="small")
    return _finish(fig, lang, label(f"{key}.title", lang))


# ---- 06 transport -------------------------------------------------------------------

def freight_by_mode(lang: str = "zh", *, decimals: int = 1) -> Figure:
    """Transport turnover by mode: road and waterway, with rail and air marked as not reported."""
    check_lang(lang)
    key = "charts.freight_by_mode"
    colour = _colour("transport")
    figs = figures("transport").set_index("figure_id", drop=False)
    total = _derived().loc["freight_turnover_total"]
    modes = [("road", figs.loc["road_freight_turnover"]), ("waterway", figs.loc["waterway_freight_turnover"])]
    divisor, unit = _value_scale([r["value"] for _, r in modes], "吨公里", str(modes[0][1]["unit_en"]), lang)
    fig, ax = _figure(3.4)
    y = np.arange(len(modes) + 1)
    bars = ax.barh(y[:-1], [r["value"] / divisor for _, r in modes], color=colour, height=0.6)
    sep = "，" if lang == "zh" else ", "
    texts = [figure_value(r, lang) + sep + label(f"{key}.share", lang, share=format_value(
        r["value"] / total.value * 100, "%", lang=lang, decimals=decimals)) for _, r in modes]
    _annotate(ax, bars, texts)
    ax.annotate(label(f"{key}.not_reported_note", lang), (0, y[-1]), xytext=(4, 0), textcoords="offset points",
                va="center", fontsize=_VALUE_FONTSIZE, color=_NOTE, style="italic")
    ax.set_yticks(y, [label(f"{key}.{m}", lang) for m, _ in modes] + [label(f"{key}.not_reported", lang)])
    ax.set_ylim(y[-1] + 0.5, -0.5)  # top to bottom, with room for the not-reported row
    ax.grid(axis="y", visible=False)
    ax.set_xlim(0, max(r["value"] for _, r in modes) / divisor * 1.5)
    ax.xaxis.set_major_formatter(_tick_format(lang))
    ax.set_xlabel(label(f"{key}.axis", lang, unit=unit))
    return _finish(fig, lang, label(f"{key}.title", lang))


def shipping_network(lang: str = "zh") -> Figure:
    """Routes, partner countries, ports and companies, and the hub list: mostly bounds, so hatched."""
    check_lang(lang)
    figs = figures("transport")
    network = figs[figs["unit"].isin(["条", "个", "家"]) & (figs["kind"].astype(str) == "level")]
    return _figure_bars(network.reset_index(drop=True), lang, label("charts.shipping_network.title", lang),
                        _colour("transport"))


#: Every chart with the notebook that shows it, for tests and for a reader who
#: wants them all: ``{name: (notebook, function)}``.
CHARTS: dict[str, tuple[str, Any]] = {
    "figures_by_kind": ("00_overview", figures_by_kind),
    "evidence_map": ("00_overview", evidence_map),
    "innovation_growth": ("01_innovation", innovation_growth),
    "innovation_counts": ("01_innovation", innovation_counts),
    "talent_funds": ("02_talent", talent_funds),
    "talent_people": ("02_talent", talent_people),
    "openness_context": ("03_openness", openness_context),
    "openness_counts": ("03_openness", openness_counts),
    "public_service_sectors": ("04_public_services", public_service_sectors_chart),
    "public_service_evidence": ("04_public_services", public_service_evidence),
    "air_quality": ("05_environment", air_quality),
    "water_quality": ("05_environment", water_quality),
    "land_meetings": ("05_environment", land_meetings),
    "freight_by_mode": ("06_transport", freight_by_mode),
    "shipping_network": ("06_transport", shipping_network),
}
