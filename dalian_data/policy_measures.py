"""What the report says was done: its policy measures, as data.

Most of the report is not numbers but a list of actions: 下放高新技术企业认定等审批权限,
建立河流断面超标补偿制度, 推动出台中欧班列支持政策 … :func:`measures` gives one
row per measure, in report order, with its quote, offsets, sentence, the verb
naming the action, a type from a small taxonomy (:func:`action_types`) and a
short English summary. The catalogue is hand-written in
``data/measures.toml`` (ids, quotes, actions, types, summaries); offsets,
sentences and figures are found by code, so the file cannot drift from the
text.

**Clauses.** A *clause* is a maximal run of characters of the report
between two clause delimiters: the sentence ends of
:func:`dalian_data.extract.sentence_spans` (。！？!? and the line break) and
the commas and semicolons ，,；; . Delimiters inside quotation marks or book
titles (“…”, 《…》, 「…」) do not split, the enumeration comma 、 never splits
(it joins parallel objects under one verb), and empty runs (between 。 and a
line break) are no clauses. A clause excludes its delimiter.

**Measures.** A measure is one clause, or a run of consecutive clauses of one
sentence, that states one action of the city government or its departments:
a clause led by a verb whose subject is the government (stated or implied,
下放…, 建立…, 推动出台…), or a clause whose topic is the government's own work
and whose predicate is done to it (《条例》颁布施行, …工程完成竣工验收). A list of
parallel objects under one verb is one measure; clauses that state the
purpose, means or immediate effect of that action (…，保护渤海生态环境) belong
to it. A measure's quote is exactly that run, so it never crosses the end of
a sentence. Its ``figure_ids`` are the figures of
:func:`dalian_data.figures` that lie wholly inside the quote's span.

**Not measures.** Headings (the report's headline and the six section
headings), the introduction, goals that name what the measures after them
serve (打赢蓝天保卫战, 保障人才教育), bare dates that scope the figures after
them (2020年) and pure results (大连在东北地区的开放龙头地位愈加彰显) are listed by
:func:`non_measures`, each with its kind and reason. Clauses that state a
figure (全市新增市级以上科技创新平台45家) are figures' statements, in
:func:`dalian_data.figures`; when a measure states a figure, the figure's
clause is part of the measure as well. The tests prove that every clause of
the report is a measure, holds a figure, or is a listed non-measure.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

import pandas as pd

from dalian_data.catalogue import CatalogueError, check_indicator, data_toml
from dalian_data.dtypes import strings
from dalian_data.extract import _QUOTED, _SENTENCE_END, sentence_spans
from dalian_data.source import report_text
from dalian_data.tables import figures, indicator_dtypes, indicators

__all__ = [
    "measures", "non_measures", "action_types", "measure_counts", "action_type_dtype", "clause_spans",
    "MEASURE_COLUMNS", "NON_MEASURE_KINDS", "FIGURE_IDS_SEPARATOR",
]

MEASURES_FILE = "measures.toml"

MEASURE_COLUMNS = (
    "measure_id", "indicator_id", "indicator", "quote", "start", "end", "sentence", "action", "action_type",
    "summary_en", "figure_ids",
)

NON_MEASURE_KINDS = ("headline", "introduction", "heading", "goal", "date", "result")
"""Why a clause is not a measure, in the order a reader meets them."""

FIGURE_IDS_SEPARATOR = ","
"""``figure_ids`` is one string: figure ids joined by this, without spaces, in
report order; the empty string when the measure states no figure. A string
(not a list) because it survives CSV, Parquet, Excel and Frictionless alike,
the same way ``derived().inputs`` does."""

_CLAUSE_END = re.compile(rf"[，,；;]|{_SENTENCE_END.pattern}")


def _spec() -> dict[str, Any]:
    return data_toml(MEASURES_FILE)


def clause_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every clause of ``text``, in order (see the module docstring).

    ``text[start:end]`` is the clause without its delimiter; empty runs are
    skipped, so every span is at least one character long.
    """
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    spans, start = [], 0
    for m in _CLAUSE_END.finditer(text):
        i = bisect.bisect_right(quoted, (m.start(), float("inf")))
        if i and quoted[i - 1][0] < m.start() < quoted[i - 1][1] - 1:
            continue  # inside “…” or 《…》: part of a name
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if len(text) > start:
        spans.append((start, len(text)))
    return spans


