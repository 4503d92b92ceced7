"""End to end: ``dalian-data report --html`` in headless Chromium, offline, without a Chinese system font.

Runs two real notebooks (the overview and 02_talent) in Chinese and in
English, then opens index.html and every page it links to from file://, with
every request to another host blocked (tests/browser.py): no console error,
no such request, no visible code, described images, every link resolving, and
Chinese drawn with the font the page embeds (the machine has no CJK font, so
nothing else could draw it). A report built from fixture notebooks that
follow the notebooks' contract (tests/report_fixtures.py) shows the index's
key findings and headline charts. Skips without Chromium outside CI.

Screenshots go to the test's tmp_path, or to $DALIAN_E2E_SCREENSHOTS when set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from report_fixtures import TEXT, build_fixture_report

from browser import assert_report_page, browser_page, chromium_browser  # noqa: F401 -- fixtures by name
from dalian_data.cli import main
from dalian_data.run.web_font import family_name

LANGS = ("zh", "en")


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DALIAN_E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module", params=LANGS)
def real_report(request, tmp_path_factory) -> tuple[str, Path]:
    lang = request.param
    out = tmp_path_factory.mktemp(f"report-{lang}")
    args = ["report", "00_overview", "02_talent", "--html", "--jobs", "2", "--out", str(out)]
    if lang != "zh":
        args += ["-p", "lang", lang]
    assert main(args) == 0
    return lang, out / ("default" if lang == "zh" else f"lang-{lang}")


def test_every_page_reachable_from_the_index_renders_offline(browser_page, real_report, tmp_path):
    lang, folder = real_report
    family = family_name()
    shot_dir = shots(tmp_path)
    index = assert_report_page(browser_page, folder / "index.html", lang=lang, family=family,
                               screenshot=shot_dir / f"index-{lang}.png")
    targets = sorted({href.split("#")[0] for href in index["links"] if not href.startswith("#")})
    missing = [t for t in targets if not (folder / t).is_file()]
    assert not missing, f"index links to missing files: {missing}"
    assert {"00_overview.html", "02_talent.html", "02_talent.ipynb", "data/figures.csv", "data/dalian-data.xlsx",
            "data/datapackage.json", "report.txt"} <= set(targets)
    for target in (t for t in targets if t.endswith(".html")):
        state = assert_report_page(browser_page, folder / target, lang=lang, family=family, min_images=1,
                                   screenshot=shot_dir / f"{Path(target).stem}-{lang}.png")
        for href in state["links"]:
            if not href.startswith("#"):
                assert (folder / href.split("#")[0]).is_file(), f"{target} links to missing {href}"


@pytest.mark.parametrize("lang", LANGS)
def test_index_shows_each_key_finding_and_headline_chart(browser_page, tmp_path, lang):
    folder = build_fixture_report(tmp_path / "report", lang, figure_dir="figs/")
    state = assert_report_page(browser_page, folder / "index.html", lang=lang, family=family_name(), min_images=1,
                               screenshot=shots(tmp_path) / f"fixture-index-{lang}.png")
    assert TEXT[lang]["finding"].replace("**", "") in state["text"]
    assert [img["alt"] for img in state["images"]] == [TEXT[lang]["alt"]]
    assert "figs/" in state["text"]
    assert_report_page(browser_page, folder / "02_talent.html", lang=lang, family=family_name(), min_images=2)


def test_the_check_fails_on_a_page_that_does_not_embed_the_font_or_links_a_cdn(browser_page, tmp_path):
    """The browser check can fail: without the @font-face there is nothing to draw Chinese with."""
    import re

    folder = build_fixture_report(tmp_path / "report", "zh")
    page = (folder / "02_talent.html").read_text(encoding="utf-8")
    broken = re.sub(r"@font-face\s*{[^}]*}", "", page, count=1)
    broken = broken.replace("</head>", '<script src="https://cdn.example.org/require.js"></script></head>', 1)
    (folder / "broken.html").write_text(broken, encoding="utf-8")
    with pytest.raises(AssertionError) as failure:
        assert_report_page(browser_page, folder / "broken.html", lang="zh", family=family_name())
    message = str(failure.value)
    assert "statuses []" in message and "drawn with" in message
    assert "request to another host: https://cdn.example.org/require.js" in message
