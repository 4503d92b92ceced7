"""Tables and text for the notebooks, in Chinese or English.

A notebook should read like a short report, and every number it shows must
come from the package, never be retyped. So everything a notebook shows that
is not a chart is built here: the figure and derived-metric tables with
formatted values and provenance, the generated paragraphs (what an indicator
measures, who leads it, what the report leaves unsaid) and the overview's
tables. Words come from ``data/labels.toml`` (data, so a reviewer can fix a
header without touching code); values come from :func:`dalian_data.figures`
and :func:`dalian_data.derived`.

Values are written the way each language writes them::

    format_value(1.74e9, "元", lang="zh")                     # '17.4亿元'
    format_value(1.74e9, "元", lang="en", unit_en="yuan")     # 'CNY 1.74 bn'
    format_value(700, "家", qualifier="over", lang="en",
                 unit_en="enterprises")                        # 'over 700 enterprises'

With ``decimals=None`` (report figures) the value keeps exactly the precision
the report prints and the scale word that writes it shortest, which is how
the report itself writes it (3500万元, 20793.61万件); with a whole number of
decimals (derived metrics) it is rounded half up to that many places.

This module imports pandas and IPython but not matplotlib.
"""

from __future__ import annotations

import re
import string
import textwrap
import tomllib
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd

from dalian_data import (
    DALIAN_POPULATION_2020,
    aspects,
    derived,
    figures,
    indicators,
    primary_indicator,
    report_text,
)
from dalian_data.catalogue import catalogue
from dalian_data.dtypes import STRING
from dalian_data.derived_metrics import DAYS_IN_REPORT_YEAR
from dalian_data.parameters import LANGUAGES

__all__ = [
    "LANGUAGES",
    "check_lang",
    "labels",
    "label",
    "format_value",
    "format_period",
    "format_kind",
    "figure_value",
    "set_display_options",
    "figure_table",
    "derived_table",
    "derived_intro",
    "pairing_note",
    "indicator_intro",
    "population_note",
    "unsaid",
    "primary_intro",
    "aspects_table",
    "department_map",
    "figure_counts",
    "summary_table",
    "openness_note",
    "unassigned_note",
    "notebook_name",
    "public_service_sectors",
    "wrap",
]


# ---- language and labels ---------------------------------------------------

def check_lang(lang: str) -> str:
    """Return ``lang`` if it is 'zh' or 'en'; else ValueError naming it.

    Every public function of :mod:`present` and :mod:`charts` calls this
    first, so a typo fails at once with a message saying what is allowed
    instead of as a KeyError deep in a lookup.
    """
    if lang not in LANGUAGES:
        allowed = " or ".join(repr(x) for x in LANGUAGES)
        raise ValueError(f"lang {lang!r} is not supported; allowed: {allowed}")
    return lang


