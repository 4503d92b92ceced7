"""Every chart: a figure with a title, unit-bearing axes and the source line, in the chosen language."""

from __future__ import annotations

import inspect
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from dalian_data import charts, present, style  # noqa: E402

LANGS = ("zh", "en")
UNIT_LABEL = re.compile(r"[（(][^)）]+[)）]")  # "金额（亿元）", "Turnover (billion tonne-kilometres)"
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


@pytest.fixture(autouse=True)
def house_style():
    style.use_house_style()
    yield
    plt.close("all")


def _texts(fig: Figure) -> list[str]:
    """Every piece of text drawn in the figure: titles, labels, ticks, annotations, legends."""
    found = [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
    return found


@pytest.fixture(scope="module")
def drawn() -> dict[tuple[str, str], Figure]:
    """Every chart in both languages, drawn once with glyph warnings as errors."""
    style.use_house_style()
    figures = {}
    with warnings.catch_warnings(), plt.rc_context({"figure.max_open_warning": 0}):
        warnings.filterwarnings("error", message=style.GLYPH_WARNING_PATTERN)
        for name, (_notebook, function) in charts.CHARTS.items():
            for lang in LANGS:
                fig = function(lang=lang)
                fig.canvas.draw()  # lays out and renders every text: a missing glyph raises here
                figures[name, lang] = fig
    yield figures
    plt.close("all")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_chart_has_title_units_and_source(drawn, name, lang):
    fig = drawn[name, lang]
    assert isinstance(fig, Figure)
    assert fig.get_suptitle().strip()
    assert style.SOURCE_LINES[lang] in [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        labels = [ax.get_xlabel(), ax.get_ylabel()]
        shares_x = ax.get_shared_x_axes().get_siblings(ax)
        labels += [other.get_xlabel() for other in shares_x]
        assert any(UNIT_LABEL.search(text) for text in labels), f"{name}/{lang}: axes without a unit label"


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_english_charts_hold_no_chinese_except_the_source(drawn, name):
    fig = drawn[name, "en"]
    stray = [t for t in _texts(fig) if CJK.search(t) and t != style.SOURCE_LINES["en"]]
    assert not stray, stray


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_chinese_charts_are_in_chinese(drawn, name):
    fig = drawn[name, "zh"]
    assert CJK.search(fig.get_suptitle())
    assert all(CJK.search(ax.get_xlabel() + ax.get_ylabel()) for ax in fig.axes
               if ax.get_xlabel() or ax.get_ylabel())


@pytest.mark.parametrize("name", list(charts.CHARTS))
def test_a_bad_lang_raises_value_error_naming_it(name):
    function = charts.CHARTS[name][1]
    with pytest.raises(ValueError, match=r"lang 'fr'.*allowed: 'zh' or 'en'"):
        function(lang="fr")
    assert not plt.get_fignums()  # failed before drawing anything


def test_every_chart_function_is_registered_with_its_notebook():
    public = {name for name in charts.__all__ if inspect.isfunction(getattr(charts, name))}
    assert public == {function.__name__ for _nb, function in charts.CHARTS.values()}
    notebooks = {nb for nb, _function in charts.CHARTS.values()}
    assert notebooks == {"00_overview", *(present.notebook_name(i) for i in
                                           ["innovation", "talent", "openness", "public_services",
                                            "environment", "transport"])}


def test_bounds_are_hatched_and_exact_figures_are_not(drawn):
    ax = drawn["shipping_network", "zh"].axes[0]
    hatches = [bar.get_hatch() for bar in ax.patches[:6]]
    assert hatches[:2] == [None, None]  # 22个 and 8条 are exact
    assert all(hatches[2:])  # 近百条, 160多个, 300多个, 超过50家 are not


def test_parameters_change_the_chart():
    leap = charts.air_quality("en", days_in_year=366)
    common = charts.air_quality("en", days_in_year=365)
    assert leap.axes[0].get_xlim()[1] == 366 and common.axes[0].get_xlim()[1] == 365
    assert any("90.7%" in t for t in _texts(leap))
    assert any("90.96%" in t for t in _texts(charts.air_quality("en", days_in_year=365, decimals=2)))


def test_talent_funds_adds_up_the_derived_metric_inputs():
    fig = charts.talent_funds("zh")
    widths = [bar.get_width() for bar in fig.axes[0].patches]
    total, *parts = widths
    assert sum(parts) == pytest.approx(total)


def test_value_scale_matches_the_value_format():
    assert charts._value_scale([1.74e9], "元", "yuan", "zh") == (1e8, "亿元")
    assert charts._value_scale([1.74e9], "元", "yuan", "en") == (1e9, "CNY bn")
    assert charts._value_scale([2.6e10], "吨公里", "tonne-kilometres", "en") == (1e9, "billion tonne-kilometres")
    assert charts._value_scale([24.25], "件/万人", "items per 10,000 people", "zh") == (1.0, "件/万人")


def test_every_label_can_be_drawn_with_the_bundled_font():
    def strings(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for value in node.values():
                yield from strings(value)
        elif isinstance(node, list):
            for value in node:
                yield from strings(value)

    missing = {s: style.missing_glyphs(s) for s in strings(present.labels()) if style.missing_glyphs(s)}
    assert not missing
