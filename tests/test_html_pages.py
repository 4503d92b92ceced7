"""The HTML report's pages, read as HTML (no browser): one language, no code, offline, own font, CJK tables.

Built from fixture notebooks that follow the report's contract
(tests/report_fixtures.py), so no kernel runs; test_html_report_e2e.py opens
real and fixture reports in Chromium.
"""

from __future__ import annotations

import base64
import io
import re
import tomllib
from importlib import resources
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from report_fixtures import CODE, TEXT, build_fixture_report, indicator_notebook

from dalian_data.run import web_font
from dalian_data.run.html_pages import (
    IndexEntry,
    describe_parameters,
    downloads_in,
    mark_chinese,
    render_index,
    render_notebook_html,
    words,
)

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]")
FONT_FACE = re.compile(r'@font-face\s*{[^}]*font-family:\s*"([^"]+)";[^}]*url\("data:font/woff2;base64,([A-Za-z0-9+/=]+)"\)')


@pytest.fixture(scope="module", params=["zh", "en"])
def report(request, tmp_path_factory) -> tuple[str, Path]:
    lang = request.param
    return lang, build_fixture_report(tmp_path_factory.mktemp(f"report-{lang}"), lang, figure_dir="figs/")


def pages(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.html"))}


def visible_text(soup: BeautifulSoup) -> str:
    return soup.body.get_text()


def test_every_word_of_the_furniture_has_both_languages():
    for section, entries in words().items():
        for key, text in entries.items():
            assert set(text) == {"zh", "en"}, f"{section}.{key}"
            assert all(text.values()), f"{section}.{key}"


def test_pages_are_in_the_run_language_with_titles(report):
    lang, folder = report
    other = "en" if lang == "zh" else "zh"
    for name, page in pages(folder).items():
        soup = BeautifulSoup(page, "html.parser")
        assert soup.html["lang"] == {"zh": "zh-Hans", "en": "en"}[lang], name
        assert soup.title.string.strip(), name
        assert soup.find("meta", charset=True)["charset"].lower() == "utf-8"
    talent = BeautifulSoup(pages(folder)["02_talent.html"], "html.parser")
    assert talent.title.string.startswith(TEXT[lang]["title"])
    text = visible_text(talent)
    assert TEXT[lang]["title"] in text and TEXT[lang]["charts"] in text
    assert TEXT[other]["charts"] not in text and TEXT[other]["people"] not in text


def test_no_code_and_no_warnings_on_any_page(report):
    _, folder = report
    for name, page in pages(folder).items():
        soup = BeautifulSoup(page, "html.parser")
        text = visible_text(soup)
        assert not soup.select(".input_area, .input, .jp-InputArea, .highlight-ipynb"), name
        for source in CODE:
            assert source.splitlines()[0] not in page, name
        assert "UserWarning" not in page, name
        assert not soup.find("script"), f"{name} has a <script>"
        assert "No description has been provided" not in page
        assert text.strip()


def test_every_image_is_described_by_its_metadata_or_its_heading(report):
    lang, folder = report
    soup = BeautifulSoup(pages(folder)["02_talent.html"], "html.parser")
    alts = [img.get("alt") for img in soup.find_all("img")]
    assert alts == [TEXT[lang]["alt"], TEXT[lang]["people"]]
    for name, page in pages(folder).items():
        for img in BeautifulSoup(page, "html.parser").find_all("img"):
            assert img.get("alt", "").strip(), f"{name}: an image without alt"


OFFLINE_OK = re.compile(r"^(data:|#|[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*(#.*)?$)")


def test_pages_load_nothing_from_anywhere(report):
    _, folder = report
    for name, page in pages(folder).items():
        soup = BeautifulSoup(page, "html.parser")
        for tag in soup.find_all(True):
            for attribute in ("src", "href", "srcset", "poster", "data", "action"):
                value = tag.get(attribute)
                if value is not None:
                    assert OFFLINE_OK.match(value), f"{name}: <{tag.name} {attribute}={value[:80]!r}>"
        assert not soup.find("link", rel="stylesheet") and not soup.find("iframe")
        for style in soup.find_all("style"):
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", style.get_text()):
                assert url.startswith("data:"), f"{name}: CSS url({url[:60]})"
            assert "@import" not in style.get_text()
        assert "://" not in re.sub(r"data:[^\"')\s]+", "", page).replace("http://www.w3.org", ""), name


def test_relative_links_resolve(report):
    _, folder = report
    for name, page in pages(folder).items():
        for a in BeautifulSoup(page, "html.parser").find_all("a", href=True):
            target = a["href"].split("#")[0]
            if target:
                assert (folder / target).is_file(), f"{name} links to missing {target}"
    index = BeautifulSoup(pages(folder)["index.html"], "html.parser")
    hrefs = {a["href"] for a in index.find_all("a", href=True)}
    assert {"02_talent.html", "02_talent.ipynb", "03_openness.html", "data/figures.csv", "data/dalian-data.xlsx",
            "data/datapackage.json", "report.txt"} <= hrefs
    talent = BeautifulSoup(pages(folder)["02_talent.html"], "html.parser")
    assert {a["href"] for a in talent.find_all("a", href=True) if a["href"][0] != "#"} == {"index.html", "02_talent.ipynb"}
    assert "overview" in talent.get_text().lower() or "概览" in talent.get_text()  # no page to go to: text kept, unlinked


def test_links_to_sibling_notebooks_go_to_their_pages():
    page = render_notebook_html(indicator_notebook("en"), "x", "en", ("00_overview", "02_talent"))
    assert '<a href="00_overview.html">overview</a>' in page


def embedded_font(page: str) -> tuple[str, set[str], bytes]:
    from fontTools.ttLib import TTFont

    match = FONT_FACE.search(page)
    assert match, "no @font-face with a WOFF2 data URL"
    data = base64.b64decode(match.group(2))
    font = TTFont(io.BytesIO(data))
    assert font.flavor == "woff2"
    return match.group(1), {chr(c) for c in font.getBestCmap()}, data


def test_each_page_embeds_exactly_its_characters_of_the_bundled_font(report):
    _, folder = report
    for name, page in pages(folder).items():
        family, chars, _ = embedded_font(page)
        assert family == web_font.family_name()
        soup = BeautifulSoup(page, "html.parser")
        shown = set(visible_text(soup) + soup.title.string) & web_font.covered()
        assert chars == shown, f"{name}: extra {sorted(chars - shown)[:10]}, missing {sorted(shown - chars)[:10]}"
        css = soup.head.style.get_text()
        assert css.count(f'"{family}"') >= 3  # the @font-face and the font-family lists use one name
        assert "var(--cjk-family)" not in css


def test_font_subset_keeps_the_source_date_and_is_reproducible():
    from fontTools.ttLib import TTFont

    text = "大连市包容普惠创新 Dalian 2020"
    first = web_font.woff2_subset(text)
    assert first == web_font.woff2_subset(text)
    source = TTFont(io.BytesIO(web_font.font_bytes()))
    subset = TTFont(io.BytesIO(first))
    assert subset["head"].modified == source["head"].modified
    assert subset["name"].getDebugName(0) == source["name"].getDebugName(0)  # the copyright notice travels


def test_rendering_is_deterministic(tmp_path):
    nb = indicator_notebook("en")
    assert render_notebook_html(nb, "x", "en", ("02_talent",), name="02_talent") == render_notebook_html(
        nb, "x", "en", ("02_talent",), name="02_talent"
    )
    one = build_fixture_report(tmp_path / "one", "zh")
    two = build_fixture_report(tmp_path / "two", "zh")
    assert pages(one) == pages(two)


def test_english_pages_mark_every_chinese_character(tmp_path):
    folder = build_fixture_report(tmp_path, "en")
    for name, page in pages(folder).items():
        soup = BeautifulSoup(page, "html.parser")
        for node in soup.body.find_all(string=CJK):
            marked = node.parent if node.parent.has_attr("lang") else node.parent.find_parent(attrs={"lang": True})
            assert marked is not None and marked.name != "html" and marked["lang"] == "zh-Hans", (name, str(node))


def test_mark_chinese_keeps_text_and_wraps_runs():
    soup = BeautifulSoup('<p>Funds (人才发展资金) of 17.4亿元 and <b lang="zh">大连</b>.</p>', "html.parser")
    mark_chinese(soup)
    assert soup.get_text() == "Funds (人才发展资金) of 17.4亿元 and 大连."
    spans = [(s.string, s["lang"]) for s in soup.find_all("span")]
    assert spans == [("人才发展资金", "zh-Hans"), ("17.4亿元", "zh-Hans")]


def test_chinese_index_has_no_english_furniture(tmp_path):
    folder = build_fixture_report(tmp_path, "zh")
    text = visible_text(BeautifulSoup(pages(folder)["index.html"], "html.parser"))
    for section, entries in words().items():
        for key, text_ in entries.items():
            english = text_["en"].split("{")[0].strip()
            if re.search(r"[a-z]{4}", english) and english not in text_["zh"]:
                assert english not in text, f"{section}.{key}: {english!r} on the zh index"
    # what is left in Latin letters: file names, the error, the checksum and proper names
    leftover = re.sub(r"data/\S+|report\.txt|\.ipynb|CellExecutionError.*|[0-9a-f]{64}", "", text)
    assert set(re.findall(r"[A-Za-z]{3,}", leftover)) <= {"dalian", "data", "Excel", "Frictionless", "Data", "Package",
                                                          "CSV", "Parquet", "UTF", "SHA", "PNG", "SVG", "figs"}


def test_index_shows_findings_and_headlines_and_degrades_without_them(report):
    lang, folder = report
    soup = BeautifulSoup(pages(folder)["index.html"], "html.parser")
    talent, openness, environment = (soup.find("section", id=i) for i in ("talent", "openness", "environment"))
    assert "13.2%" in talent.select_one(".finding").get_text()
    assert talent.select_one("figure.headline img")["alt"] == TEXT[lang]["alt"]
    # no tags: no finding box, no chart, still the links
    assert openness.select_one(".finding") is None and openness.find("img") is None
    assert {a["href"] for a in openness.find_all("a")} == {"03_openness.html", "03_openness.ipynb"}
    # failed without output: the error, no links
    assert environment.select_one(".failed") and not environment.find("a")
    for tag in soup.body.find_all(["div", "figure", "section", "ul", "p", "dd"]):
        assert tag.get_text(strip=True) or tag.find("img"), f"empty <{tag.name} class={tag.get('class')}>"
    departments = soup.select(".department .nowrap")
    assert len(departments) == 3 and all(d.get_text() for d in departments)


def test_index_names_the_report_text_with_its_checksum(report):
    _, folder = report
    from dalian_data.source import REPORT_SHA256

    assert (folder / "report.txt").read_bytes().decode("utf-8") == __import__("dalian_data").report_text()
    assert REPORT_SHA256 in pages(folder)["index.html"]


def test_parameters_are_described_in_words_as_given():
    defaults = {"lang": "zh", "population": 7450785, "figure_dir": None, "decimals": 1, "show_quotes": False, "days_in_year": 366}
    zh = describe_parameters({"figure_dir": "figs/", "population": 8000000}, defaults, "zh")
    assert zh[0] == "语言：中文（默认值）"
    assert "人均指标所用的常住人口：8,000,000人" in zh
    assert "图表另存为 PNG 和 SVG 文件，保存在 figs/" in zh
    assert "一年按366天计算（默认值）" in zh
    en = describe_parameters({"lang": "en", "show_quotes": True}, defaults, "en")
    assert en[0] == "Language: English"
    assert "Figure tables show the sentence around each figure" in en
    assert "Charts are not saved as separate files (default)" in en


def test_no_absolute_local_path_on_any_page(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = build_fixture_report(tmp_path / "out", "en", figure_dir="figs/")
    for name, page in pages(folder).items():
        assert str(tmp_path) not in page, name
        assert str(Path.home()) + "/" not in page, name
    page = render_notebook_html(indicator_notebook("en"), "x", "en", path_aliases={"/root/work/figs": "figs/"})
    assert "/root/work" not in page


def test_tables_align_numbers_right_and_keep_short_names_whole(report):
    _, folder = report
    soup = BeautifulSoup(pages(folder)["02_talent.html"], "html.parser")
    table = soup.find("table")
    header = table.find("thead").find_all("tr")
    assert len(header) == 1, "pandas' index-name row is folded into the header"
    names = [th.get_text(strip=True) for th in header[0].find_all("th")]
    assert names[0] == TEXT["zh" if "编号" in names else "en"]["index_name"]
    value_cells = [row.find_all(["th", "td"])[2] for row in table.find("tbody").find_all("tr")]
    assert all("num" in cell["class"] for cell in value_cells)
    metric_cells = [row.find_all(["th", "td"])[1] for row in table.find("tbody").find_all("tr")]
    assert not any("num" in cell.get("class", []) for cell in metric_cells)
    id_cells = [row.find_all(["th", "td"])[0] for row in table.find("tbody").find_all("tr")]
    assert all("short" in cell["class"] for cell in id_cells + value_cells)  # ids and values never wrap


def test_stylesheet_has_print_rules_and_cjk_table_rules():
    css = resources.files("dalian_data").joinpath("data/report.css").read_text(encoding="utf-8")
    print_rules = css.split("@media print", 1)[1]
    assert "nav.site" in print_rules and "display: none" in print_rules
    assert re.search(r"\.indicator\s*{\s*break-before:\s*page", print_rules)
    assert re.search(r"\.num\s*{\s*text-align:\s*right", css) and re.search(r"\.short\s*{\s*white-space:\s*nowrap", css)


def test_bad_language_is_one_clear_line():
    with pytest.raises(ValueError, match=r"^lang 'fr' is not supported; allowed: 'zh' or 'en'$"):
        render_notebook_html(indicator_notebook("zh"), "x", "fr")
    with pytest.raises(ValueError, match=r"^lang 'fr' is not supported; allowed: 'zh' or 'en'$"):
        render_index([IndexEntry("02_talent", "t", True, True)], {}, "fr")


def test_words_file_parses_and_matches_the_module():
    data = tomllib.loads(resources.files("dalian_data").joinpath("data/html_words.toml").read_text(encoding="utf-8"))
    assert data == words()


def test_an_index_of_nothing_still_reads_as_a_page():
    soup = BeautifulSoup(render_index([], {}, "zh"), "html.parser")
    assert soup.h1.get_text() == words()["site"]["title"]["zh"]
    assert soup.select("section") == [soup.find("section", id="parameters")]


def test_the_overview_shows_its_finding_and_headline_when_tagged(tmp_path):
    import nbformat

    nbformat.write(indicator_notebook("en"), tmp_path / "00_overview.ipynb")
    from dalian_data.run.html_pages import read_highlights

    entry = IndexEntry("00_overview", "o", True, True, highlights=read_highlights(tmp_path / "00_overview.ipynb", "en"))
    section = BeautifulSoup(render_index([entry], {}, "en"), "html.parser").find("section", id="overview")
    assert section.select_one(".finding") and section.select_one("figure.headline img")["alt"] == TEXT["en"]["alt"]


def test_without_the_export_extra_the_downloads_are_csv_and_the_descriptor(tmp_path, monkeypatch):
    from dalian_data.publish import files as exporting
    from dalian_data.extras import MissingExtraError
    from dalian_data.publish.downloads import write_downloads

    real_export = exporting.export

    def core_only(directory, formats=exporting.FORMATS, **kwargs):
        if {"parquet", "xlsx"} & set(formats):
            raise MissingExtraError("export to parquet", "export", "pyarrow")
        return real_export(directory, formats, **kwargs)

    monkeypatch.setattr(exporting, "export", core_only)
    write_downloads(tmp_path, {"lang": "en"})
    written = sorted(p.name for p in (tmp_path / "data").iterdir())
    assert written and all(name.endswith((".csv", ".json")) for name in written)
    assert [d.href for d in downloads_in(tmp_path, "en")][-2:] == ["data/datapackage.json", "report.txt"]


def test_every_file_of_the_export_has_a_label_in_both_languages(report):
    lang, folder = report
    for item in downloads_in(folder, lang):
        assert item.label != item.href.split("/")[-1], f"{item.href} has no label in html_words.toml"
