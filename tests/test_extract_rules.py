"""The extractor on the constructions of issue 9: periods, bases, ranges, lists, bad input."""

from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dalian_data import quantities
from dalian_data.extract import COLUMNS, skipped_quantities
from dalian_data.numerals import TooLarge, fold, parse_numeral


def rows(text: str) -> list[dict]:
    return quantities(text).to_dict("records")


def only(text: str) -> dict:
    found = rows(text)
    assert len(found) == 1, [r["quote"] for r in found]
    return found[0]


# ---- numerals ----------------------------------------------------------------

@pytest.mark.parametrize(
    ("numeral", "value"),
    [("三点五", "3.5"), ("二千五百一十一点九亿", "251190000000"), ("三.三二", "3.32"), ("4千", "4000"),
     ("1164万9千", "11649000"), ("3兆9142亿", "3914200000000"), ("2,166,627", "2166627"), ("32 451", "32451"),
     ("1,234.5", "1234.5"), ("廿六", "26"), ("卅六点八四", "36.84"), ("一八八一", "1881"), ("十", "10"),
     ("亿亿", "1E16"), ("2千1百万", "21000000")],
)
def test_numerals_read_to_exact_values(numeral, value):
    assert parse_numeral(numeral) == Decimal(value)


@pytest.mark.parametrize(("numeral", "reason"), [("9" * 5000, "5,000 characters"), ("亿" * 50, "beyond float64"),
                                                 ("9" * 320, "320-digit")])
def test_numerals_too_large_say_why(numeral, reason):
    with pytest.raises(TooLarge, match=reason):
        parse_numeral(numeral)


def test_folding_keeps_offsets_and_maps_traditional_and_full_width_forms():
    text = "全年增長１２．５％，萬億元，兩個項目，減少－３"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "全年增长12.5%，万亿元，两个项目，减少-3"
    assert fold(text * 3000) == folded * 3000, "the numpy path for long texts folds the same"


# ---- columns -------------------------------------------------------------------

def test_columns_and_dtypes():
    found = quantities("2021年1-7月，全市新增企业10～20家，比2019年增长8.2%。")
    assert tuple(found.columns) == COLUMNS
    assert str(found["upper"].dtype) == "float64" and str(found["period_start"].dtype) == "datetime64[s]"
    assert found["base"].dtype == found["unit"].dtype == found["period"].dtype
    empty = quantities("")
    assert empty.dtypes.equals(found.dtypes)


# ---- periods -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "period", "start", "end"),
    [
        ("2020年，全市新增企业3家。", "2020", "2020-01-01", "2020-12-31"),
        ("2019年以来，累计引进人才2万人。", "2019–", "2019-01-01", None),
        ("2021年1-7月，全市新增企业3家。", "2021-01–2021-07", "2021-01-01", "2021-07-31"),
        ("2021年1~7月，全市新增企业3家。", "2021-01–2021-07", "2021-01-01", "2021-07-31"),
        ("2020年。1至2月，全市新增企业3家。", "2020-01–2020-02", "2020-01-01", "2020-02-29"),
        ("2021年。前三季度，全市新增企业3家。", "2021-01–2021-09", "2021-01-01", "2021-09-30"),
        ("2021年。上半年，全市新增企业3家。", "2021-01–2021-06", "2021-01-01", "2021-06-30"),
        ("2021年。一季度，全市新增企业3家。", "2021-01–2021-03", "2021-01-01", "2021-03-31"),
        ("2016—2020年，全市新增企业3家。", "2016–2020", "2016-01-01", "2020-12-31"),
        ("全市新增企业3家。", None, None, None),
    ],
)
def test_periods_have_a_label_and_typed_first_and_last_days(text, period, start, end):
    row = only(text)
    assert (None if pd.isna(row["period"]) else row["period"]) == period
    assert (None if pd.isna(row["period_start"]) else str(row["period_start"].date())) == start
    assert (None if pd.isna(row["period_end"]) else str(row["period_end"].date())) == end


def test_month_ranges_and_quarters_are_periods_never_quantities():
    assert [r["quote"] for r in rows("2021年1-7月，1~7月，1至7月，前三季度，上半年，一季度，新增3家。")] == ["3家"]


def test_a_year_scopes_its_paragraph_until_the_next_year():
    text = "2020年，新增平台45家。科技型企业达3292家。\n新增企业12家。2021年新增企业8家。"
    assert [r["period"] if pd.notna(r["period"]) else None for r in rows(text)] == ["2020", "2020", None, "2021"]


def test_a_compared_year_is_the_base_not_the_period():
    row = only("2021年全市生产总值比2019年增长8.2%。")
    assert (row["period"], row["base"], row["value"], row["kind"]) == ("2021", "2019", 8.2, "growth")
    row = only("与2015年相比，全市常住人口增加32万人。")
    assert (row["base"], row["kind"], pd.isna(row["period"])) == ("2015", "change", True)
    assert pd.isna(only("全年产值比上年增长3%。")["base"]), "同比/比上年 name no year"
    assert pd.isna(only("2019年新增企业3家。")["base"]), "a level has no base"


# ---- ranges, lists, direction ------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "value", "upper", "unit"),
    [("15至19岁", 15, 19, "岁"), ("3-5年", 3, 5, "年"), ("10～20万元", 1e5, 2e5, "元"), ("4%～6%", 4, 6, "%"),
     ("1万至3万元", 1e4, 3e4, "元")],
)
def test_a_range_is_one_row_with_its_bounds(text, value, upper, unit):
    row = only(f"标准为{text}。")
    assert (row["value"], row["upper"], row["unit"], row["quote"]) == (value, upper, unit, text)


