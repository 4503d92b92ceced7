"""figures(), indicators(), aspects(): contract, provenance, bad arguments."""

import pytest

import dalian_data as dd
from dalian_data.dtypes import STRING
from dalian_data import schemas

INDICATOR_IDS = ["innovation", "talent", "openness", "public_services", "environment", "transport"]


def test_figures_match_their_schema():
    schemas.figures_schema().validate(dd.figures())


def test_indicators_match_their_schema():
    schemas.indicators_schema().validate(dd.indicators())


def test_derived_matches_its_schema():
    schemas.derived_schema().validate(dd.derived())


def test_quantities_of_the_report_match_their_schema():
    schemas.quantities_schema().validate(dd.quantities(dd.report_text()))


def test_indicators_are_the_six_in_report_order_with_their_departments():
    ind = dd.indicators()
    assert ind["indicator_id"].tolist() == INDICATOR_IDS
    assert ind["indicator"].tolist() == ["创新创业活跃度", "人才流动便利度", "市场开放度",
                                         "基本公共服务群众满意度", "蓝天碧水净土森林覆盖指数", "综合立体交通指数"]
    assert ind["lead_department_short"].tolist() == ["科技局", "人社局", "商务局", "发改委", "生态环境局", "交通运输局"]


def test_lead_departments_are_paired_by_the_order_the_introduction_lists_them():
    ind, text = dd.indicators(), dd.report_text()
    assert ind["lead_department_start"].is_monotonic_increasing
    for row in ind.itertuples():
        assert text[row.lead_department_start:row.lead_department_end] == row.lead_department
    assert ind["lead_department_end"].max() < ind["section_start"].min(), "departments come from the introduction"


def test_sections_tile_the_report_after_the_introduction_in_order():
    ind, text = dd.indicators(), dd.report_text()
    assert ind["section_end"].iloc[-1] == len(text)
    assert (ind["section_start"].iloc[1:].to_numpy() == ind["section_end"].iloc[:-1].to_numpy() + 1).all()
    for row in ind.itertuples():
        assert text[row.section_start:row.section_end].startswith(row.heading)


def test_each_figure_lies_in_its_indicators_section():
    sections = dd.indicators().set_index("indicator_id")
    for row in dd.figures().dropna(subset=["indicator_id"]).itertuples():
        section = sections.loc[row.indicator_id]
        assert section.section_start <= row.start < row.end <= section.section_end, row.figure_id


def test_headline_and_introduction_figures_belong_to_no_indicator():
    figs = dd.figures()
    before = figs["start"] < dd.indicators()["section_start"].min()
    assert figs.loc[before, "indicator_id"].isna().all()
    assert figs.loc[~before, "indicator_id"].notna().all()
    assert before.sum() == 6


def test_offsets_slice_the_report_to_the_quote_inside_the_sentence():
    text = dd.report_text()
    for row in dd.figures().itertuples():
        assert text[row.start:row.end] == row.quote
        assert row.quote in row.sentence and row.sentence in text


def test_indicator_is_an_ordered_categorical_in_report_order():
    figs = dd.figures()
    assert figs["indicator"].cat.ordered
    assert list(figs["indicator"].cat.categories) == dd.indicators()["indicator"].tolist()
    assert figs["indicator_id"].dropna().is_monotonic_increasing


def test_filtering_by_indicator_returns_only_its_figures():
    talent = dd.figures("talent")
    assert set(talent["indicator_id"]) == {"talent"} and len(talent) == 12
    assert dd.figures("人才流动便利度").equals(talent)
    assert sum(len(dd.figures(i)) for i in INDICATOR_IDS) == len(dd.figures()) - 6


def test_an_unknown_indicator_is_a_value_error_listing_the_valid_ids():
    with pytest.raises(ValueError, match="'nope'.*innovation, talent, openness, public_services, environment, transport"):
        dd.figures(indicator="nope")


def test_returned_frames_are_copies_so_callers_cannot_corrupt_the_cache():
    figs, ind = dd.figures(), dd.indicators()
    figs.loc[0, "value"] = -1.0
    ind.loc[0, "heading"] = "x"
    assert dd.figures().loc[0, "value"] == 6.0
    assert dd.indicators().loc[0, "heading"] == "创新创业活跃度方面"


def test_scale_words_are_applied_in_figures():
    values = dd.figures().set_index("figure_id")["value"]
    assert values["talent_funds_total"] == 1.74e9
    assert values["express_parcels"] == 207_936_100
    assert values["invention_patents_per_10k"] == 24.25


def test_the_primary_indicator_and_three_aspects_are_exposed_without_a_mapping_to_indicators():
    assert dd.primary_indicator()["name"] == "包容普惠创新"
    asp, text = dd.aspects(), dd.report_text()
    assert asp["aspect"].tolist() == ["包容合作", "普惠利民", "创新引领"]
    assert all(text[s:e] == a for s, e, a in zip(asp["start"], asp["end"], asp["aspect"]))
    assert "indicator_id" not in asp.columns


def test_string_columns_use_the_pinned_string_dtype():
    figs = dd.figures()
    for column in ("figure_id", "metric", "unit", "quote", "period", "sentence"):
        assert figs[column].dtype == STRING, column


def test_the_primary_indicator_says_the_report_never_prints_its_name():
    primary = dd.primary_indicator()
    assert primary["name"] not in dd.report_text()
    assert "never prints" in primary["note_en"]