def action_type_dtype() -> pd.CategoricalDtype:
    """The ordered categories of ``action_type``, in the taxonomy's order."""
    return pd.CategoricalDtype([t["id"] for t in _spec()["action_types"]], ordered=True)


def action_types() -> pd.DataFrame:
    """The taxonomy of actions: id, Chinese and English labels and definitions, in order.

    The types are defined in ``dalian_data/data/measures.toml``; a measure's
    type is a reading of the text, held there so that a reviewer can disagree
    in one line.

    Returns
    -------
    action_types : pandas.DataFrame
        Eight rows in the taxonomy's order: ``action_type``, ``label_zh``,
        ``label_en``, ``definition_zh``, ``definition_en``.
        ``action_type`` has the same ordered categorical dtype as in
        :func:`measures`, so the two merge and plot in the taxonomy's order;
        use ``label_zh`` or ``label_en`` for titles and legends.

    See Also
    --------
    measures : the measures, each with its ``action_type``.
    measure_counts : measures per indicator and type.

    Examples
    --------
    >>> import dalian_data as dd
    >>> types = dd.action_types()
    >>> types["action_type"].tolist()
    ['policy', 'reform', 'funding', 'platform', 'service', 'event', 'supervision', 'promotion']
    >>> types.set_index("action_type").loc["event", "label_en"]
    'Event or campaign'
    >>> types["action_type"].dtype == dd.measures()["action_type"].dtype
    True
    """
    entries = _spec()["action_types"]
    return pd.DataFrame({
        "action_type": pd.Categorical([t["id"] for t in entries], dtype=action_type_dtype()),
        **{key: strings(t[key] for t in entries)
           for key in ("label_zh", "label_en", "definition_zh", "definition_en")},
    })


