"""Tables and text of the notebooks: value formatting, translations, provenance."""

from __future__ import annotations

import inspect
import re

import pandas as pd
import pytest

import dalian_data as dd
from dalian_data.notebook import formatting, sections
from dalian_data.notebook.formatting import format_period, format_value

INDICATORS = [str(i) for i in dd.indicators()["indicator_id"]]


# ---- formatting values ---------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "expected"),
    [
        (1.74e9, "元", "exact", "17.4亿元"),
        (3.5e7, "元", "exact", "3500万元"),
        (1.2e8, "元", "exact", "1.2亿元"),
        (4.5e4, "人", "exact", "4.5万人"),
        (25825, "人", "exact", "25825人"),  # 2.5825万 is no shorter: the report's form stays
        (207936100, "件", "exact", "20793.61万件"),  # tie: Chinese keeps the smaller scale, like the report
        (1.5081e11, "吨公里", "exact", "1508.1亿吨公里"),
        (5.11e6, "标准箱", "exact", "511万标准箱"),
        (7, "%", "about", "约7%"),
        (700, "家", "over", "超过700家"),
        (100, "条", "nearly", "近100条"),
        (24.25, "件/万人", "exact", "24.25件/万人"),
        (16.2, "人/人", "exact", "16.2名学生/名教师"),
    ],
)
def test_chinese_values_read_as_the_report_writes_them(value, unit, qualifier, expected):
    assert format_value(value, unit, lang="zh", qualifier=qualifier) == expected


@pytest.mark.parametrize(
    ("value", "unit", "unit_en", "qualifier", "expected"),
    [
        (1.74e9, "元", "yuan", "exact", "CNY 1.74 bn"),
        (3.5e7, "元", "yuan", "exact", "CNY 35 m"),
        (3.391e9, "元", "yuan", "exact", "CNY 3.391 bn"),  # tie: English takes the larger scale
        (700, "家", "enterprises", "over", "over 700 enterprises"),
        (7, "%", "percent", "about", "about 7%"),
        (100, "条", "routes", "nearly", "nearly 100 routes"),
        (45000, "人", "people", "exact", "45,000 people"),
        (637100, "人", "pupils", "exact", "637,100 pupils"),
        (5.11e6, "标准箱", "TEU", "exact", "5.11 million TEU"),
        (2.648e10, "吨公里", "tonne-kilometres", "exact", "26.48 billion tonne-kilometres"),
        (16.3, "元/件", "yuan per item", "exact", "CNY 16.3 per item"),
        (6, "个", "count", "exact", "6"),  # a bare count shows no unit word
    ],
)
def test_english_values_use_thousands_millions_billions(value, unit, unit_en, qualifier, expected):
    assert format_value(value, unit, lang="en", qualifier=qualifier, unit_en=unit_en) == expected


def test_rounded_values_round_half_up_and_drop_decimals_of_whole_numbers():
    assert format_value(0.25, "%", lang="zh", decimals=1) == "0.3%"
    assert format_value(2.5, "天", lang="zh", decimals=0) == "3天"
    assert format_value(302.0, "天", lang="zh", decimals=1) == "302天"
    assert format_value(2.104586e10, "元", lang="zh", decimals=1) == "210.5亿元"
    assert format_value(2.104586e10, "元", lang="en", decimals=2, unit_en="yuan") == "CNY 21.05 bn"
    assert format_value(18068.15, "件", lang="zh", decimals=1) == "18068.2件"  # not squashed to 1.8万
    assert format_value(1.7729e11, "吨公里", lang="zh", decimals=1) == "1772.9亿吨公里"


def test_growth_and_change_are_signed():
    assert format_value(14, "%", lang="zh", signed=True) == "+14%"
    assert format_value(-3.5, "%", lang="en", signed=True) == "-3.5%"
    assert format_value(30, "天", lang="en", unit_en="days", signed=True) == "+30 days"
    figs = dd.figures().set_index("figure_id", drop=False)
    assert formatting.figure_value(figs.loc["good_air_days_change"], "zh") == "+30天"
    assert formatting.figure_value(figs.loc["hightech_enterprises"], "en") == "over 700 enterprises"


def test_every_figure_formats_in_both_languages_without_losing_precision():
    for row in dd.figures().itertuples(index=False):
        zh, en = formatting.figure_value(row, "zh"), formatting.figure_value(row, "en")
        assert zh and en
        digits = re.sub(r"[^\d.]", "", str(row.quote))
        if str(row.qualifier) == "exact" and digits and "万" not in row.quote and "亿" not in row.quote:
            assert digits in zh.replace(",", "")  # the printed digits survive


def test_periods_in_both_languages():
    assert format_period("2020", "zh") == "2020年"
    assert format_period("2019–", "zh") == "2019年以来"
    assert format_period("2019–", "en") == "since 2019"
    assert format_period(pd.NA, "en") == "not stated"
    assert format_period(None, "zh") == "未注明"


def test_bad_qualifier_names_it():
    with pytest.raises(ValueError, match="qualifier 'roughly'"):
        format_value(1, "个", qualifier="roughly")


# ---- languages and labels ---------------------------------------------------------

