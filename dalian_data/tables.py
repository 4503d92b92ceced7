"""The report as tidy tables: indicators, figures and their provenance.

Each table is built once (cached) from two inputs only: the report text and
the catalogue. Values, units, qualifiers, kinds, periods and offsets come from
:func:`dalian_data.quantities` reading the text; the catalogue adds ids and
labels. Callers get copies, so editing a returned frame never changes the
next call's result.

Like seaborn's ``load_dataset``, the loader sets categorical order (report
order of the indicators), so plots and groupbys come out in the order the
report tells them without every caller fixing it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pandas as pd

from dalian_data.catalogue import CatalogueError, catalogue, check_indicator, unit_en
from dalian_data.dtypes import strings
from dalian_data.extract import quantities, sentence_spans
from dalian_data.source import report_text

__all__ = ["indicators", "figures", "non_figures", "primary_indicator", "aspects", "indicator_dtypes"]

def indicator_dtypes() -> tuple[pd.CategoricalDtype, pd.CategoricalDtype]:
    """Ordered categories of indicator ids and Chinese names, in report order."""
    entries = catalogue()["indicators"]
    return (
        pd.CategoricalDtype([e["id"] for e in entries], ordered=True),
        pd.CategoricalDtype([e["name"] for e in entries], ordered=True),
    )


def _find(text: str, needle: str, start: int = 0) -> int:
    pos = text.find(needle, start)
    if pos < 0:
        raise CatalogueError(f"{needle!r} does not occur in the report after offset {start}")
    return pos


@lru_cache(maxsize=1)
def _indicators() -> pd.DataFrame:
    text = report_text()
    entries = catalogue()["indicators"]
    starts = [_find(text, e["heading"]) for e in entries]
    ends = [s - 1 for s in starts[1:]] + [len(text)]  # up to the newline before the next heading
    intro = _find(text, "围绕")
    lead_starts = []
    for e in entries:  # the introduction lists the departments in indicator order
        lead_starts.append(_find(text, e["lead_department"], lead_starts[-1] + 1 if lead_starts else intro))
    id_dtype, name_dtype = indicator_dtypes()
    return pd.DataFrame({
        "indicator_id": pd.Categorical([e["id"] for e in entries], dtype=id_dtype),
        "indicator": pd.Categorical([e["name"] for e in entries], dtype=name_dtype),
        "indicator_en": strings(e["name_en"] for e in entries),
        "lead_department": strings(e["lead_department"] for e in entries),
        "lead_department_short": strings(e["lead_department_short"] for e in entries),
        "lead_department_en": strings(e["lead_department_en"] for e in entries),
        "description": strings(e["description"] for e in entries),
        "description_en": strings(e["description_en"] for e in entries),
        "notes": strings(e["notes"] for e in entries),
        "notes_en": strings(e["notes_en"] for e in entries),
        "heading": strings(e["heading"] for e in entries),
        "section_start": pd.array(starts, dtype="int64"),
        "section_end": pd.array(ends, dtype="int64"),
        "lead_department_start": pd.array(lead_starts, dtype="int64"),
        "lead_department_end": pd.array([s + len(e["lead_department"]) for s, e in zip(lead_starts, entries)],
                                        dtype="int64"),
    })


def indicators() -> pd.DataFrame:
    """The six secondary indicators, one row each, in report order.

    The report lists departments and indicators in the same order but never
    pairs them explicitly: the pairing here follows that order.

    Returns
    -------
    indicators : pandas.DataFrame
        Six rows, keyed by ``indicator_id``; its columns are described once,
        in ``dalian_data/data/fields.toml`` (table ``indicators``).
        ``section_start``/``section_end`` delimit each indicator's section in
        :func:`report_text`; ``lead_department_start``/``_end`` locate the
        lead department in the introduction.

    See Also
    --------
    figures : the figures of one indicator or all.
    measures : the policy measures of one indicator or all.

    Examples
    --------
    >>> import dalian_data as dd
    >>> table = dd.indicators()
    >>> table.shape
    (6, 15)
    >>> table["indicator_id"].tolist()
    ['innovation', 'talent', 'openness', 'public_services', 'environment', 'transport']
    >>> row = table.set_index("indicator_id").loc["talent"]
    >>> row.lead_department
    '市人力资源社会保障局'
    >>> dd.report_text()[row.lead_department_start:row.lead_department_end]
    '市人力资源社会保障局'
    """
    return _indicators().copy()


def primary_indicator() -> dict[str, Any]:
    """The primary indicator 包容普惠创新 and the evaluation it belongs to.

    Returns
    -------
    primary : dict
        ``id``, ``name`` (包容普惠创新), ``name_en``, ``evaluation``
        (中国营商环境评价), ``evaluation_en``, ``description_en`` and
        ``note_en`` (the report never prints the name itself). A new dict on
        each call, so changing it changes nothing else.

    See Also
    --------
    aspects : the three aspects its name abbreviates.
    indicators : its six secondary indicators.

    Examples
    --------
    >>> import dalian_data as dd
    >>> primary = dd.primary_indicator()
    >>> primary["name"], primary["evaluation"]
    ('包容普惠创新', '中国营商环境评价')
    >>> primary["name"] in dd.report_text()
    False
    """
    return dict(catalogue()["primary"])


def aspects() -> pd.DataFrame:
    """The three aspects named in the introduction, with their offsets.

    The report does not say which secondary indicator serves which aspect,
    so this table has no indicator column.

    Returns
    -------
    aspects : pandas.DataFrame
        Three rows in report order: ``aspect_id``, ``aspect`` (as printed),
        ``aspect_en``, and ``start``/``end``, offsets into
        :func:`report_text` (``report_text()[start:end] == aspect``).

    See Also
    --------
    primary_indicator : the primary indicator whose name they make up.

    Examples
    --------
    >>> import dalian_data as dd
    >>> table = dd.aspects()
    >>> table["aspect"].tolist()
    ['包容合作', '普惠利民', '创新引领']
    >>> row = table.iloc[0]
    >>> dd.report_text()[row.start:row.end]
    '包容合作'
    """
    text = report_text()
    entries = catalogue()["aspects"]
    starts = [_find(text, e["name"]) for e in entries]
    return pd.DataFrame({
        "aspect_id": strings(e["id"] for e in entries),
        "aspect": strings(e["name"] for e in entries),
        "aspect_en": strings(e["name_en"] for e in entries),
        "start": pd.array(starts, dtype="int64"),
        "end": pd.array([s + len(e["name"]) for s, e in zip(starts, entries)], dtype="int64"),
    })


@lru_cache(maxsize=1)
def _report_quantities() -> pd.DataFrame:
    return quantities(report_text())


def _locate(found: pd.DataFrame, entries: list[dict]) -> list[int]:
    """Row positions in ``found`` of each catalogue entry's quote and occurrence."""
    by_quote: dict[str, list[int]] = {}
    for pos, quote in enumerate(found["quote"]):
        by_quote.setdefault(quote, []).append(pos)
    rows = []
    for entry in entries:
        occurrence = entry.get("occurrence", 1)
        hits = by_quote.get(entry["quote"], [])
        if len(hits) < occurrence:
            label = entry.get("id", entry["quote"])
            raise CatalogueError(
                f"catalogue entry {label!r}: the extractor finds {len(hits)} quantity(ies) quoted "
                f"{entry['quote']!r} in the report, so occurrence {occurrence} does not exist"
            )
        rows.append(hits[occurrence - 1])
    return rows


