"""Every chart of every notebook, in both languages, and the shared chart helpers.

The notebooks are run in this process (tests/notebook_run.py) and every
figure handed to ``charts.show`` is inspected before it is closed: what a
test can catch of the chart rules in the README is caught here.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from IPython.display import Image  # noqa: E402

import dalian_data as dd  # noqa: E402
from dalian_data.notebook import charts, formatting, style  # noqa: E402
from notebook_run import NAMES, run  # noqa: E402

LANGS = ("zh", "en")
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
UNIT = re.compile(r"[（(]([^()（）]+)[)）]$")  # the bracketed unit at the end of an axis label
RUNS = [(name, lang) for name in NAMES for lang in LANGS]


@pytest.fixture(autouse=True)
def house_style():
    style.use_house_style()
    yield
    plt.close("all")


def _charts():
    for name, lang in RUNS:
        for chart in run(name, lang=lang).charts:
            yield chart


@pytest.mark.parametrize(("name", "lang"), RUNS)
def test_every_notebook_shows_charts_only_through_the_shared_helper(name, lang):
    result = run(name, lang=lang)
    assert result.charts, f"{name}: no chart"
    images = [obj for obj in result.shown if isinstance(obj, Image)]
    assert len(images) == len(result.charts)
    assert all(image.metadata["alt"] == chart.alt for image, chart in zip(images, result.charts))
    assert all(chart.name.startswith(name) for chart in result.charts)


def test_chart_names_are_unique():
    names = [chart.name for name in NAMES for chart in run(name, lang="zh").charts]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("name", "lang"), RUNS)
def test_no_log_scale_anywhere(name, lang):
    for chart in run(name, lang=lang).charts:
        for panel in chart.panels:
            assert (panel.xscale, panel.yscale) == ("linear", "linear"), f"{chart.name}: log scale"


@pytest.mark.parametrize(("name", "lang"), RUNS)
def test_every_panel_of_bars_names_exactly_one_unit(name, lang):
    """The value axis of every panel with bars ends in one bracketed unit, and no list of units."""
    for chart in run(name, lang=lang).charts:
        for i, panel in enumerate(chart.panels):
            if not panel.bars:
                continue
            label = panel.xlabel if panel.horizontal else panel.ylabel
            match = UNIT.search(label)
            assert match, f"{chart.name} panel {i}: value axis {label!r} names no unit"
            assert not re.search(r"、|，|, ", match[1]), f"{chart.name} panel {i}: {label!r} lists several units"


@pytest.mark.parametrize(("name", "lang"), RUNS)
def test_titles_alt_text_and_language(name, lang):
    for chart in run(name, lang=lang).charts:
        assert chart.title.strip(), f"{chart.name}: no title"
        assert chart.alt.endswith("。" if lang == "zh" else "."), f"{chart.name}: alt is not a sentence"
        assert len(chart.alt) > 20
        if lang == "zh":
            assert CJK.search(chart.title) and CJK.search(chart.alt)
        else:
            # Chinese in an English chart only where it is the report's own name (the source line)
            stray = [t for t in chart.texts + [chart.title, chart.alt] if CJK.search(t) and t != style.SOURCE_LINES["en"]]
            assert not stray, f"{chart.name}: {stray}"


def test_a_title_cannot_read_as_a_zero_score():
    for chart in _charts():
        assert "为零" not in chart.title and "zero" not in chart.title.lower()


# ---- the shared helpers ------------------------------------------------------------

def test_barh_refuses_rows_of_two_units():
    fig, ax = plt.subplots()
    rows = dd.figures("public_services").query("unit in ['场', '套']")
    with pytest.raises(ValueError, match="share one unit; got 场, 套"):
        charts.barh(ax, rows, "zh")


def test_barh_hatches_bounds_and_labels_values_as_printed():
    fig, ax = plt.subplots()
    rows = dd.figures("transport").set_index("figure_id").loc[["new_container_routes", "routes_in_operation"]]
    bars = charts.barh(ax, rows, "en")
    assert [bar.get_hatch() for bar in bars] == [None, "////"]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["8 routes", "nearly 100 routes"]
    assert ax.get_xlabel() == "Number (routes)" and ax.get_xscale() == "linear"


def test_show_displays_one_png_with_alt_text_and_saves_reproducible_files(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs: shown.extend(objs))
    for _ in range(2):
        fig, ax = plt.subplots()
        ax.bar([0], [1])
        charts.show(fig, "x_chart", alt="A bar of one.", lang="en", figure_dir=tmp_path)
        first = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(first) == ["x_chart.png", "x_chart.svg"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == first
    assert not plt.get_fignums()
    assert [type(o) for o in shown] == [Image, Image]
    assert shown[0].metadata == {"alt": "A bar of one."}
    assert shown[0].data.startswith(b"\x89PNG")


def test_show_refuses_an_empty_description():
    fig, _ax = plt.subplots()
    with pytest.raises(ValueError, match="alt text of chart 'x' must be a sentence"):
        charts.show(fig, "x", alt="", lang="zh")


def test_value_scale_matches_the_value_format():
    assert charts.value_scale([1.74e9], "元", "yuan", "zh") == (1e8, "亿元")
    assert charts.value_scale([1.74e9], "元", "yuan", "en") == (1e9, "CNY bn")
    assert charts.value_scale([2.6e10], "吨公里", "tonne-kilometres", "en") == (1e9, "billion tonne-kilometres")
    assert charts.value_scale([24.25], "件/万人", "items per 10,000 people", "zh") == (1.0, "件/万人")
    assert charts.value_scale([104.6], "%", "percent", "en") == (1.0, "%")


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

    missing = {s: style.missing_glyphs(s) for s in strings(formatting.labels()) if style.missing_glyphs(s)}
    assert not missing