@lru_cache(maxsize=1)
def labels() -> dict[str, Any]:
    """The parsed ``data/labels.toml``; treat it as read-only (it is cached)."""
    raw = resources.files("dalian_data").joinpath("data/labels.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def label(key: str, lang: str, **fields: Any) -> str:
    """The text at dotted ``key`` of labels.toml in ``lang``, with ``fields`` filled in.

    ``label("charts.talent_funds.title", "en")``. A missing key raises a
    KeyError naming it, so a typo in a chart never shows up as a blank title.
    """
    check_lang(lang)
    node: Any = labels()
    for part in key.split("."):
        try:
            node = node[part]
        except (KeyError, TypeError):
            raise KeyError(f"labels.toml has no entry {key!r}") from None
    text = node[lang]
    return text.format(**fields) if fields else text


def _headers(lang: str) -> dict[str, str]:
    return {key: entry[lang] for key, entry in labels()["headers"].items()}


def wrap(text: str, lang: str, width: int | None = None) -> str:
    """Break a long label into lines for a chart axis.

    Chinese has no spaces and each character is about twice as wide as a
    Latin letter, so it wraps at about half the character count, into lines
    of even length (万人有效发明 / 专利拥有量, not a lone last character).
    """
    check_lang(lang)
    text = str(text)
    width = width or (14 if lang == "zh" else 30)
    if lang == "zh" and len(text) > width:
        lines = -(-len(text) // width)
        width = -(-len(text) // lines)
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False)) or text


# ---- writing values --------------------------------------------------------

def _decimal(value: float) -> Decimal:
    """The float as the shortest decimal that round-trips (repr), not its binary expansion."""
    return Decimal(repr(float(value)))


def _digits(number: Decimal, decimals: int | None, lang: str) -> str:
    """Digits of ``number``: exact (``None``) or rounded half up; thousands separators in English."""
    if decimals is None:
        number = number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(number, ",f" if lang == "en" else "f")
    return "0" if text in ("-0", "") else text


def _scaled(value: float, decimals: int | None, lang: str) -> tuple[str, dict[str, Any] | None]:
    """The value's digits and the scale entry (万/亿, million/billion) that writes it.

    Exact (``decimals=None``): the candidate with the fewest digits, so
    3500万 stays 3500万 and 25825 stays 25825. On a tie Chinese keeps the
    smaller scale, as the report does (20793.61万件), and English the larger,
    as English prose does (CNY 1.74 bn, not CNY 1,740 m).
    Rounded: plain below 100,000, else the largest scale with a mantissa of
    at least 1 (so 18068 is not squashed to 1.8万). A value that is exactly a
    whole number is written without decimals (302天, not 302.0天).
    """
    number = _decimal(value)
    scales = sorted(labels()["scales"][lang], key=lambda s: s["factor"])
    if decimals is None:
        best = (_digits(number, None, lang), None)
        for scale in scales:
            mantissa = number.scaleb(-scale["factor"])
            if abs(mantissa) < 1:
                continue
            digits = _digits(mantissa, None, lang)
            shorter = _count_digits(digits) - _count_digits(best[0])
            if shorter < 0 or (shorter == 0 and lang == "en"):
                best = (digits, scale)
        return best
    usable = [s for s in scales if abs(number.scaleb(-s["factor"])) >= 1]
    scale = usable[-1] if usable and abs(number) >= 100_000 else None
    mantissa = number.scaleb(-scale["factor"]) if scale else number
    if mantissa == mantissa.to_integral_value():
        decimals = 0  # an exact whole number gains nothing from ".0"
    return _digits(mantissa, decimals, lang), scale


def _count_digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def format_value(
    value: float,
    unit: str,
    *,
    lang: str = "zh",
    qualifier: str = "exact",
    decimals: int | None = None,
    unit_en: str | None = None,
    signed: bool = False,
) -> str:
    """Write a value with its unit and qualifier as a reader of ``lang`` expects.

    ``unit`` is the package's base unit (元, 人, %, 吨公里 …); ``unit_en`` its
    English word for this figure (defaults to the catalogue's). ``qualifier``
    is exact/over/about/nearly. ``signed`` puts a + before positive growth
    and change figures. See the module docstring for ``decimals``.
    """
    check_lang(lang)
    qualifiers = labels()["qualifiers"]
    if qualifier not in qualifiers:
        raise ValueError(f"qualifier {qualifier!r} is not valid; allowed: {', '.join(qualifiers)}")
    digits, scale = _scaled(value, decimals, lang)
    sign = "+" if signed and value > 0 else ""
    if lang == "zh":
        shown_unit = labels()["unit_display"]["zh"].get(unit, unit)
        body = f"{sign}{digits}{scale['word'] if scale else ''}{shown_unit}"
    else:
        body = _english(sign + digits, scale, unit, unit_en)
    return qualifiers[qualifier][lang].format(body)


def _english(digits: str, scale: dict[str, Any] | None, unit: str, unit_en: str | None) -> str:
    """English value text: 'CNY 1.74 bn', '5.11 million TEU', '7%', '45 platforms'."""
    display = labels()["unit_display"]["en"]
    word = unit_en if unit_en is not None else catalogue()["units"].get(unit, {}).get("en", unit)
    if unit == "%":
        return f"{digits}{scale['word'] + ' ' if scale else ''}%"
    if word == display["money_word"] or word.startswith(display["money_word"] + " "):
        rest = word[len(display["money_word"]):]
        return " ".join(filter(None, [display["money_prefix"], digits, scale["money"] if scale else ""])) + rest
    if word in display["hidden"]:
        word = ""
    return " ".join(filter(None, [digits, scale["word"] if scale else "", word]))


_PERIOD = re.compile(r"^(?P<year>\d{4})(?P<since>[–-])?$")


def format_period(period: Any, lang: str) -> str:
    """'2020' → 2020年 / 2020; '2019–' → 2019年以来 / since 2019; missing → 未注明 / not stated."""
    check_lang(lang)
    periods = labels()["periods"]
    if period is None or pd.isna(period):
        return periods["none"][lang]
    match = _PERIOD.match(str(period))
    if not match:
        return str(period)
    key = "since" if match["since"] else "year"
    return periods[key][lang].format(year=match["year"])


def format_kind(kind: str, lang: str) -> str:
    """The word for a figure's kind (level, growth, change, share, rate)."""
    check_lang(lang)
    return labels()["kinds"][str(kind)][lang]


def figure_value(row: Any, lang: str, decimals: int | None = None) -> str:
    """Format one row of :func:`figures` as the report prints it (growth and change signed)."""
    return format_value(
        row.value, row.unit, lang=lang, qualifier=str(row.qualifier), decimals=decimals,
        unit_en=row.unit_en, signed=str(row.kind) in ("growth", "change"),
    )


def _derived_value(row: Any, lang: str, decimals: int) -> str:
    return format_value(row.value, row.unit, lang=lang, decimals=decimals, unit_en=row.unit_en)


# ---- display -----------------------------------------------------------------

def set_display_options() -> None:
    """Show whole quotes and sentences, all rows, no wrapping of wide tables.

    Set once in each notebook's setup cell; the values are fixed so the
    stored text outputs do not depend on the machine that ran them.
    """
    for option, value in {
        "display.max_colwidth": None,
        "display.max_rows": 200,
        "display.max_columns": 50,
        "display.width": 250,
        "display.show_dimensions": False,
    }.items():
        pd.set_option(option, value)


def _md(text: str):
    """An IPython Markdown object, so a notebook cell can end with the call."""
    from dalian_data.extras import needs_extra

    with needs_extra("dalian_data.present", "notebooks"):
        from IPython.display import Markdown

    return Markdown(text)


# ---- per-indicator tables ----------------------------------------------------

def figure_table(indicator: str, lang: str = "zh", *, show_quotes: bool = False,
                 decimals: int | None = None) -> pd.DataFrame:
    """The figures of one indicator, each with its value, kind, period and provenance.

    Indexed by figure id (the ids the derived formulas use). ``quote`` is the
    text exactly as printed and ``report_text()[start:end] == quote``, so a
    reader can check every value against the report; ``show_quotes`` adds the
    whole sentence. ``decimals=None`` keeps the report's precision.
    """
    check_lang(lang)
    h = _headers(lang)
    figs = figures(indicator)
    columns = ["figure_id", "metric", "value", "kind", "period", "quote", "offsets"] + (
        ["sentence"] if show_quotes else []
    )
    return (
        figs.assign(
            metric=figs["metric"] if lang == "zh" else figs["metric_en"],
            value=[figure_value(row, lang, decimals) for row in figs.itertuples(index=False)],
            kind=[format_kind(k, lang) for k in figs["kind"]],
            period=[format_period(p, lang) for p in figs["period"]],
            offsets=[f"{a}–{b}" for a, b in zip(figs["start"], figs["end"])],
        )
        .loc[:, columns]
        .rename(columns=h)
        .set_index(h["figure_id"])
    )


def derived_table(indicator: str, lang: str = "zh", *, population: int = DALIAN_POPULATION_2020,
                  days_in_year: int = DAYS_IN_REPORT_YEAR, decimals: int = 1) -> pd.DataFrame:
    """The metrics the report implies for one indicator, with formula, inputs and value.

    ``Figures used`` lists the figure ids of :func:`figure_table` the formula
    reads; ``Parameters used`` shows the parameter values it was computed
    with, because those (unlike the figures) are the analyst's choice.
    English adds the catalogue's note on each metric's assumptions.
    """
    check_lang(lang)
    h = _headers(lang)
    params = {"population": population, "days_in_year": days_in_year}
    rows = derived(population=population, days_in_year=days_in_year).query("indicator_id == @indicator")
    columns = ["derived_id", "label", "formula", "inputs", "parameters", "value", "note"]
    return (
        rows.assign(
            label=rows["label"] if lang == "zh" else rows["label_en"],
            inputs=rows["inputs"].str.replace(",", ", ", regex=False),
            parameters=[", ".join(f"{p} = {params[p]}" for p in ps.split(",") if p) for ps in rows["parameters"]],
            value=[_derived_value(row, lang, decimals) for row in rows.itertuples(index=False)],
            note=(rows["note"] if lang == "zh" else rows["note_en"]).fillna(""),
        )
        .loc[:, columns]
        .rename(columns=h)
        .set_index(h["derived_id"])
    )


def derived_intro(indicator: str, lang: str = "zh", *, population: int = DALIAN_POPULATION_2020):
    """How many metrics the report implies for the indicator, and which population they use.

    The population note (with its census citation) appears when one of the
    indicator's formulas reads ``population``; otherwise the text says the
    parameter has no effect here.
    """
    check_lang(lang)
    _indicator_row(indicator)
    rows = derived().query("indicator_id == @indicator")
    if rows.empty:
        return _md(label("text.derived_none", lang))
    parts = [label("text.derived_intro", lang, n=len(rows))]
    if rows["parameters"].str.contains("population").any():
        parts.append(population_note(population, lang).data)
    else:
        parts.append(label("text.population_unused", lang))
    return _md("\n\n".join(parts))


def pairing_note(lang: str = "zh"):
    """The caveat that departments are paired with indicators by order only."""
    return _md("> " + label("text.pairing_caveat", lang))


def _indicator_row(indicator: str) -> dict[str, Any]:
    table = indicators()
    match = table[table["indicator_id"] == indicator]
    if match.empty:
        valid = ", ".join(table["indicator_id"].astype(str))
        raise ValueError(f"indicator {indicator!r} is not valid; valid ids: {valid}")
    return {k: (str(v) if not pd.isna(v) else "") for k, v in match.iloc[0].items()}


def indicator_intro(indicator: str, lang: str = "zh"):
    """What the indicator measures, where it sits, who leads it, and how we know.

    The department pairing is stated with its caveat: the report lists the
    departments in the order of its sections but never pairs them.
    """
    check_lang(lang)
    row = _indicator_row(indicator)
    primary = primary_indicator()
    fields = {**row, "n": len(indicators()), "primary": primary["name"], "primary_en": primary["name_en"],
              "evaluation": primary["evaluation"], "evaluation_en": primary["evaluation_en"]}
    parts = [
        label("text.indicator_measures", lang, **fields),
        label("text.indicator_primary", lang, **fields),
        label("text.indicator_lead", lang, **fields),
        "> " + label("text.pairing_caveat", lang),
        f"**{label('headers.note', lang)}:** {row['notes' if lang == 'zh' else 'notes_en']}",
        label("text.figures_intro", lang, n=len(figures(indicator))),
    ]
    return _md("\n\n".join(p for p in parts if p))


def population_note(population: int, lang: str = "zh"):
    """Which population the per-resident metrics use, citing the census default."""
    check_lang(lang)
    census = catalogue()["population"]
    number = lambda n: f"{n:,}" if lang == "en" else str(n)  # noqa: E731
    text = label("text.population_note", lang, population=number(population), census_year=census["year"])
    if population != DALIAN_POPULATION_2020:
        text += " " + label("text.population_differs", lang, census=number(DALIAN_POPULATION_2020))
    source = census["source"] if lang == "zh" else census["source_en"]
    return _md(f"{text}\n\n> {source}")


class _Filled:
    """A figure or derived metric that a labels.toml template can format.

    ``{id}`` gives the value as printed, ``{id:period}`` the period and
    ``{id:quote}`` the quote, so templates never hold a number themselves.
    """

    def __init__(self, row: Any, lang: str, decimals: int, is_figure: bool) -> None:
        self.row, self.lang, self.decimals, self.is_figure = row, lang, decimals, is_figure

    def __format__(self, spec: str) -> str:
        if spec == "period" and self.is_figure:
            return format_period(self.row.period, self.lang)
        if spec == "quote" and self.is_figure:
            return str(self.row.quote)
        if spec:
            raise ValueError(f"unknown template field format {spec!r}; use '', 'period' or 'quote'")
        if self.is_figure:
            return figure_value(self.row, self.lang)
        return _derived_value(self.row, self.lang, self.decimals)


def _template_values(lang: str, population: int, days_in_year: int, decimals: int) -> dict[str, _Filled]:
    values = {row.figure_id: _Filled(row, lang, decimals, True) for row in figures().itertuples(index=False)}
    for row in derived(population=population, days_in_year=days_in_year).itertuples(index=False):
        values[row.derived_id] = _Filled(row, lang, decimals, False)
    return values


def unsaid(indicator: str, lang: str = "zh", *, population: int = DALIAN_POPULATION_2020,
           days_in_year: int = DAYS_IN_REPORT_YEAR, decimals: int = 1):
    """The closing section: baselines, scopes and comparisons the report does not give.

    The points are written per indicator in labels.toml; the numbers in them
    are filled in from the package, so they always match the tables above.
    """
    check_lang(lang)
    _indicator_row(indicator)
    values = _template_values(lang, population, days_in_year, decimals)
    formatter = string.Formatter()
    items = [formatter.vformat(entry[lang], (), values) for entry in labels()["unsaid"][indicator]]
    return _md("\n".join(f"- {item}" for item in items))


def openness_note(lang: str = "zh", decimals: int = 1):
    """How thin the openness section is next to the others, in numbers from the data."""
    check_lang(lang)
    counts = figures().dropna(subset=["indicator_id"]).groupby("indicator_id", observed=False).size()
    others = counts.drop("openness")
    mean = format_value(others.mean(), "", lang=lang, decimals=decimals).strip()
    return _md(label("text.openness_thin", lang, n=int(counts["openness"]), total=len(counts), m=len(others),
                     mean=mean))


# ---- public-service sectors -------------------------------------------------

def public_service_sectors() -> pd.DataFrame:
    """Each public-service figure with the sector the report discusses it under.

    The section walks through culture, health care, education, elderly care
    and sports, each opened by a phrase (labels.toml ``public_service_sectors``).
    The phrases are located in the report and a figure belongs to the last
    one before it, so the grouping is read from the text, not asserted.
    """
    text = report_text()
    section = indicators().set_index("indicator_id").loc["public_services"]
    entries = labels()["public_service_sectors"]
    starts = []
    for entry in entries:
        pos = text.find(entry["anchor"], int(section["section_start"]), int(section["section_end"]))
        if pos < 0:
            raise ValueError(f"sector anchor {entry['anchor']!r} is not in the public-services section")
        starts.append(pos)
    if starts != sorted(starts):
        raise ValueError("public_service_sectors in labels.toml must be in report order")
    figs = figures("public_services")
    which = [max(i for i, s in enumerate(starts) if s <= start) if start >= starts[0] else 0
             for start in figs["start"]]
    order = [e["id"] for e in entries]
    return pd.DataFrame({
        "figure_id": figs["figure_id"],
        "sector_id": pd.Categorical([order[i] for i in which], categories=order, ordered=True),
        "sector": pd.array([entries[i]["zh"] for i in which], dtype=STRING),
        "sector_en": pd.array([entries[i]["en"] for i in which], dtype=STRING),
        "anchor_start": pd.array([starts[i] for i in which], dtype="int64"),
    })


# ---- overview -----------------------------------------------------------------

def notebook_name(indicator: str) -> str:
    """The notebook of an indicator: its report position and id, '02_talent'."""
    ids = [str(i) for i in indicators()["indicator_id"]]
    if indicator not in ids:
        raise ValueError(f"indicator {indicator!r} is not valid; valid ids: {', '.join(ids)}")
    return f"{ids.index(indicator) + 1:02d}_{indicator}"


def primary_intro(lang: str = "zh"):
    """The primary indicator and its three aspects, with the caveat that they are not mapped."""
    check_lang(lang)
    primary = primary_indicator()
    text = label("text.primary_intro", lang, **primary, n_aspects=len(aspects()), n_departments=len(indicators()))
    names = label("text.joiner", lang).join(aspects()["aspect"])
    parts = [text, label("text.primary_not_printed", lang, name=primary["name"], aspects=names),
             label("text.aspects_caveat", lang)]
    return _md("\n\n".join(parts))


def aspects_table(lang: str = "zh") -> pd.DataFrame:
    """The aspects named in the introduction, with their offsets (no indicator column on purpose)."""
    check_lang(lang)
    h = _headers(lang)
    table = aspects()
    columns = ["aspect_id", "aspect", "aspect_zh", "offsets"] if lang == "en" else ["aspect_id", "aspect", "offsets"]
    return (
        table.assign(
            aspect_zh=table["aspect"],
            aspect=table["aspect"] if lang == "zh" else table["aspect_en"],
            offsets=[f"{a}–{b}" for a, b in zip(table["start"], table["end"])],
        )
        .loc[:, columns]
        .rename(columns=h)
        .set_index(h["aspect_id"])
    )


def department_map(lang: str = "zh") -> pd.DataFrame:
    """Indicator ↔ lead department, with where the department is named in the introduction.

    The pairing follows the order of the introduction (see
    :func:`dalian_data.indicators`); the offsets let a reader check that order.
    """
    check_lang(lang)
    h = _headers(lang)
    table = indicators()
    columns = (["indicator_id", "indicator", "lead_department", "department_offsets"] if lang == "zh" else
               ["indicator_id", "indicator", "indicator_zh", "lead_department", "lead_department_zh",
                "department_offsets"])
    return (
        table.assign(
            indicator_id=table["indicator_id"].astype(STRING),
            indicator_zh=table["indicator"].astype(STRING),
            indicator=table["indicator"].astype(STRING) if lang == "zh" else table["indicator_en"],
            lead_department_zh=table["lead_department"],
            lead_department=table["lead_department"] if lang == "zh" else table["lead_department_en"],
            department_offsets=[f"{a}–{b}" for a, b in
                                zip(table["lead_department_start"], table["lead_department_end"])],
        )
        .loc[:, columns]
        .rename(columns=h)
        .set_index(h["indicator_id"])
    )


def _indicator_names(lang: str) -> dict[str, str]:
    table = indicators()
    names = table["indicator"].astype(STRING) if lang == "zh" else table["indicator_en"]
    return dict(zip(table["indicator_id"].astype(str), names))


def figure_counts(lang: str = "zh") -> pd.DataFrame:
    """Figures per indicator and kind, with totals; the headline and introduction get their own row.

    Every figure of the report is counted once, so the grand total equals
    ``len(figures())``.
    """
    check_lang(lang)
    h = _headers(lang)
    figs = figures()
    names = {**_indicator_names(lang), "": h["unassigned"]}
    kinds = list(labels()["kinds"])
    rows = figs["indicator_id"].astype(STRING).fillna("")
    table = (
        pd.crosstab(rows, figs["kind"].astype(STRING))
        .reindex(index=list(names), columns=kinds, fill_value=0)
        .rename(index=names, columns={k: format_kind(k, lang) for k in kinds})
    )
    table[h["total"]] = table.sum(axis=1)
    table.loc[h["total"]] = table.sum(axis=0)
    table.index.name = h["indicator"]
    table.columns.name = h["kind"]
    return table.astype("int64")


def summary_table(lang: str = "zh", *, population: int = DALIAN_POPULATION_2020, days_in_year: int = DAYS_IN_REPORT_YEAR
                  ) -> pd.DataFrame:
    """One row per indicator: lead department, how many figures, how many are dated or bounds, notebook.

    Embedded by the HTML report's index (the overview cell tagged
    ``summary``), so it is a plain DataFrame: its HTML is the same on every run.
    """
    check_lang(lang)
    h = _headers(lang)
    table = indicators()
    figs = figures().dropna(subset=["indicator_id"])
    per = figs.assign(
        dated=figs["period"].notna(),
        bound=figs["qualifier"].astype(STRING) != "exact",
        growth=figs["kind"].astype(STRING).isin(["growth", "change"]),
    ).groupby("indicator_id", observed=False).agg(
        figures=("figure_id", "size"), dated=("dated", "sum"), bounds=("bound", "sum"), growth=("growth", "sum"),
    )
    n_derived = (derived(population=population, days_in_year=days_in_year)
                 .groupby("indicator_id", observed=False).size().rename("derived"))
    ids = table["indicator_id"].astype(str)
    return (
        per.join(n_derived)
        .set_axis(list(per.index.astype(str)))
        .reindex(ids)
        .assign(
            indicator=list(_indicator_names(lang).values()),
            lead_department=list(table["lead_department_short"] if lang == "zh" else table["lead_department_en"]),
            notebook=[notebook_name(i) for i in ids],
        )
        .loc[:, ["indicator", "lead_department", "figures", "derived", "dated", "bounds", "growth", "notebook"]]
        .astype({c: "int64" for c in ["figures", "derived", "dated", "bounds", "growth"]})
        .rename(columns=h)
        .rename_axis(h["indicator_id"])
    )


def unassigned_note(lang: str = "zh"):
    """How many figures belong to no indicator (headline and introduction)."""
    check_lang(lang)
    return _md(label("text.unassigned_note", lang, n=int(figures()["indicator_id"].isna().sum())))