@lru_cache(maxsize=1)
def _figures() -> pd.DataFrame:
    text = report_text()
    entries = catalogue()["figures"]
    found = _report_quantities().iloc[_locate(_report_quantities(), entries)].reset_index(drop=True)
    id_dtype, name_dtype = indicator_dtypes()
    names = dict(zip(id_dtype.categories, name_dtype.categories))
    ids = [e.get("indicator") for e in entries]
    spans = sentence_spans(text, found["start"])
    frame = pd.DataFrame({
        "figure_id": strings(e["id"] for e in entries),
        "indicator_id": pd.Categorical(ids, dtype=id_dtype),
        "indicator": pd.Categorical([names.get(i) for i in ids], dtype=name_dtype),
        "metric": strings(e["metric"] for e in entries),
        "metric_en": strings(e["metric_en"] for e in entries),
        "value": found["value"],
        "upper": found["upper"],
        "unit": found["unit"],
        "unit_en": strings(e.get("unit_en") or unit_en(u) for e, u in zip(entries, found["unit"])),
        "qualifier": found["qualifier"],
        "kind": found["kind"],
        "period": found["period"],
        "period_start": found["period_start"],
        "period_end": found["period_end"],
        "base": found["base"],
        "quote": found["quote"],
        "start": found["start"],
        "end": found["end"],
        "sentence": strings(text[a:b] for a, b in spans),
    })
    unknown = set(ids) - set(id_dtype.categories) - {None}
    if unknown:
        raise CatalogueError(f"figures name unknown indicators {sorted(unknown)}; valid: {list(id_dtype.categories)}")
    return frame