def _public_functions_with_lang():
    for module in (formatting, sections):
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) and "lang" in inspect.signature(obj).parameters:
                yield name, obj


@pytest.mark.parametrize(("name", "function"), list(_public_functions_with_lang()))
def test_a_bad_lang_raises_value_error_naming_it(name, function):
    params = inspect.signature(function).parameters
    args = {"indicator": "talent"} if "indicator" in params else {}
    for required in ("value", "unit", "kind", "period", "row", "key", "population", "text"):
        if required in params and params[required].default is inspect.Parameter.empty:
            args[required] = {"value": 1.0, "unit": "个", "kind": "level", "period": "2020", "text": "abc",
                              "row": dd.figures().iloc[0], "key": "headers.value",
                              "population": dd.DALIAN_POPULATION_2020}[required]
    with pytest.raises(ValueError, match=r"lang 'fr'.*allowed: 'zh' or 'en'"):
        function(**args, lang="fr")


def _entries(node, path=()):
    """Every {zh, en} entry of labels.toml, with its dotted path."""
    if isinstance(node, dict):
        if "zh" in node or "en" in node:
            yield ".".join(path), node
        else:
            for key, child in node.items():
                yield from _entries(child, (*path, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            yield from _entries(child, (*path, str(i)))


def test_every_label_exists_in_both_languages():
    entries = [(path, entry) for path, entry in _entries(formatting.labels())
               if not path.startswith(("scales", "unit_display"))]
    assert len(entries) > 50
    for path, entry in entries:
        for lang in formatting.LANGUAGES:
            assert isinstance(entry.get(lang), str), f"{path} has no {lang}"
            if not path.startswith("qualifiers"):
                assert entry[lang].strip(), f"{path}.{lang} is empty"


def test_headers_are_translated_and_distinct_per_table():
    headers = formatting.labels()["headers"]
    for lang in formatting.LANGUAGES:
        table = sections.figure_table("talent", lang, show_quotes=True)
        assert list(table.columns) == [headers[k][lang] for k in
                                       ("value", "kind", "period", "quote", "offsets", "sentence", "figure_id")]
        assert table.index.name == headers["metric"][lang]  # rows carry human labels, not snake_case ids
        assert not table.index.str.fullmatch(r"[a-z0-9_]+").any()
    assert not set(sections.figure_table("talent", "en").columns) & set(sections.figure_table("talent", "zh").columns)


def test_labels_hold_no_figure_value():
    """Numbers reach the text through {id} placeholders, never typed into labels.toml."""
    quotes = set(dd.figures()["quote"])
    for path, entry in _entries(formatting.labels()):
        for lang in formatting.LANGUAGES:
            assert not any(q in entry.get(lang, "") for q in quotes if len(q) > 2), path


# ---- tables -------------------------------------------------------------------------

@pytest.mark.parametrize("indicator", INDICATORS)
def test_figure_table_is_traceable_to_the_report(indicator):
    text = dd.report_text()
    figs = dd.figures(indicator)
    for lang in formatting.LANGUAGES:
        table = sections.figure_table(indicator, lang)
        h = formatting.labels()["headers"]
        assert list(table[h["figure_id"][lang]]) == list(figs["figure_id"])
        for (start, end), quote, offsets in zip(zip(figs["start"], figs["end"]), table[h["quote"][lang]],
                                                 table[h["offsets"][lang]]):
            assert text[start:end] == quote
            assert offsets == f"{start}–{end}"


@pytest.mark.parametrize("indicator", INDICATORS)
def test_derived_table_names_figures_of_the_same_indicator(indicator):
    ids = set(dd.figures(indicator)["figure_id"])
    h = formatting.labels()["headers"]
    for lang in formatting.LANGUAGES:
        table = sections.derived_table(indicator, lang, decimals=2)
        for inputs in table[h["inputs"][lang]]:
            assert set(inputs.split(", ")) <= ids
        notes = dd.derived().query("indicator_id == @indicator")["note" if lang == "zh" else "note_en"]
        assert table[h["note"][lang]].tolist() == notes.fillna("").tolist()


def test_derived_table_shows_the_parameters_used():
    table = sections.derived_table("talent", "en", population=8_000_000)
    assert "population = 8000000" in set(table["Parameters used"])
    per_resident = table.set_index("Derived id").loc["talent_funds_per_resident", "Value"]
    assert per_resident == "CNY 217.5 per person"


@pytest.mark.parametrize("indicator", INDICATORS)
def test_unsaid_fills_every_placeholder_with_package_values(indicator):
    for lang in formatting.LANGUAGES:
        text = sections.unsaid(indicator, lang).data
        assert text.count("\n- ") + 1 == len(formatting.labels()["unsaid"][indicator]) >= 3
        assert "{" not in text and "}" not in text


def test_rates_and_signs_can_be_written_for_a_sentence_that_already_says_them():
    v = formatting.values("zh")
    assert f"每万名居民拥有全科医生{v['gps_per_10k']:count}" == "每万名居民拥有全科医生4人"
    assert f"增长{v['hightech_investment_growth']:count}" == "增长104.6%"
    assert f"{v['hightech_investment_growth']}" == "+104.6%"
    assert f"{formatting.values('en')['gps_per_10k']:number}" == "4"
    with pytest.raises(ValueError, match="unknown template field format 'x'"):
        f"{v['gps_per_10k']:x}"


def test_format_like_writes_a_computed_value_with_the_reported_precision():
    figs = dd.figures().set_index("figure_id", drop=False)
    assert formatting.format_like(21.271929, figs.loc["invention_patents_per_10k"], "zh") == "21.27件/万人"
    assert formatting.format_like(2.104586e10, figs.loc["tech_contract_turnover"], "en") == "CNY 21.05 bn"
    assert formatting.format_like(2.104586e10, figs.loc["tech_contract_turnover"], "zh", bare=True) == "210.5"


def test_the_innovation_note_says_where_the_year_is():
    """The section is one paragraph; its only year is in the third sentence."""
    row = dd.indicators().set_index("indicator_id").loc["innovation"]
    section = dd.report_text()[row.section_start:row.section_end]
    body = section.split("\n", 1)[1]
    assert "\n" not in body.strip()  # one paragraph
    sentences = [s for s in body.split("。") if s]
    assert [i for i, s in enumerate(sentences) if re.search(r"\d{4}年", s)] == [2]
    assert "第三句" in row.notes and "third sentence" in row.notes_en


def test_unsaid_values_follow_the_parameters():
    assert "13.16%" in sections.unsaid("talent", "zh", decimals=2).data
    assert "(+30 days)" in sections.unsaid("environment", "en").data


def test_intro_states_the_pairing_caveat_and_the_lead_department():
    for lang in formatting.LANGUAGES:
        text = sections.indicator_intro("transport", lang).data
        assert formatting.label("text.pairing_caveat", lang) in text
        assert "市交通运输局" in text


def test_population_note_cites_the_census_and_flags_other_values():
    census = sections.population_note(dd.DALIAN_POPULATION_2020, "en").data
    assert "7,450,785" in census and "differs" not in census
    assert "differs" in sections.population_note(8_000_000, "en").data


def test_derived_intro_says_whether_the_population_matters():
    assert "Seventh National Population Census" in sections.derived_intro("talent", "en").data
    assert "uses the population parameter" in sections.derived_intro("environment", "en").data
    assert "no derived metrics" in sections.derived_intro("openness", "en").data


def test_notebook_names_follow_report_order():
    assert [sections.notebook_name(i) for i in INDICATORS][:2] == ["01_innovation", "02_talent"]
    with pytest.raises(ValueError, match="indicator 'trade'"):
        sections.notebook_name("trade")


# ---- every generated sentence reads right -------------------------------------------

def _generated_text(lang: str) -> list[str]:
    """Every sentence the notebooks generate in ``lang`` with default parameters.

    Markdown outputs (intros, key findings, derived notes, what is unsaid),
    chart titles, every text drawn in a chart and its alt text, and the
    formatted values of the figure and derived tables. The report's own
    quotes and sentences are not generated and are left out.
    """
    from notebook_run import NAMES, run

    texts = []
    for name in NAMES:
        result = run(name, lang=lang)
        texts += result.markdown()
        for chart in result.charts:
            texts += [chart.title, chart.alt, *chart.texts]
    h = formatting.labels()["headers"]
    for indicator in INDICATORS:
        texts += list(sections.figure_table(indicator, lang)[h["value"][lang]])
        texts += list(sections.derived_table(indicator, lang)[h["value"][lang]])
    return texts


GLITCHES = {
    "a doubled word": re.compile(r"\b([A-Za-z]+)\s+\1\b", re.IGNORECASE),
    "a doubled Chinese word": re.compile(r"([\u4e00-\u9fff]{2,})\1"),
    "a rate's unit after 每万名/人均": re.compile(r"(每万名|每万人|人均)[^，。；、（）]*?\d[^，。；、（）]*?/万?人"),
    "a counted noun after its measure word": re.compile(
        r"\d[\d.,]*[万亿]?人(学生|教师|居民|医生|专家|毕业生|人才|院士)"),  # 63.71万人学生
    "a unit word before the counted noun": re.compile(r"\b(people|persons) (graduates|experts|pupils|teachers|academicians)\b"),
    "a unit in words after the same unit": re.compile(r"\b(people|pupils|teachers|routes|ports|days|projects) \(?\1\b"),
}


@pytest.mark.parametrize("lang", formatting.LANGUAGES)
def test_generated_text_has_no_doubled_words_or_units(lang):
    texts = _generated_text(lang)
    assert len(texts) > 200
    found = [(what, text) for text in texts for what, pattern in GLITCHES.items() if pattern.search(text)]
    assert not found, found


@pytest.mark.parametrize("text", [
    "637,100 pupils pupils", "nearly 100 routes routes", "over 300 ports ports",
    "每万名居民拥有全科医生4人/万人", "63.71万人学生", "人均体育场地面积2.83平方米/人", "45,000 people graduates",
])
def test_the_glitch_patterns_catch_the_glitches_we_had(text):
    assert any(pattern.search(text) for pattern in GLITCHES.values())