def test_no_range_leaves_upper_missing():
    assert pd.isna(only("新增3家")["upper"])


def test_a_shared_unit_and_direction_reach_every_member_of_a_list():
    found = rows("工业和服务业占比分别下降10.6和3.4个百分点，出口和进口分别减少2.7%、0.6%。")
    assert [(r["value"], r["unit"], r["kind"]) for r in found] == [
        (-10.6, "百分点", "change"), (-3.4, "百分点", "change"), (-2.7, "%", "growth"), (-0.6, "%", "growth")]


@pytest.mark.parametrize("verb", ["回落", "下滑", "微跌", "减少", "下降", "降低", "下跌", "收窄"])
def test_fall_verbs_make_negative_growth(verb):
    assert only(f"产值{verb}3.5%")["value"] == -3.5


@pytest.mark.parametrize(("text", "value"), [("增幅-6.5%", -6.5), ("增速为-3.8%", -3.8), ("涨幅2.4%", 2.4),
                                             ("上漲3.1%", 3.1), ("同比－１２．６％", -12.6)])
def test_growth_nouns_and_printed_minus_make_growth_not_share(text, value):
    row = only(text)
    assert (row["value"], row["kind"]) == (value, "growth")


def test_percentage_points_with_a_direction_are_a_change():
    row = only("失业率比上年下降0.4个百分点")
    assert (row["value"], row["unit"], row["kind"], row["quote"]) == (-0.4, "百分点", "change", "比上年下降0.4个百分点")


# ---- qualifiers, percent words ----------------------------------------------------

@pytest.mark.parametrize("text", ["不足5%", "不到5%", "5%以下", "低于5%", "5%以内", "少于5%"])
def test_under_qualifiers(text):
    assert only(text)["qualifier"] == "under"


@pytest.mark.parametrize(
    ("text", "value"),
    [("百分之六点一", 6.1), ("负百分之四十", -40), ("三成", 30), ("七成七", 77), ("近9成", 90), ("四分之一", 25),
     ("三分之二", 200 / 3), ("千分之五", 5)],
)
def test_percent_words_and_shares_are_stored_in_percent(text, value):
    row = only(f"占{text}")
    assert row["value"] == pytest.approx(value) and row["unit"] in ("%", "‰") and row["kind"] == "share"


# ---- not quantities -------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["创24年新低", "过去五年", "近五年来", "三次产业结构", "一次性告知", "两位数增长", "建设“五个中心”",
     "推进『三个一批』", "「四个一」工程", "‘两个高地’", "十三五规划", "建党百年", "二〇〇四年十月", "二OO九年",
     "一是加快转型", "（一）深化改革", "1.坚持稳中求进", "9月30日开工", "今后五年", "一批重大项目", "5G基站"],
)
def test_set_phrases_windows_dates_and_list_markers_are_not_quantities(text):
    assert rows(text) == []


# ---- bad input --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "reason"),
    [("全年完成" + "9" * 5000 + "亿元", "5,001 characters"), ("共1" + "亿" * 40 + "元", "beyond float64"),
     ("1" * 1_000_000 + "元", "1,000,000 characters"), ("全年一" + "亿" * 200_000 + "元", "200,001 characters")],
)
def test_too_large_numbers_are_skipped_and_listed_with_their_reason(text, reason):
    assert quantities(text).empty
    skipped = skipped_quantities(text)
    assert len(skipped) == 1 and reason in skipped.loc[0, "reason"]
    row = skipped.iloc[0]
    assert text[row["start"]:row["end"]] == row["quote"]


def test_a_chain_of_bare_scale_words_is_no_number():
    text = "亿" * 100_000 + "元"
    assert quantities(text).empty and skipped_quantities(text).empty


def test_skipped_quantities_has_the_non_figures_shape_when_nothing_is_skipped():
    assert list(skipped_quantities("新增3家").columns) == ["start", "end", "quote", "reason"]
    assert skipped_quantities("新增3家").empty


_PIECES = st.sampled_from(["亿", "万", "兆", "千", "百", "十", "点", ".", ",", " ", "-", "～", "至", "%", "成", "分之",
                           "元", "人", "增长", "下降", "不足", "以上", "多", "余", "负", "百分之", "“", "”", "2020年",
                           "1-7月", "、", "和", "个百分点", "9" * 40, "一", "二", "三", "〇", "１", "萬", "億", "\n"])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))
def test_any_mix_of_numerals_units_and_words_never_raises_or_gives_inf(text):
    found = quantities(text)
    assert found["value"].abs().max() < float("inf") if len(found) else True
    assert not (found["upper"].abs() == float("inf")).any()
    assert all(text[s:e] == q for s, e, q in zip(found["start"], found["end"], found["quote"]))
    assert (found["start"].diff().dropna() > 0).all(), "rows in order, one per place"
    skipped_quantities(text)


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=310, max_value=6000), st.sampled_from(["元", "亿元", "万人", "%", ""]))
def test_long_digit_runs_are_skipped_never_inf(digits, unit):
    text = "共" + "7" * digits + unit
    assert quantities(text).empty
    assert len(skipped_quantities(text)) == 1
