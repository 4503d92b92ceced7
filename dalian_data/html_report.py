"""HTML for people without Jupyter: one page per executed notebook and an index linking them.

Each page is nbconvert's ``lab`` template with images embedded, so a page is a
single file that can be mailed or served as is; ``<meta charset="utf-8">`` and
a ``lang`` attribute make browsers pick a CJK font for the Chinese text.
The index lists the notebooks with their titles and status and, when the
executed ``00_overview`` notebook has a cell tagged ``summary``, shows that
cell's HTML output (the overview's summary table) above the list.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

SUMMARY_TAG = "summary"
OVERVIEW = "00_overview"


def notebook_title(nb: Mapping[str, Any], fallback: str) -> str:
    """The text of the first Markdown heading in the notebook, else ``fallback``."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for line in source.splitlines():
            match = re.match(r"\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return match.group(1)
    return fallback


def render_notebook_html(nb: Any, title: str, lang: str, siblings: tuple[str, ...] = ()) -> str:
    """The notebook as a standalone HTML page (nbconvert ``lab`` template, images embedded).

    Links to sibling notebooks (``[Overview](00_overview.ipynb)``) are pointed
    at their HTML pages, so a reader of the pages stays in the browser.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", embed_images=True, language_code=lang if lang else "zh")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    if '<meta charset="utf-8"' not in body.lower():
        body = body.replace("<head>", '<head>\n<meta charset="utf-8">', 1)
    if siblings:
        names = "|".join(re.escape(name) for name in siblings)
        body = re.sub(rf'href="(\./)?({names})\.ipynb(#[^"]*)?"', r'href="\2.html\3"', body)
    return body


def summary_html(output_notebook: Path) -> str | None:
    """The ``text/html`` output of the cell tagged ``summary`` in an executed notebook, if any."""
    try:
        nb = json.loads(output_notebook.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    for cell in nb.get("cells", []):
        if SUMMARY_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {}).get("text/html")
            if data:
                return "".join(data) if isinstance(data, list) else data
    return None


@dataclass(frozen=True)
class IndexEntry:
    """One notebook's row in the index: its name, title, and what exists of it."""

    name: str
    title: str
    has_html: bool
    has_notebook: bool
    error: str | None = None


_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.failed { color: #a00; }
code { background: #f4f4f4; padding: 0 .2rem; }
"""


def render_index(
    entries: list[IndexEntry], parameters: Mapping[str, Any], lang: str, summary: str | None
) -> str:
    """The index page: parameters, the overview's summary if there is one, and a row per notebook."""
    esc = html.escape
    if parameters:
        params = ", ".join(f"<code>{esc(name)} = {esc(repr(value))}</code>" for name, value in parameters.items())
    else:
        params = "the notebooks' defaults"
    rows = []
    for entry in entries:
        if entry.has_html:
            link = f'<a href="{esc(entry.name)}.html">{esc(entry.name)}</a>'
        else:
            link = esc(entry.name)
        if entry.has_notebook:
            link += f' (<a href="{esc(entry.name)}.ipynb">ipynb</a>)'
        if entry.error:
            kept = "; previous output shown" if entry.has_notebook else ""
            status = f'<span class="failed">failed: {esc(entry.error)}{kept}</span>'
        else:
            status = "ok"
        rows.append(f"<tr><td>{link}</td><td>{esc(entry.title)}</td><td>{status}</td></tr>")
    summary_block = f'<section id="summary">\n{summary}\n</section>\n' if summary else ""
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>dalian-data report</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
        "<h1>大连市包容普惠创新指标 · dalian-data report</h1>\n"
        f"<p>Parameters: {params}</p>\n"
        f"{summary_block}"
        "<table>\n<thead><tr><th>Notebook</th><th>Title</th><th>Status</th></tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>\n</body>\n</html>\n"
    )
