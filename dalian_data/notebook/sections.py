"""The tables and paragraphs that every indicator notebook shares, in Chinese or English.

The figure, measure and derived-metric tables (human labels, units in the
cells, provenance in offsets), and the paragraphs each indicator notebook
opens and closes with: what the indicator measures and who leads it, how
the derived metrics are computed, what the report leaves unsaid. Each
notebook's own analysis, charts and findings are in the notebook; values are
written by :mod:`dalian_data.notebook.formatting`.
"""

from __future__ import annotations

import string
from typing import Any

import pandas as pd

from dalian_data import DALIAN_POPULATION_2020, derived, figures, indicators, primary_indicator
from dalian_data.catalogue import catalogue, check_indicator, indicator_ids
from dalian_data.derived_metrics import DAYS_IN_REPORT_YEAR
from dalian_data.notebook.formatting import (
    check_lang,
    figure_value,
    format_kind,
    format_period,
    format_value,
    label,
    labels,
    markdown,
    values,
)

__all__ = [
    "figure_table",
    "measure_table",
    "derived_table",
    "indicator_intro",
    "derived_intro",
    "population_note",
    "unsaid",
    "notebook_name",
]


def _headers(lang: str) -> dict[str, str]:
    return {key: entry[lang] for key, entry in labels()["headers"].items()}


def _derived_value(row: Any, lang: str, decimals: int) -> str:
    return format_value(row.value, row.unit, lang=lang, decimals=decimals, unit_en=row.unit_en)


def figure_table(indicator: str, lang: str = "zh", *, show_quotes: bool = False,
                 decimals: int | None = None) -> pd.DataFrame:
    """The figures of one indicator, each with its value, kind, period and provenance.

    Rows are labelled with the metric's name; the last column holds the
    figure id that derived formulas use. ``quote`` is the
    text exactly as printed and ``report_text()[start:end] == quote``, so a
    reader can check every value against the report; ``show_quotes`` adds the
    whole sentence. ``decimals=None`` keeps the report's precision.
    """
    check_lang(lang)
    h = _headers(lang)
    figs = figures(indicator)
    columns = ["metric", "value", "kind", "period", "quote", "offsets"] + (
        ["sentence"] if show_quotes else []
    ) + ["figure_id"]
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
        .set_index(h["metric"])
    )


def measure_table(indicator: str, lang: str = "zh") -> pd.DataFrame:
    """The policy measures of one indicator, in report order, each with its type and provenance.

    Rows are labelled with the measure: its quote as printed (zh) or its
    English summary (en). ``action`` is the leading verb phrase as printed,
    the type of action is labelled in ``lang`` (:func:`dalian_data.action_types`),
    the figures stated in the measure are named by their metric, and the
    offsets locate the quote: ``report_text()[start:end] == quote``.
    """
    from dalian_data import action_types, measures

    check_lang(lang)
    h = _headers(lang)
    type_labels = action_types().set_index("action_type")[f"label_{lang}"]
    figs = figures().set_index("figure_id")
    names = figs["metric"] if lang == "zh" else figs["metric_en"]
    rows = measures(indicator)
    return (
        rows.assign(
            measure=rows["quote"] if lang == "zh" else rows["summary_en"],
            action_type=rows["action_type"].map(type_labels).astype(str),
            figures_stated=[("、" if lang == "zh" else "; ").join(names[i] for i in ids.split(",")) if ids else ""
                            for ids in rows["figure_ids"]],
            offsets=[f"{a}–{b}" for a, b in zip(rows["start"], rows["end"])],
        )
        .loc[:, ["measure", "action_type", "action", "figures_stated", "offsets"] + ([] if lang == "zh" else ["quote"])]
        .rename(columns=h)
        .set_index(h["measure"])
    )


def derived_table(indicator: str, lang: str = "zh", *, population: int = DALIAN_POPULATION_2020,
                  days_in_year: int = DAYS_IN_REPORT_YEAR, decimals: int = 1) -> pd.DataFrame:
    """The metrics the report implies for one indicator, with formula, inputs and value.

    Rows are labelled with the metric's name; the last column holds its id.
    ``Figures used`` lists the figure ids of :func:`figure_table` the formula
    reads; ``Parameters used`` shows the parameter values it was computed
    with, because those (unlike the figures) are the analyst's choice.
    English adds the catalogue's note on each metric's assumptions.
    """
    check_lang(lang)
    h = _headers(lang)
    params = {"population": population, "days_in_year": days_in_year}
    rows = derived(population=population, days_in_year=days_in_year).query("indicator_id == @indicator")
    columns = ["label", "value", "formula", "inputs", "parameters", "note", "derived_id"]
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
        .set_index(h["label"])
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
        return markdown(label("text.derived_none", lang))
    parts = [label("text.derived_intro", lang, n=len(rows))]
    if rows["parameters"].str.contains("population").any():
        parts.append(population_note(population, lang).data)
    else:
        parts.append(label("text.population_unused", lang))
    return markdown("\n\n".join(parts))


def _indicator_row(indicator: str) -> dict[str, Any]:
    table = indicators()
    row = table[table["indicator_id"] == check_indicator(indicator)].iloc[0]
    return {k: (str(v) if not pd.isna(v) else "") for k, v in row.items()}


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
        f"**{label('headers.note', lang)}**{label('headers.colon', lang)}{row['notes' if lang == 'zh' else 'notes_en']}",
        label("text.figures_intro", lang, n=len(figures(indicator))),
    ]
    return markdown("\n\n".join(p for p in parts if p))


def population_note(population: int, lang: str = "zh"):
    """Which population the per-resident metrics use, citing the census default."""
    check_lang(lang)
    census = catalogue()["population"]
    number = lambda n: f"{n:,}" if lang == "en" else str(n)  # noqa: E731
    text = label("text.population_note", lang, population=number(population), census_year=census["year"])
    if population != DALIAN_POPULATION_2020:
        text += " " + label("text.population_differs", lang, census=number(DALIAN_POPULATION_2020))
    source = census["source"] if lang == "zh" else census["source_en"]
    return markdown(f"{text}\n\n> {source}")


def unsaid(indicator: str, lang: str = "zh", *, population: int = DALIAN_POPULATION_2020,
           days_in_year: int = DAYS_IN_REPORT_YEAR, decimals: int = 1):
    """The closing section: baselines, scopes and comparisons the report does not give.

    The points are written per indicator in labels.toml; the numbers in them
    are filled in from the package, so they always match the tables above.
    """
    check_lang(lang)
    _indicator_row(indicator)
    filled = values(lang, population=population, days_in_year=days_in_year, decimals=decimals)
    formatter = string.Formatter()
    items = [formatter.vformat(entry[lang], (), filled) for entry in labels()["unsaid"][indicator]]
    return markdown("\n".join(f"- {item}" for item in items))


def notebook_name(indicator: str) -> str:
    """The notebook of an indicator: its report position and id, '02_talent'."""
    indicator = check_indicator(indicator)
    return f"{indicator_ids().index(indicator) + 1:02d}_{indicator}"
