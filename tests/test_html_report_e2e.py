"""End to end: ``dalian-data report --html`` pages render in Chromium.

Executes two real notebooks (the overview, whose summary table the index
embeds, and 02_talent) into a temporary folder, then opens the index and one
notebook page in headless Chromium: tables, decoded chart images and Chinese
text must show. Skips without Chromium outside CI, like the JupyterLab test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browser import assert_page_renders, browser_page, chromium_browser  # noqa: F401 -- fixtures by name
from dalian_data.cli import main


@pytest.fixture(scope="module")
def html_report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main(["report", "00_overview", "02_talent", "--html", "--jobs", "2", "--out", str(out)]) == 0
    return out / "default"


def test_index_links_every_page_and_shows_the_overview_summary(browser_page, html_report, tmp_path):
    index = html_report / "index.html"
    targets = re.findall(r'href="([^"#:]+\.html)"', index.read_text(encoding="utf-8"))
    assert {"00_overview.html", "02_talent.html"} <= set(targets)
    assert all((html_report / t).is_file() for t in targets), targets
    summary = assert_page_renders(browser_page, index, min_images=0, min_tables=1,
                                  expected_text=("人才流动便利度", "02_talent"), screenshot=tmp_path / "index.png")
    assert summary is not None


def test_a_notebook_page_shows_its_charts_tables_and_chinese(browser_page, html_report, tmp_path):
    assert_page_renders(browser_page, html_report / "02_talent.html", min_images=2, min_tables=1,
                        expected_text=("人才发展资金",), screenshot=tmp_path / "02_talent.png")
