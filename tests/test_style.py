"""The house style: bundled font, palette, source line, reproducible files."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib import _text_helpers, font_manager  # noqa: E402
from matplotlib.ft2font import FT2Font  # noqa: E402

from dalian_data.notebook import style  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOT_IN_ANY_FONT = "한"  # Hangul: neither the GB2312 subset nor DejaVu Sans has it


@pytest.fixture
def house():
    """The house style for one test; rcParams are restored afterwards."""
    with matplotlib.rc_context():
        style.use_house_style()
        yield
    plt.close("all")


def chinese_chart():
    """A chart with Chinese title/labels, digits and negative ticks, as notebooks draw."""
    fig, ax = plt.subplots()
    ax.plot([2016, 2018, 2020], [-1.5, 0.0, 24.3], label="技术合同成交额增长")
    ax.set_title("全市登记技术合同成交额261.6亿元，增长24.3%")
    ax.set_xlabel("年份")
    ax.set_ylabel("增长（%）")
    ax.legend()
    style.add_source(fig, "zh")
    return fig, ax


def start_python(code: str) -> subprocess.Popen:
    """Start *code* in a fresh interpreter with the checkout importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> str:
    """Wait for *process*; its stdout, or an assertion error showing its stderr."""
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    return stdout


def digests(directory: Path) -> dict[str, str]:
    """sha256 of every file in *directory*, by name."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


# --- fonts -----------------------------------------------------------------


def test_chinese_digits_and_negative_ticks_draw_without_any_warning(house):
    fig, ax = chinese_chart()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with style.glyph_warnings_as_errors():
            fig.canvas.draw()
    tick_labels = [label.get_text() for label in ax.get_yticklabels()]
    assert any(text.startswith("\u2212") for text in tick_labels), tick_labels


def test_cjk_latin_digits_and_minus_are_drawn_from_the_bundled_file(house):
    # findfont alone is not enough: what counts is the per-character fallback
    # chain, which matplotlib's own layout helper walks.
    paths = font_manager.fontManager._find_fonts_by_props(font_manager.FontProperties())
    font = font_manager.get_font(paths)
    font.set_size(10, 72)
    drawn_from = {item.char: os.path.realpath(item.ft_object.fname)
                  for item in _text_helpers.layout("大连创新a1\u2212", font)}
    assert set(drawn_from.values()) == {os.path.realpath(style.FONT_PATH)}, drawn_from


def test_bundled_family_resolves_to_bundled_file_without_default_fallback(house):
    prop = font_manager.FontProperties(family=style.FONT_FAMILY)
    found = font_manager.findfont(prop, fallback_to_default=False)
    assert os.path.realpath(found) == os.path.realpath(style.FONT_PATH)


def test_bundled_family_name_is_unique_among_known_fonts(house):
    """Same-named system fonts (e.g. a full Noto Sans CJK SC) could be picked instead."""
    same_name = {os.path.realpath(entry.fname) for entry in font_manager.fontManager.ttflist
                 if entry.name == style.FONT_FAMILY}
    assert same_name == {os.path.realpath(style.FONT_PATH)}


def test_font_family_is_the_name_matplotlib_reads_from_the_file():
    assert FT2Font(os.fspath(style.FONT_PATH)).family_name == style.FONT_FAMILY


def test_font_family_rc_is_a_fallback_list_of_bundled_then_dejavu(house):
    assert matplotlib.rcParams["font.family"] == [style.FONT_FAMILY, "DejaVu Sans"]
    dejavu = font_manager.findfont("DejaVu Sans", fallback_to_default=False)
    assert Path(dejavu).is_relative_to(Path(matplotlib.get_data_path()))  # ships with matplotlib


def test_use_house_style_is_idempotent(house):
    before = dict(matplotlib.rcParams)
    style.use_house_style()
    assert dict(matplotlib.rcParams) == before
    registered = [e for e in font_manager.fontManager.ttflist
                  if os.path.realpath(e.fname) == os.path.realpath(style.FONT_PATH)]
    assert len(registered) == 1


def test_house_style_fixes_svg_salt_and_dpi(house):
    rc = matplotlib.rcParams
    assert (rc["svg.hashsalt"], rc["svg.fonttype"]) == ("dalian-data", "path")
    assert rc["axes.unicode_minus"] is True
    assert rc["figure.dpi"] == 100 and rc["savefig.dpi"] == 150
    assert not rc["axes.spines.top"] and not rc["axes.spines.right"]


def test_missing_glyph_warning_becomes_an_error_inside_the_context(house):
    fig, ax = plt.subplots()
    ax.set_title(f"大连{NOT_IN_ANY_FONT}")
    with pytest.raises(UserWarning, match=r"Glyph \d+ .* missing from font\(s\)"):
        with style.glyph_warnings_as_errors():
            fig.canvas.draw()


def test_glyph_warnings_as_errors_leaves_other_warnings_and_restores_filters():
    before = list(warnings.filters)
    with style.glyph_warnings_as_errors():
        with pytest.warns(UserWarning, match="unrelated"):
            warnings.warn("unrelated", UserWarning)
        with pytest.raises(UserWarning):
            warnings.warn("Glyph 54620 (\\N{HANGUL SYLLABLE HAN}) missing from font(s) X.")
    assert warnings.filters == before


def test_glyph_warnings_as_errors_called_bare_stays_in_effect():
    with warnings.catch_warnings():
        style.glyph_warnings_as_errors()  # as a notebook cell would
        with pytest.raises(RuntimeWarning):  # the older mathtext wording, too
            warnings.warn("Glyph 8722 missing from current font.", RuntimeWarning)


def test_missing_glyphs_reports_only_drawable_characters_the_font_lacks():
    assert style.missing_glyphs(f"大连 −1.5%（{NOT_IN_ANY_FONT}）\n\t\x00\U00020000") == {
        NOT_IN_ANY_FONT, "\U00020000"}
    assert style.missing_glyphs("") == set()


# --- palette and source line -------------------------------------------------


def test_indicator_colours_follow_catalogue_order_and_drive_the_cycle(house):
    from dalian_data.catalogue import indicator_ids

    assert list(style.INDICATOR_COLOURS) == indicator_ids()
    assert list(style.INDICATOR_COLOURS) == [
        "innovation", "talent", "openness", "public_services", "environment", "transport"]
    colours = list(style.INDICATOR_COLOURS.values())
    assert len(set(colours)) == 6 and all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"] == colours


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_source_line_names_the_report_once_in_either_language(house, lang):
    fig, _ = plt.subplots()
    style.add_source(fig, lang)
    style.add_source(fig, lang)
    texts = [t.get_text() for t in fig.texts]
    assert len(texts) == 1
    assert "包容普惠创新" in texts[0] and "2020" in texts[0] and "dalian-data" in texts[0]
    assert texts[0].startswith({"zh": "数据来源", "en": "Source:"}[lang])


def test_source_line_sits_below_the_axes_and_their_labels(house):
    fig, ax = chinese_chart()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    source = fig.texts[0].get_window_extent(renderer)
    assert source.y1 < ax.get_tightbbox(renderer).y0
    assert source.x0 >= 0 and source.x1 <= fig.bbox.width


@pytest.mark.parametrize("lang", ["", "fr", "ZH", None, ["zh"]])
def test_bad_lang_raises_value_error_naming_the_parameter_and_choices(house, lang):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match=r"^lang .* is not supported; allowed: 'zh' or 'en'$"):
        style.add_source(fig, lang)
    assert fig.texts == []


# --- saving ----------------------------------------------------------------


def test_save_figure_writes_png_and_svg_byte_identically_twice(house, tmp_path):
    fig, _ = chinese_chart()
    first = style.save_figure(fig, tmp_path / "a", "chart")
    second = style.save_figure(fig, tmp_path / "b", "chart")
    assert [p.name for p in first] == ["chart.png", "chart.svg"]
    assert digests(tmp_path / "a") == digests(tmp_path / "b")


BAR_CHART = """
import matplotlib.pyplot as plt
from dalian_data.notebook import style
style.use_house_style()
fig, ax = plt.subplots()
ax.bar(["创新", "人才"], [24.3, -1.5], color=list(style.INDICATOR_COLOURS.values())[:2])
ax.set_title("大连市2020年")
style.add_source(fig, "en")
style.save_figure(fig, OUT, "bars")
plt.close(fig)
"""


def test_save_figure_is_byte_identical_across_processes(tmp_path):
    other = start_python(f"OUT = {str(tmp_path / 'other')!r}\n{BAR_CHART}")
    with matplotlib.rc_context():
        exec(BAR_CHART, {"OUT": tmp_path / "this"})
    finish(other)
    assert digests(tmp_path / "this") == digests(tmp_path / "other")
    assert sorted(digests(tmp_path / "this")) == ["bars.png", "bars.svg"]


def test_saved_files_carry_no_date_or_matplotlib_version(house, tmp_path):
    fig, _ = chinese_chart()
    png, svg = style.save_figure(fig, tmp_path, "chart")
    svg_text = svg.read_text(encoding="utf-8")
    assert "<dc:date>" not in svg_text
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", svg_text)
    assert b"Software" not in png.read_bytes() and b"Matplotlib" not in png.read_bytes()
    assert svg_text.count("<text") == 0  # svg.fonttype "path": no font needed to view it


def test_save_figure_to_none_writes_nothing(house, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    fig, _ = plt.subplots()
    monkeypatch.setattr(fig, "savefig", lambda *a, **k: pytest.fail("savefig called"))
    assert style.save_figure(fig, None, "chart") == []
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_the_old_file_and_leaves_no_temp_file(house, tmp_path, monkeypatch):
    fig, _ = plt.subplots()
    style.save_figure(fig, tmp_path, "chart")
    before = digests(tmp_path)

    def half_write(fh, **kwargs):
        fh.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(fig, "savefig", half_write)
    with pytest.raises(OSError, match="disk full"):
        style.save_figure(fig, tmp_path, "chart")
    assert digests(tmp_path) == before


@pytest.mark.parametrize("name", ["", "sub/chart", "../chart", ".."])
def test_save_figure_rejects_names_that_are_not_plain_stems(house, tmp_path, name):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="name"):
        style.save_figure(fig, tmp_path, name)


# --- import cost -------------------------------------------------------------


def test_importing_dalian_data_does_not_import_matplotlib():
    stdout = finish(start_python("""
        import sys
        import dalian_data
        print(sorted(m for m in sys.modules if m.split(".")[0] in {"matplotlib", "fontTools"}))
    """))
    assert stdout.strip() == "[]"
