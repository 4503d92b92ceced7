"""The catalogue and the extractor agree, both ways, on the report."""

import pytest

import dalian_data as dd
from dalian_data.catalogue import CatalogueError, catalogue
from dalian_data.tables import _locate


def test_every_quantity_in_the_report_is_a_figure_or_a_listed_non_figure():
    found = dd.quantities(dd.report_text())
    explained = set(dd.figures()["start"]) | set(dd.non_figures()["start"])
    unexplained = found[~found["start"].isin(explained)]
    assert unexplained.empty, f"quantities neither figure nor non-figure:\n{unexplained}"


def test_no_quantity_is_both_a_figure_and_a_non_figure():
    assert not set(dd.figures()["start"]) & set(dd.non_figures()["start"])


def test_every_non_figure_has_a_reason():
    assert dd.non_figures()["reason"].str.len().gt(10).all()


def test_every_figure_value_is_what_the_extractor_reads_at_its_offsets_in_its_sentence():
    text = dd.report_text()
    for row in dd.figures().itertuples():
        sentence_start = text.index(row.sentence)
        found = dd.quantities(row.sentence).set_index("start")
        read = found.loc[row.start - sentence_start]
        assert read["end"] + sentence_start == row.end, row.figure_id
        assert (read["value"], read["unit"], read["kind"]) == (row.value, row.unit, row.kind), row.figure_id


def test_figure_entries_carry_no_values():
    """Values come from the text: the catalogue names quotes, never numbers."""
    allowed = {"id", "indicator", "quote", "occurrence", "metric", "metric_en", "unit_en"}
    for entry in catalogue()["figures"]:
        assert set(entry) <= allowed, entry["id"]


def test_each_figure_quote_occurrence_points_at_a_distinct_quantity():
    starts = dd.figures()["start"]
    assert starts.is_unique and starts.is_monotonic_increasing


def test_a_quote_missing_from_the_report_is_a_clear_catalogue_error():
    found = dd.quantities("完成8条")
    with pytest.raises(CatalogueError, match=r"'ghost'.*'9条'.*occurrence 1"):
        _locate(found, [{"id": "ghost", "quote": "9条"}])


def test_an_occurrence_beyond_the_text_is_a_clear_catalogue_error():
    found = dd.quantities("完成8条")
    with pytest.raises(CatalogueError, match="occurrence 2"):
        _locate(found, [{"id": "twice", "quote": "8条", "occurrence": 2}])


def test_every_unit_has_an_english_name():
    units = set(dd.figures()["unit"]) | set(dd.derived()["unit"])
    assert units <= set(catalogue()["units"])