def figures(indicator: str | None = None) -> pd.DataFrame:
    """Every figure of the report, one row each, in report order.

    Values are read from the text by :func:`quantities`, never typed: the
    catalogue (``dalian_data/data/catalogue.toml``) gives each figure its id,
    labels and the characters it quotes.

    Parameters
    ----------
    indicator : str or None, default None
        An indicator id (see :func:`indicators`) or its Chinese name;
        ``None`` returns all figures, including those of the headline and
        introduction, which belong to no indicator (missing
        ``indicator_id``).

    Returns
    -------
    figures : pandas.DataFrame
        One row per figure, index 0..n-1, keyed by ``figure_id``; its columns
        are described once, in ``dalian_data/data/fields.toml`` (table
        ``figures``). Each row's ``report_text()[start:end] == quote``.

    Raises
    ------
    ValueError
        When ``indicator`` is neither an indicator id, nor an indicator's
        Chinese name, nor None; the message lists the valid ids.

    See Also
    --------
    non_figures : quantities of the report that are not figures.
    derived : metrics computed from the figures.

    Examples
    --------
    >>> import dalian_data as dd
    >>> dd.figures().shape
    (67, 19)
    >>> dd.figures("talent").shape == dd.figures("人才流动便利度").shape == (12, 19)
    True
    >>> row = dd.figures().set_index("figure_id").loc["talent_funds_total"]
    >>> float(row.value), row.unit, row.quote
    (1740000000.0, '元', '17.4亿元')
    >>> dd.report_text()[row.start:row.end] == row.quote
    True
    """
    frame = _figures()
    if indicator is None:
        return frame.copy()
    wanted = check_indicator(indicator)
    return frame[frame["indicator_id"] == wanted].reset_index(drop=True)


def non_figures() -> pd.DataFrame:
    """Quantities the extractor finds that are not figures, with the reason.

    Together with :func:`figures` they account for every quantity that
    :func:`quantities` finds in the report.

    Returns
    -------
    non_figures : pandas.DataFrame
        One row each, in report order: ``quote``, ``start``, ``end``
        (offsets into :func:`report_text`), ``value``, ``unit`` as the
        extractor reads them, and ``reason``, why the quantity is no figure.

    See Also
    --------
    figures : the quantities that are figures.
    skipped_quantities : numbers the extractor cannot hold at all.

    Examples
    --------
    >>> import dalian_data as dd
    >>> table = dd.non_figures()
    >>> table.columns.tolist()
    ['quote', 'start', 'end', 'value', 'unit', 'reason']
    >>> table.loc[0, "quote"], float(table.loc[0, "value"])
    ('一人', 1.0)
    """
    entries = catalogue().get("non_figures", [])
    found = _report_quantities().iloc[_locate(_report_quantities(), entries)].reset_index(drop=True)
    return found[["quote", "start", "end", "value", "unit"]].assign(
        reason=strings(e["reason"] for e in entries)
    )
