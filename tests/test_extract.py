"""The extractor's rules, on hand-written sentences beyond the report."""

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalian_data import quantities
from dalian_data.extract import parse_chinese_numeral, skipped_quantities


def one(text: str) -> dict:
    found = quantities(text)
    assert len(found) == 1, f"expected one quantity in {text!r}, got {found['quote'].tolist()}"
    return found.iloc[0].to_dict()


def quotes(text: str) -> list[str]:
    return quantities(text)["quote"].tolist()


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("三", 3), ("十", 10), ("十五", 15), ("二十", 20), ("百", 100), ("两千三百", 2300),
     ("一百零五", 105), ("三万五千", 35000), ("一亿三千万", 130_000_000), ("二〇二〇", 2020), ("一万亿", 10**12)],
)
def test_chinese_numerals_read_to_their_value(numeral, value):
    assert parse_chinese_numeral(numeral) == value


def test_a_non_numeral_is_rejected_with_its_text():
    with pytest.raises(ValueError, match="'三x'"):
        parse_chinese_numeral("三x")


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("成交额17.4亿元", 1.74e9, "元"),
        ("补贴3500万元", 3.5e7, "元"),
        ("规模达1.2万亿元", 1.2e12, "元"),
        ("引进高校毕业生4.5万人", 45_000, "人"),
        ("集装箱吞吐量511万标准箱", 5.11e6, "标准箱"),
        ("周转量264.8亿吨公里", 2.648e10, "吨公里"),
        ("业务量20793.61万件", 207_936_100, "件"),
        ("面积2.83平方米", 2.83, "平方米"),
        ("总时长1731小时", 1731, "小时"),
        ("吞吐量3.34亿吨", 3.34e8, "吨"),
        ("完成两千三百套", 2300, "套"),
        ("举办十五场活动", 15, "场"),
    ],
)
def test_scale_words_apply_to_the_value_and_the_unit_is_the_base_unit(text, value, unit):
    row = one(text)
    assert row["value"] == pytest.approx(value, rel=1e-12)
    assert row["unit"] == unit
    assert row["kind"] == "level"


def test_measure_words_for_people_become_the_unit_person():
    assert [one(t)["unit"] for t in ("教师3.93万名", "专家25位", "院士2人")] == ["人", "人", "人"]


def test_a_scale_word_before_a_person_noun_counts_people():
    row = one("全市63.71万中小学生在线学习")
    assert (row["quote"], row["value"], row["unit"]) == ("63.71万", 637_100, "人")


def test_percentages_stay_in_percent_and_are_shares_without_a_verb():
    row = one("优良水质占比99.1%")
    assert (row["value"], row["unit"], row["kind"]) == (99.1, "%", "share")


@pytest.mark.parametrize(
    ("text", "quote", "value", "unit", "kind"),
    [
        ("投资增长104.6%", "增长104.6%", 104.6, "%", "growth"),
        ("同比增长8.2%", "同比增长8.2%", 8.2, "%", "growth"),
        ("能耗下降3.5%", "下降3.5%", -3.5, "%", "growth"),
        ("优良天数同比增加30天", "同比增加30天", 30, "天", "change"),
        ("审批时间减少5个工作日", "减少5个工作日", -5, "工作日", "change"),
        ("比重提高2个百分点", "提高2个百分点", 2, "百分点", "change"),
        ("产值增长1.5倍", "增长1.5倍", 1.5, "倍", "growth"),
    ],
)
def test_growth_and_change_phrases_are_their_own_kinds(text, quote, value, unit, kind):
    row = one(text)
    assert (row["quote"], row["value"], row["unit"], row["kind"]) == (quote, value, unit, kind)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("单位50余家", "over"), ("160多个国家", "over"), ("超过700家", "over"), ("逾300人", "over"),
        ("50%以上", "over"), ("比重达7%左右", "about"), ("约200人", "about"), ("运营航线近百条", "nearly"),
        ("接近90%", "nearly"), ("完成172个", "exact"),
    ],
)
def test_qualifiers(text, qualifier):
    assert one(text)["qualifier"] == qualifier


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("万人有效发明专利拥有量24.25件", 24.25, "件/万人"),
        ("每万名居民拥有全科医生4人", 4, "人/万人"),
        ("人均体育场地面积2.83平方米", 2.83, "平方米/人"),
        ("人均可支配收入4.5万元", 45_000, "元/人"),
        ("每千人口拥有床位6.2张", 6.2, "张/千人"),
    ],
)
def test_rates_per_resident_say_so_in_the_unit_and_are_not_scaled_by_the_denominator(text, value, unit):
    row = one(text)
    assert (row["value"], row["unit"], row["kind"]) == (pytest.approx(value), unit, "rate")


