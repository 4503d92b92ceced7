"""The report's measures: located both ways, covering every clause, typed by a documented taxonomy."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import dalian_data as dd
from dalian_data import policy_measures
from dalian_data.catalogue import CatalogueError, data_toml
from dalian_data.policy_measures import (
    FIGURE_IDS_SEPARATOR, MEASURE_COLUMNS, NON_MEASURE_KINDS, _check_measure_entries, _Clauses, clause_spans,
)

# Written independently of policy_measures: the characters that end a clause.
DELIMITERS = set("，,；;。！？!?\n")
SENTENCE_ENDS = set("。！？!?\n")


def _sections() -> dict:
    frame = dd.indicators()
    parts = {None: (0, int(frame["section_start"].iloc[0]))}
    parts.update({r.indicator_id: (r.section_start, r.section_end) for r in frame.itertuples()})
    return parts


def _clause_aligned_places(text: str, quote: str, lo: int, hi: int) -> list[int]:
    """Where ``quote`` occurs in text[lo:hi] with a delimiter or a boundary on both sides."""
    return [m.start() for m in re.finditer(f"(?={re.escape(quote)})", text[lo:hi])
            if (m.start() == 0 or text[lo + m.start() - 1] in DELIMITERS)
            and (lo + m.start() + len(quote) == len(text) or text[lo + m.start() + len(quote)] in DELIMITERS)]


# ---- the frame ---------------------------------------------------------------


def test_measures_have_the_documented_columns_and_validate_against_the_schema():
    from dalian_data.schemas import measures_schema

    frame = dd.measures()
    assert tuple(frame.columns) == MEASURE_COLUMNS
    measures_schema().validate(frame)
    assert frame["indicator_id"].cat.ordered and frame["action_type"].cat.ordered
    assert list(frame["action_type"].cat.categories) == list(dd.action_types()["action_type"])


@pytest.mark.parametrize("column, value", [
    ("figure_ids", "science_projects, tech_smes"),  # a space after the comma
    ("action", "设立"),                              # not printed in the quote
    ("summary_en", "Organised 184 programmes."),      # a typed number
])
def test_the_schema_refuses_a_broken_row(column, value):
    import pandera.errors

    from dalian_data.schemas import measures_schema

    frame = dd.measures()
    frame.loc[4, column] = value
    with pytest.raises(pandera.errors.SchemaError):
        measures_schema().validate(frame)


def test_every_quote_is_at_its_offsets_inside_its_sentence():
    text = dd.report_text()
    for row in dd.measures().itertuples():
        assert text[row.start:row.end] == row.quote, row.measure_id
        sentence_start = max(text.rfind(c, 0, row.start) for c in SENTENCE_ENDS) + 1
        assert text[sentence_start:sentence_start + len(row.sentence)] == row.sentence, row.measure_id
        assert row.end < sentence_start + len(row.sentence), row.measure_id
        assert row.sentence[-1] in "。！？" or sentence_start + len(row.sentence) == len(text), row.measure_id


def test_every_catalogue_quote_occurs_exactly_once_clause_aligned_in_its_section():
    """Checked without the module's locator: the quote's place is unique, so offsets cannot be guessed wrong."""
    text = dd.report_text()
    sections = _sections()
    frame = dd.measures()
    for entry, row in zip(data_toml("measures.toml")["measures"], frame.itertuples()):
        lo, hi = sections[entry["indicator"]]
        assert [lo + p for p in _clause_aligned_places(text, entry["quote"], lo, hi)] == [row.start], entry["id"]
    for entry in data_toml("measures.toml")["non_measures"]:
        lo, hi = sections[entry.get("indicator")]
        assert len(_clause_aligned_places(text, entry["quote"], lo, hi)) == 1, entry["quote"]


def test_a_measure_never_crosses_the_end_of_a_sentence():
    for row in dd.measures().itertuples():
        assert not SENTENCE_ENDS & set(row.quote), row.measure_id


def test_measures_are_in_report_order_and_do_not_overlap():
    frame = dd.measures()
    assert frame["start"].is_monotonic_increasing
    assert (frame["start"].iloc[1:].to_numpy() >= frame["end"].iloc[:-1].to_numpy()).all()
    assert frame["indicator_id"].is_monotonic_increasing  # categorical order = report order


def test_every_clause_is_a_measure_part_of_a_figures_statement_or_a_listed_non_measure():
    """The proof the issue asks for, over the whole report (headline, introduction and sections)."""
    text = dd.report_text()
    measured = list(zip(dd.measures()["start"], dd.measures()["end"]))
    listed = list(zip(dd.non_measures()["start"], dd.non_measures()["end"]))
    figure_starts = list(dd.figures()["start"])
    unexplained, doubly = [], []
    for a, b in clause_spans(text):
        in_measure = any(x <= a and b <= y for x, y in measured)
        in_non_measure = any(x <= a and b <= y for x, y in listed)
        has_figure = any(a <= s < b for s in figure_starts)
        if in_measure and in_non_measure:
            doubly.append(text[a:b])
        if not (in_measure or in_non_measure or has_figure):
            unexplained.append(text[a:b])
    assert not unexplained, f"clauses neither measure, figure nor non-measure: {unexplained}"
    assert not doubly, f"clauses both measure and non-measure: {doubly}"


def test_clauses_tile_the_report_between_delimiters():
    """clause_spans loses no character: what lies between clauses is delimiters only."""
    text = dd.report_text()
    spans = clause_spans(text)
    covered = set()
    for a, b in spans:
        covered.update(range(a, b))
    gaps = {text[i] for i in range(len(text)) if i not in covered}
    assert gaps <= DELIMITERS
    assert all(text[a - 1] in DELIMITERS for a, _ in spans[1:])


def test_figure_ids_are_exactly_the_figures_inside_the_span():
    figures = dd.figures()
    seen: list[str] = []
    for row in dd.measures().itertuples():
        inside = figures[(figures["start"] >= row.start) & (figures["end"] <= row.end)]["figure_id"].tolist()
        listed = row.figure_ids.split(FIGURE_IDS_SEPARATOR) if row.figure_ids else []
        assert listed == inside, row.measure_id
        seen += listed
    assert len(seen) == len(set(seen))
    assert {"talent_funds_total", "urban_fitness_paths", "land_committee_approved_projects"} <= set(seen)


def test_no_figure_straddles_a_measures_edge():
    for row in dd.measures().itertuples():
        for f in dd.figures().itertuples():
            assert not (f.start < row.start < f.end or f.start < row.end < f.end), (row.measure_id, f.figure_id)


def test_actions_are_printed_in_their_quotes_and_mostly_lead_them():
    frame = dd.measures()
    assert all(a in q for a, q in zip(frame["action"], frame["quote"]))
    leading = sum(q.startswith(a) for a, q in zip(frame["action"], frame["quote"]))
    assert leading / len(frame) > 0.75


def test_ids_are_unique_and_never_a_figure_id():
    ids = dd.measures()["measure_id"]
    assert ids.is_unique
    assert not set(ids) & set(dd.figures()["figure_id"])


def test_summaries_are_short_english_sentences_without_numbers():
    for row in dd.measures().itertuples():
        assert row.summary_en[0].isupper() and row.summary_en.endswith("."), row.measure_id
        assert len(row.summary_en) <= 200 and not re.search(r"[0-9]", row.summary_en), row.measure_id
        assert not re.search(r"[\u4e00-\u9fff]", row.summary_en), row.measure_id


def test_catalogue_entries_carry_no_offsets_or_figures():
    allowed = {"id", "indicator", "quote", "action", "action_type", "summary_en"}
    for entry in data_toml("measures.toml")["measures"]:
        assert set(entry) == allowed, entry["id"]
    for entry in data_toml("measures.toml")["non_measures"]:
        assert set(entry) <= {"indicator", "quote", "kind", "reason"}, entry["quote"]


def test_every_indicator_has_measures_and_every_type_is_used():
    frame = dd.measures()
    assert set(frame["indicator_id"]) == set(dd.indicators()["indicator_id"])
    assert set(frame["action_type"]) == set(dd.action_types()["action_type"])


# ---- selection -----------------------------------------------------------------


def test_measures_of_one_indicator_by_id_or_chinese_name():
    by_id = dd.measures("environment")
    pd.testing.assert_frame_equal(by_id, dd.measures("蓝天碧水净土森林覆盖指数"))
    assert (by_id["indicator_id"] == "environment").all() and by_id.index.equals(pd.RangeIndex(len(by_id)))
    assert "建立河流断面超标补偿制度" in by_id["quote"].iloc[4]
    assert sum(len(dd.measures(i)) for i in dd.indicators()["indicator_id"]) == len(dd.measures())


def test_a_bad_indicator_names_the_valid_ones():
    with pytest.raises(ValueError, match=r"indicator 'health' is not valid; valid ids: innovation, talent"):
        dd.measures("health")


def test_callers_get_copies():
    frame = dd.measures()
    frame.loc[0, "quote"] = "changed"
    assert dd.measures()["quote"].iloc[0] != "changed"
    assert dd.non_measures() is not dd.non_measures()


def test_importing_the_module_leaves_dd_measures_the_function():
    import dalian_data.policy_measures  # noqa: F401

    assert dd.measures is policy_measures.measures


# ---- taxonomy and counts ------------------------------------------------------


def test_action_types_have_labels_and_definitions_in_both_languages():
    taxonomy = dd.action_types()
    assert list(taxonomy.columns) == ["action_type", "label_zh", "label_en", "definition_zh", "definition_en"]
    assert taxonomy["action_type"].is_unique and len(taxonomy) == 8
    for column in ("label_zh", "definition_zh"):
        assert taxonomy[column].str.contains(r"[\u4e00-\u9fff]").all()
    for column in ("label_en", "definition_en"):
        assert taxonomy[column].str.fullmatch(r"[A-Z][ -~–]+").all()
    assert taxonomy["label_zh"].is_unique and taxonomy["label_en"].is_unique


def test_measure_counts_cover_every_indicator_and_type_and_add_up():
    counts = dd.measure_counts()
    assert list(counts.index) == list(dd.indicators()["indicator_id"])
    assert list(counts.columns) == list(dd.action_types()["action_type"])
    assert int(counts.to_numpy().sum()) == len(dd.measures())
    assert counts.loc["environment", "supervision"] == (
        (dd.measures("environment")["action_type"] == "supervision").sum())


# ---- non-measures -----------------------------------------------------------------


def test_non_measures_have_a_kind_and_reason_and_include_every_heading():
    frame = dd.non_measures()
    text = dd.report_text()
    assert list(frame.columns) == ["indicator_id", "indicator", "quote", "start", "end", "kind", "reason"]
    assert frame["start"].is_monotonic_increasing
    assert all(text[a:b] == q for a, b, q in zip(frame["start"], frame["end"], frame["quote"]))
    assert list(frame["kind"].cat.categories) == list(NON_MEASURE_KINDS) and frame["kind"].notna().all()
    assert frame["reason"].str.len().gt(15).all()
    headings = frame[frame["kind"] == "heading"]
    assert headings["quote"].tolist() == dd.indicators()["heading"].tolist()
    unassigned = frame[frame["indicator_id"].isna()]
    assert set(unassigned["kind"]) == {"headline", "introduction"}
    assert "大连在东北地区的开放龙头地位愈加彰显" in set(frame.loc[frame["kind"] == "result", "quote"])


def test_no_clause_is_both_a_figure_of_a_non_measure_and_a_measure():
    starts = dd.non_measures()["start"]
    assert not set(starts) & set(dd.measures()["start"])


# ---- clauses and the locator, on hand-written text -------------------------------


def test_clause_spans_split_on_commas_semicolons_and_sentence_ends_only():
    text = "推进老城区改造、新区建设，完善路网；开通公交线路。\n全市新增绿地3处"
    assert [text[a:b] for a, b in clause_spans(text)] == [
        "推进老城区改造、新区建设", "完善路网", "开通公交线路", "全市新增绿地3处"]
    ascii_text = "设立基金,支持企业;开展培训!"
    assert [ascii_text[a:b] for a, b in clause_spans(ascii_text)] == ["设立基金", "支持企业", "开展培训"]


def test_clause_spans_do_not_split_inside_quotation_marks_or_titles():
    text = "举办“春风行动，送岗上门”招聘会，印发《关于促进就业，稳定岗位的意见》。"
    assert [text[a:b] for a, b in clause_spans(text)] == [
        "举办“春风行动，送岗上门”招聘会", "印发《关于促进就业，稳定岗位的意见》"]


def test_clause_spans_of_empty_or_delimiter_only_text():
    assert clause_spans("") == []
    assert clause_spans("。\n，") == []


TEXT = "开展技能培训，发放补贴。开展技能培训。新建公园一座，改善环境"


def test_locate_finds_a_whole_clause_run_once():
    clauses = _Clauses(TEXT)
    assert clauses.locate("新建公园一座,改善环境".replace(",", "，"), 0, len(TEXT), "x", "the text") == (19, 30)
    assert clauses.locate("发放补贴", 0, len(TEXT), "x", "the text") == (7, 11)


@pytest.mark.parametrize("quote, message", [
    ("开展技能培训", r"exactly once in the text, but is at offsets \[0, 12\]"),  # ambiguous
    ("技能培训", "but is nowhere"),                                          # not clause-aligned
    ("新建公园", "but is nowhere"),                                          # half a clause
    ("招商引资", "but is nowhere"),                                          # not in the text
    ("发放补贴。开展技能培训", "crosses the end of a sentence"),
])
def test_locate_refuses_what_is_not_exactly_one_clause_run(quote, message):
    with pytest.raises(CatalogueError, match=message):
        _Clauses(TEXT).locate(quote, 0, len(TEXT), "measure 'm'", "the text")


def test_locate_is_bounded_by_the_section():
    with pytest.raises(CatalogueError, match="nowhere"):
        _Clauses(TEXT).locate("新建公园一座，改善环境", 0, 18, "measure 'm'", "the first section")


def test_the_catalogue_cannot_drift_from_an_edited_text():
    """One character changed in the report makes its measure unlocatable, naming the entry."""
    text = dd.report_text()
    row = dd.measures().set_index("measure_id").loc["river_section_compensation"]
    edited = text[:row.start] + "设立" + text[row.start + 2:]
    with pytest.raises(CatalogueError, match="river_section_compensation.*nowhere"):
        _Clauses(edited).locate(row.quote, 0, len(edited), "measure 'river_section_compensation'", "the report")


@pytest.mark.parametrize("change, message", [
    ({"action_type": "lobbying"}, r"action_type 'lobbying' is not valid; valid: policy, reform"),
    ({"action": "设立"}, "action '设立' is not in its quote"),
    ({"summary_en": "Built 3 parks."}, "types a number"),
])
def test_bad_measure_entries_are_clear_catalogue_errors(change, message):
    entry = {"id": "m", "indicator": "innovation", "quote": "建立公园", "action": "建立",
             "action_type": "platform", "summary_en": "Built parks."}
    _check_measure_entries([entry])
    with pytest.raises(CatalogueError, match=message):
        _check_measure_entries([{**entry, **change}])


def test_a_repeated_id_is_a_clear_catalogue_error():
    entry = {"id": "m", "indicator": "innovation", "quote": "建立公园", "action": "建立",
             "action_type": "platform", "summary_en": "Built parks."}
    with pytest.raises(CatalogueError, match="'m': the id is used twice"):
        _check_measure_entries([entry, entry])


def test_measures_are_data_core_needing_neither_matplotlib_nor_pandera():
    import subprocess
    import sys

    code = ("import sys, dalian_data as dd; dd.measures(); dd.non_measures(); dd.action_types(); "
            "print(' '.join(sorted(sys.modules)))")
    loaded = set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())
    assert "dalian_data.policy_measures" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("matplotlib", "pandera", "openpyxl")}