class _Clauses:
    """The report's clauses, with the lookups that locating a quote needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans = clause_spans(text)
        self.starts = {a for a, _ in self.spans}
        self.ends = {b for _, b in self.spans}

    def locate(self, quote: str, lo: int, hi: int, label: str, where: str) -> tuple[int, int]:
        """The one clause-aligned place of ``quote`` inside ``[lo, hi)``, or a CatalogueError."""
        hits = []
        pos = self.text.find(quote, lo, hi)
        while pos >= 0:
            if pos in self.starts and pos + len(quote) in self.ends:
                hits.append(pos)
            pos = self.text.find(quote, pos + 1, hi)
        if len(hits) != 1:
            found = "nowhere" if not hits else f"at offsets {hits}"
            raise CatalogueError(
                f"{MEASURES_FILE} {label}: quote {quote!r} must be a whole clause or run of clauses exactly once "
                f"in {where}, but is {found}; copy the clauses as printed, without their final punctuation"
            )
        start, end = hits[0], hits[0] + len(quote)
        (first, _), (last, _) = sentence_spans(self.text, [start, end - 1])
        if first != last:
            raise CatalogueError(f"{MEASURES_FILE} {label}: quote {quote!r} crosses the end of a sentence")
        return start, end


def _sections() -> dict[str | None, tuple[int, int, str]]:
    """Indicator id (None: headline and introduction) -> (start, end, label) of its part of the report."""
    frame = indicators()
    parts: dict[str | None, tuple[int, int, str]] = {
        None: (0, int(frame["section_start"].iloc[0]), "the headline and introduction")}
    for row in frame.itertuples():
        parts[row.indicator_id] = (row.section_start, row.section_end, f"the section {row.heading}")
    return parts


def _locate_entries(entries: list[dict[str, Any]], kind: str) -> list[tuple[int, int]]:
    clauses = _Clauses(report_text())
    sections = _sections()
    spans = []
    for n, entry in enumerate(entries, start=1):
        label = f"{kind} {entry.get('id', n)!r}"
        indicator = entry.get("indicator")
        if indicator not in sections:
            valid = ", ".join(k for k in sections if k)
            raise CatalogueError(f"{MEASURES_FILE} {label}: indicator {indicator!r} is not valid; valid: {valid}")
        lo, hi, where = sections[indicator]
        spans.append(clauses.locate(entry["quote"], lo, hi, label, where))
    order = [s for s, _ in spans]
    if order != sorted(order):
        i = next(i for i in range(1, len(order)) if order[i] < order[i - 1])
        raise CatalogueError(f"{MEASURES_FILE} {kind}s are not in report order: entry {i + 1} comes before entry {i}")
    return spans


def _check_measure_entries(entries: list[dict[str, Any]]) -> None:
    types = list(action_type_dtype().categories)
    seen: set[str] = set()
    for entry in entries:
        label = f"measure {entry['id']!r}"
        if entry["id"] in seen:
            raise CatalogueError(f"{MEASURES_FILE} {label}: the id is used twice")
        seen.add(entry["id"])
        if entry["action_type"] not in types:
            raise CatalogueError(
                f"{MEASURES_FILE} {label}: action_type {entry['action_type']!r} is not valid; valid: {', '.join(types)}")
        if entry["action"] not in entry["quote"]:
            raise CatalogueError(f"{MEASURES_FILE} {label}: action {entry['action']!r} is not in its quote")
        if re.search(r"[0-9]", entry["summary_en"]):
            raise CatalogueError(f"{MEASURES_FILE} {label}: summary_en types a number; the figures carry them")


def _figure_ids(spans: list[tuple[int, int]]) -> list[str]:
    found = figures()[["figure_id", "start", "end"]]
    return [
        FIGURE_IDS_SEPARATOR.join(found.loc[(found["start"] >= a) & (found["end"] <= b), "figure_id"])
        for a, b in spans
    ]


@lru_cache(maxsize=1)
def _measures() -> pd.DataFrame:
    text = report_text()
    entries = _spec()["measures"]
    _check_measure_entries(entries)
    spans = _locate_entries(entries, "measure")
    id_dtype, name_dtype = indicator_dtypes()
    names = dict(zip(id_dtype.categories, name_dtype.categories))
    ids = [e["indicator"] for e in entries]
    return pd.DataFrame({
        "measure_id": strings(e["id"] for e in entries),
        "indicator_id": pd.Categorical(ids, dtype=id_dtype),
        "indicator": pd.Categorical([names[i] for i in ids], dtype=name_dtype),
        "quote": strings(e["quote"] for e in entries),
        "start": pd.array([a for a, _ in spans], dtype="int64"),
        "end": pd.array([b for _, b in spans], dtype="int64"),
        "sentence": strings(text[a:b] for a, b in sentence_spans(text, [a for a, _ in spans])),
        "action": strings(e["action"] for e in entries),
        "action_type": pd.Categorical([e["action_type"] for e in entries], dtype=action_type_dtype()),
        "summary_en": strings(e["summary_en"] for e in entries),
        "figure_ids": strings(_figure_ids(spans)),
    })


def measures(indicator: str | None = None) -> pd.DataFrame:
    """The report's policy measures, one row each, in report order.

    What a measure is, and what is not one, is defined in this module's
    docstring.

    Parameters
    ----------
    indicator : str or None, default None
        An indicator id or its Chinese name (``None``: all).

    Returns
    -------
    measures : pandas.DataFrame
        One row per measure, index 0..n-1. Columns: ``measure_id``;
        ``indicator_id`` and ``indicator`` (ordered categoricals, report
        order); ``quote`` as printed, with ``start``/``end`` so that
        ``report_text()[start:end] == quote``; the ``sentence`` holding it;
        ``action``, the verb phrase naming the action as printed (inside the
        quote, usually at its start); ``action_type`` (ordered categorical,
        see :func:`action_types`); ``summary_en``; and ``figure_ids``, the
        figures inside the quote's span, comma-separated (see
        :data:`FIGURE_IDS_SEPARATOR`). The columns are described in
        ``dalian_data/data/fields.toml`` (table ``measures``).

    Raises
    ------
    ValueError
        When ``indicator`` is neither an indicator id, nor an indicator's
        Chinese name, nor None; the message lists the valid ids.

    See Also
    --------
    non_measures : the clauses that are not measures, with reasons.
    action_types : the taxonomy of ``action_type``.
    measure_counts : measures per indicator and type.

    Examples
    --------
    >>> import dalian_data as dd
    >>> dd.measures().shape
    (82, 11)
    >>> dd.measures("talent").shape == dd.measures("人才流动便利度").shape == (14, 11)
    True
    >>> row = dd.measures().set_index("measure_id").loc["hold_land_joint_meetings"]
    >>> row.action, row.action_type, row.figure_ids
    ('召开', 'event', 'land_joint_meetings,land_joint_meeting_projects')
    >>> dd.report_text()[row.start:row.end] == row.quote
    True
    """
    frame = _measures()
    if indicator is None:
        return frame.copy()
    wanted = check_indicator(indicator)
    return frame[frame["indicator_id"] == wanted].reset_index(drop=True)


@lru_cache(maxsize=1)
def _non_measures() -> pd.DataFrame:
    entries = _spec()["non_measures"]
    kinds = [e["kind"] for e in entries]
    bad = sorted(set(kinds) - set(NON_MEASURE_KINDS) - {None})
    if bad or "heading" in kinds:
        listed = ", ".join(k for k in NON_MEASURE_KINDS if k != "heading")
        raise CatalogueError(f"{MEASURES_FILE} non_measures: kind(s) {bad or ['heading']} not valid; valid: {listed} "
                             "(headings come from indicators())")
    spans = _locate_entries(entries, "non_measure")
    heads = indicators()
    rows = [(e.get("indicator"), e["quote"], a, b, e["kind"], e["reason"]) for e, (a, b) in zip(entries, spans)]
    rows += [(r.indicator_id, r.heading, r.section_start, r.section_start + len(r.heading), "heading",
              "Section heading: names the indicator whose measures and figures follow.")
             for r in heads.itertuples()]
    rows.sort(key=lambda row: row[2])
    id_dtype, name_dtype = indicator_dtypes()
    names = dict(zip(id_dtype.categories, name_dtype.categories))
    columns = list(zip(*rows))
    return pd.DataFrame({
        "indicator_id": pd.Categorical(columns[0], dtype=id_dtype),
        "indicator": pd.Categorical([names.get(i) for i in columns[0]], dtype=name_dtype),
        "quote": strings(columns[1]),
        "start": pd.array(columns[2], dtype="int64"),
        "end": pd.array(columns[3], dtype="int64"),
        "kind": pd.Categorical(columns[4], categories=NON_MEASURE_KINDS),
        "reason": strings(columns[5]),
    })


def non_measures() -> pd.DataFrame:
    """Clauses of the report that are not measures, with their kind and reason, in report order.

    Clauses that state a figure are not listed here: they are in
    :func:`dalian_data.figures`.

    Returns
    -------
    non_measures : pandas.DataFrame
        One row per clause or clause run: ``indicator_id`` and ``indicator``
        (ordered categoricals; missing for the headline and the
        introduction), ``quote``, ``start``/``end`` (offsets into
        :func:`report_text`), ``kind`` (categorical) and ``reason``. Kinds:
        ``headline``, ``introduction``, ``heading`` (the six section
        headings, taken from :func:`dalian_data.indicators`), ``goal``,
        ``date`` and ``result``.

    See Also
    --------
    measures : the clauses that are measures.

    Examples
    --------
    >>> import dalian_data as dd
    >>> table = dd.non_measures()
    >>> table.columns.tolist()
    ['indicator_id', 'indicator', 'quote', 'start', 'end', 'kind', 'reason']
    >>> int((table["kind"] == "heading").sum())
    6
    >>> table.loc[0, "kind"], table.loc[0, "quote"]
    ('headline', '我市6部门统筹协调50余家单位分工协作高效配合')
    """
    return _non_measures().copy()


def measure_counts() -> pd.DataFrame:
    """Measures per indicator (rows, report order) and action type (columns, taxonomy order).

    Every indicator and every type appears, with 0 where there is no
    measure, so the table plots and compares without reindexing.

    Returns
    -------
    counts : pandas.DataFrame
        Six rows indexed by ``indicator_id`` and eight int64 columns named by
        ``action_type`` (see :func:`action_types`).

    See Also
    --------
    measures : the measures counted.

    Examples
    --------
    >>> import dalian_data as dd
    >>> counts = dd.measure_counts()
    >>> counts.shape
    (6, 8)
    >>> int(counts.loc["environment", "supervision"])
    8
    >>> int(counts.to_numpy().sum()) == len(dd.measures())
    True
    """
    frame = _measures()
    return pd.crosstab(frame["indicator_id"], frame["action_type"], dropna=False).rename_axis(
        index="indicator_id", columns="action_type")