def test_a_rate_trigger_in_an_earlier_clause_does_not_make_a_rate():
    rows = quantities("提高人均补助标准,引进人才204人")
    assert (rows.loc[0, "unit"], rows.loc[0, "kind"]) == ("人", "level")


def test_a_programme_name_with_wan_ren_is_no_rate_and_no_figure():
    row = one("国家“万人计划”专家25人")
    assert (row["quote"], row["unit"], row["kind"]) == ("25人", "人", "level")


@pytest.mark.parametrize(
    "text",
    [
        "建设5G基站",  # a technology generation
        "引进世界500强企业",  # a ranking title
        "行业百强项目",
        "入选国家千人计划",  # a programme name built from a bare numeral
        "国家“万人计划”",
        "建设千兆示范小区",
        "《2020年大连市政府工作报告》发布了100项任务",
        "第3次会议",  # an ordinal
        "共建“一带一路”",
        "推动“三跨两转多通道”项目",
        "2020年",  # a year is a date
    ],
)
def test_numbers_in_names_titles_ordinals_and_dates_are_not_quantities(text):
    kept = quantities(text)
    assert kept["quote"].tolist() in ([], ["100项"]), kept
    if "《" in text:
        assert kept["quote"].tolist() == ["100项"], "a number outside the book title is still read"


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2020年，全市投资增长10%。", "2020"),
        ("2019年以来新晋院士2人。", "2019–"),
        ("全年完成1000件。", None),
    ],
)
def test_a_year_scopes_the_figures_after_it_in_its_sentence(text, period):
    row = one(text)
    assert (row["period"] if pd.notna(row["period"]) else None) == period


def test_a_year_scopes_its_paragraph_until_the_next_year():
    rows = quantities("2020年，新增平台45家。科技型中小企业达3292家。2021年新增12家。\n全年完成8件。")
    assert rows["period"].tolist()[:3] == ["2020", "2020", "2021"]
    assert pd.isna(rows["period"].iloc[3]), "a paragraph end closes the year's scope"


def test_a_duration_in_years_is_a_quantity_but_a_date_is_not():
    assert quotes("2020年连续3年列为重点项目") == ["3年"]


def test_offsets_point_at_the_quote():
    text = "2020年，全市新增8条航线，运营航线近百条，吞吐量完成3.34亿吨。"
    found = quantities(text)
    assert all(text[s:e] == q for s, e, q in zip(found["start"], found["end"], found["quote"]))


def test_empty_text_gives_an_empty_frame_with_the_columns_and_dtypes():
    empty, full = quantities(""), quantities("完成8条")
    assert list(empty.columns) == list(full.columns)
    assert empty.dtypes.equals(full.dtypes)


def test_non_text_input_is_a_type_error_naming_the_type():
    with pytest.raises(TypeError, match="bytes"):
        quantities(b"8\xe6\x9d\xa1")


_SCALES = {"万": Decimal(10) ** 4, "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12}


@settings(max_examples=300, deadline=None)
@given(
    number=st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2, allow_nan=False),
    scale=st.sampled_from(sorted(_SCALES)),
    unit=st.sampled_from(["元", "吨", "人", "件", "标准箱", "吨公里"]),
)
def test_any_number_written_with_a_scale_word_reads_back_to_its_value(number, scale, unit):
    written = f"{number.normalize():f}"
    row = one(f"全年完成{written}{scale}{unit}。")
    assert row["value"] == float(Decimal(written) * _SCALES[scale])
    assert row["unit"] == unit


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_unicode_never_crashes_and_offsets_hold(text):
    found = quantities(text)
    assert all(text[s:e] == q for s, e, q in zip(found["start"], found["end"], found["quote"]))
