"""HTML for people without Jupyter: one page per executed notebook, and an index.html that opens the report.

Every page is one self-contained file that loads nothing from anywhere: no
script, its stylesheet inline (``dalian_data/data/report.css``), charts as
``data:`` images, and the glyphs it uses from the bundled CJK font embedded as
a WOFF2 ``@font-face`` (:mod:`dalian_data.run.web_font`), so Chinese renders on a
machine without Chinese fonts. Pages are in one language, the run's: the
notebook's markdown cells tagged for the other language are dropped
(:func:`dalian_data.run.normalise.keep_language`), ``<html lang>`` is
``zh-Hans`` or ``en``, and on English pages every run of Chinese characters
is wrapped in ``<span lang="zh-Hans">`` for screen readers and font choice.
Code is left out (the ``.ipynb`` beside each page holds it); tables get
left-aligned text, right-aligned number columns and unbroken short names.

The index gives, per indicator, the notebook's key finding (the
``text/markdown`` output of the cell tagged ``key-finding``), its headline
chart (the PNG of the cell tagged ``headline``), links to its page and
notebook, then the data downloads written beside the pages and the run's
parameters in words. What a notebook lacks is left out, never shown empty.
The words around the notebooks' own text are in ``dalian_data/data/html_words.toml``.

Same input, same bytes: the output of a render depends on nothing else.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, Sequence

from dalian_data.catalogue import data_toml
from dalian_data.extras import needs_extra
from dalian_data.parameters import check_lang
from dalian_data.run.cells import joined, tags

SUMMARY_TAG = "summary"
KEY_FINDING_TAG = "key-finding"
HEADLINE_TAG = "headline"
OVERVIEW = "00_overview"
HTML_LANG = {"zh": "zh-Hans", "en": "en"}
DATA_DIR = "data"
#: The order in which the index describes the parameters (others follow, by name).
PARAMETER_ORDER = ("lang", "population", "decimals", "days_in_year", "show_quotes", "figure_dir")
REPORT_FILE = "report.txt"
#: The order in which the index offers the files under ``data/`` (others follow by name).
DOWNLOADS = (
    "figures.csv",
    "indicators.csv",
    "derived.csv",
    "measures.csv",
    "dalian-data.xlsx",
    "datapackage.json",
    "figures.parquet",
    "indicators.parquet",
    "derived.parquet",
    "measures.parquet",
)

# Han ideographs, CJK punctuation and full-width forms; a run may hold digits
# and Latin punctuation between them ("2019年以来", "“万人计划”").
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_RUN = re.compile(rf"[0-9.,%]*[{_CJK}](?:[{_CJK}0-9.,%·“”‘’\-–—/]*[{_CJK}”’])?")
# A cell that states a number: an optional qualifier, then a digit.
_NUMBER_CELL = re.compile(r"^(?:(?:about|over|nearly|almost|CNY|RMB|US\$|约|近|超过|逾|[+\-−±~≈])\s*)*\d")
_SHORT_CELL = 24  # display width (a Chinese character counts 2) up to which a cell never wraps
_LONG_CELL = 60
_UNBROKEN_RUN = 12  # a Chinese name or phrase up to this many characters is never broken across lines  # from this width a cell gets a minimum width, so a sentence is not a thin column


# --------------------------------------------------------------------------
# words and style
# --------------------------------------------------------------------------


@lru_cache(maxsize=1)
def words() -> dict[str, dict[str, dict[str, str]]]:
    """The report's furniture in both languages: ``words()[section][key][lang]``."""
    return data_toml("html_words.toml")


def word(section: str, key: str, lang: str, **fill: Any) -> str:
    """One entry of :func:`words` in ``lang``, with ``{name}`` fields filled in (not escaped)."""
    text = words()[section][key][lang]
    return text.format(**fill) if fill else text


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The pages' CSS, without the ``@font-face`` rule (that depends on the page's characters)."""
    from dalian_data.run.web_font import family_name

    css = resources.files("dalian_data").joinpath("data/report.css").read_text(encoding="utf-8")
    return css.replace("var(--cjk-family)", f'"{family_name()}"')



# --------------------------------------------------------------------------
# reading executed notebooks
# --------------------------------------------------------------------------



def notebook_title(nb: Mapping[str, Any], fallback: str) -> str:
    """The text of the first Markdown heading in the notebook, else ``fallback``."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        for line in joined(cell.get("source", "")).splitlines():
            match = re.match(r"\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", line)
            if match:
                return match.group(1)
    return fallback


def _tagged_outputs(nb: Mapping[str, Any], tag: str):
    for cell in nb.get("cells", []):
        if tag in tags(cell):
            yield from cell.get("outputs", [])


def _read_notebook(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None


def summary_html(output_notebook: Path) -> str | None:
    """The ``text/html`` output of the cell tagged ``summary`` in an executed notebook, if any."""
    nb = _read_notebook(output_notebook)
    for output in _tagged_outputs(nb or {}, SUMMARY_TAG):
        data = joined(output.get("data", {}).get("text/html"))
        if data:
            return data
    return None


@dataclass(frozen=True)
class Chart:
    """A PNG chart (base64, as stored in the notebook) and its description."""

    png_base64: str
    alt: str


@dataclass(frozen=True)
class Highlights:
    """What the index shows of one executed notebook: its title, key finding and headline chart."""

    title: str
    key_finding: str | None = None  # Markdown, in the run's language
    headline: Chart | None = None


def read_highlights(output_notebook: Path, lang: str) -> Highlights | None:
    """The title, key finding and headline chart of an executed notebook (None if it cannot be read).

    The key finding is the first ``text/markdown`` output of the cell tagged
    ``key-finding``; the headline the first ``image/png`` output of the cell
    tagged ``headline``, described by its ``alt`` metadata (else by the
    notebook's title). Either is None when the notebook has no such output.
    """
    nb = _read_notebook(output_notebook)
    if nb is None:
        return None
    nb = _one_language(nb, lang)
    title = notebook_title(nb, output_notebook.stem)
    finding = next(
        (joined(o["data"]["text/markdown"]).strip() for o in _tagged_outputs(nb, KEY_FINDING_TAG)
         if joined(o.get("data", {}).get("text/markdown")).strip()),
        None,
    )
    headline = None
    for output in _tagged_outputs(nb, HEADLINE_TAG):
        png = joined(output.get("data", {}).get("image/png")).replace("\n", "")
        if png:
            alt = output.get("metadata", {}).get("image/png", {}).get("alt") or title
            headline = Chart(png, alt)
            break
    return Highlights(title, finding, headline)


def _one_language(nb: Any, lang: str) -> Any:
    """``nb`` without the markdown cells of the other language (works on plain dicts too)."""
    import nbformat

    from dalian_data.run.normalise import keep_language

    if not isinstance(nb, nbformat.NotebookNode):
        nb = nbformat.from_dict(nb)
    return keep_language(nb, lang)


# --------------------------------------------------------------------------
# page assembly and post-processing
# --------------------------------------------------------------------------


def _display_width(text: str) -> int:
    return sum(2 if re.match(f"[{_CJK}]", c) else 1 for c in text)


def _soup(markup: str):
    with needs_extra("HTML pages", "notebooks"):
        from bs4 import BeautifulSoup

    return BeautifulSoup(markup, "html.parser")


def _add_class(tag: Any, name: str) -> None:
    classes = tag.get("class", [])
    if name not in classes:
        tag["class"] = [*classes, name]


def _merge_index_header(table: Any) -> None:
    """Fold pandas' second header row (the index name alone) into the first, so no header row is empty."""
    head = table.find("thead")
    rows = head.find_all("tr", recursive=False) if head else []
    if len(rows) != 2:
        return
    top, second = (row.find_all(["th", "td"], recursive=False) for row in rows)
    name = second[0].get_text(strip=True) if second else ""
    if name and top and not top[0].get_text(strip=True) and not any(c.get_text(strip=True) for c in second[1:]):
        top[0].string = name
        rows[1].decompose()


def style_tables(soup: Any) -> None:
    """Classes for the CJK table style: ``num`` on number columns, ``short`` (no wrap), ``long``."""
    for table in soup.find_all("table"):
        _merge_index_header(table)
        for cell in table.find_all(["td", "th"]):
            width = _display_width(cell.get_text(" ", strip=True))
            if width <= _SHORT_CELL:
                _add_class(cell, "short")
            elif width >= _LONG_CELL:
                _add_class(cell, "long")
        body_rows = [row.find_all(["td", "th"], recursive=False) for row in table.select("tbody > tr")]
        columns = max((len(row) for row in body_rows), default=0)
        for col in range(columns):
            texts = [row[col].get_text(strip=True) for row in body_rows if col < len(row)]
            texts = [t for t in texts if t]
            if not texts or not all(_NUMBER_CELL.match(t) for t in texts):
                continue
            for row in body_rows:
                if col < len(row):
                    _add_class(row[col], "num")
            head = table.find("thead")
            for row in head.find_all("tr") if head else []:
                cells = row.find_all(["td", "th"], recursive=False)
                if col < len(cells):
                    _add_class(cells[col], "num")


def mark_chinese(soup: Any, lang_code: str = "zh-Hans") -> None:
    """Wrap every run of Chinese characters outside a Chinese-marked element in ``<span lang>``.

    Short runs (names such as 包容普惠创新) also get the class ``nowrap``.
    """
    from bs4 import Comment, NavigableString

    for node in list(soup.find_all(string=_CJK_RUN)):
        if isinstance(node, Comment) or not isinstance(node, NavigableString):
            continue
        parent = node.parent
        if parent is None or parent.name in ("style", "script", "title", "textarea"):
            continue
        marked = parent if parent.has_attr("lang") else parent.find_parent(attrs={"lang": True})
        if marked is not None and marked.name != "html" and marked["lang"].startswith("zh"):
            continue
        text, pieces, last = str(node), [], 0
        for match in _CJK_RUN.finditer(text):
            if match.start() > last:
                pieces.append(NavigableString(text[last:match.start()]))
            span = soup.new_tag("span", attrs={"lang": lang_code})
            if len(match.group(0)) <= _UNBROKEN_RUN:
                span["class"] = ["nowrap"]
            span.string = match.group(0)
            pieces.append(span)
            last = match.end()
        if last < len(text):
            pieces.append(NavigableString(text[last:]))
        for piece in pieces:
            node.insert_before(piece)
        node.extract()


def _page(lang: str, title: str, body: str) -> str:
    """A whole page: the shell around ``body``, post-processed, with the font for its characters."""
    from dalian_data.run.web_font import font_face_css

    code = HTML_LANG[lang]
    soup = _soup(
        "<!DOCTYPE html>\n"
        f'<html lang="{code}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="dalian-data">\n'
        f"<title>{html.escape(title)}</title>\n<style></style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
    style_tables(soup)
    if lang != "zh":
        mark_chinese(soup)
    shown = soup.body.get_text() + title
    soup.head.style.string = "\n" + font_face_css(shown) + stylesheet()
    return soup.decode(formatter="html5")


def _nav(links: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<a href="{html.escape(href)}">{html.escape(text)}</a>' for href, text in links)
    return f'<nav class="site">{items}</nav>\n'


def _footer(lang: str) -> str:
    return f'<footer class="site"><p>{html.escape(word("site", "generated", lang))}</p></footer>\n'


# --------------------------------------------------------------------------
# notebook pages
# --------------------------------------------------------------------------


def _reader_cells(nb: Any) -> Any:
    """The cells a reader sees: no code cell without output, no stderr (warnings)."""
    nb = nb.copy()
    cells = []
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            outputs = [o for o in cell.get("outputs", []) if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            if not outputs:
                continue
            cell = cell.copy()
            cell["outputs"] = outputs
        cells.append(cell)
    nb.cells = cells
    return nb


def _describe_images(soup: Any, fallback: str) -> None:
    """Give every image without a description the nearest heading above it as ``alt``."""
    for img in soup.find_all("img"):
        if img.get("alt", "").strip() and not img["alt"].startswith("No description"):
            continue
        heading = img.find_previous(["h2", "h3", "h4"])
        text = heading.get_text(strip=True).rstrip("¶").strip() if heading else ""
        img["alt"] = text or fallback


def _link_siblings(soup: Any, siblings: Sequence[str]) -> None:
    """Point links at sibling notebooks (``00_overview.ipynb#x``) to their pages; unlink the others.

    A notebook that is not a sibling has neither page nor ``.ipynb`` beside
    this page, so a link to it could only be broken: its text stays, unlinked.
    """
    names = set(siblings)
    for a in soup.find_all("a", href=True):
        match = re.fullmatch(r"(?:\./)?([^/#:]+)\.ipynb(#.*)?", a["href"])
        if match and match.group(1) in names:
            a["href"] = f"{match.group(1)}.html{match.group(2) or ''}"
        elif match:
            a.unwrap()


def render_notebook_html(
    nb: Any,
    title: str,
    lang: str,
    siblings: tuple[str, ...] = (),
    *,
    name: str | None = None,
    path_aliases: Mapping[str, str] | None = None,
) -> str:
    """The executed notebook as a self-contained page in ``lang``, without code.

    ``title`` is used when the notebook has no heading. ``siblings``: names
    of notebooks with a page beside this one; links to their ``.ipynb`` go to
    their ``.html``. ``name``: this notebook's file name without suffix; the
    page then links to its ``.ipynb``. ``path_aliases`` maps local paths
    (e.g. the absolute ``figure_dir`` the kernel was given) to the text shown
    instead (the path as the user typed it).
    """
    from nbconvert import HTMLExporter

    lang = check_lang(lang)
    nb = _reader_cells(_one_language(nb, lang))
    title = notebook_title(nb, title)
    exporter = HTMLExporter(
        template_name="basic", exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    for local, shown in sorted((path_aliases or {}).items(), key=lambda item: -len(item[0])):
        body = body.replace(local, shown).replace(html.escape(local), html.escape(shown))
    soup = _soup(body)
    _describe_images(soup, title)
    _link_siblings(soup, siblings)
    links = [("index.html", word("site", "contents", lang))]
    if name:
        links.append((f"{name}.ipynb", word("index", "notebook_file", lang)))
    page_title = f"{title} · {word('site', 'title', lang)}"
    return _page(lang, page_title, _nav(links) + f"<main>\n{soup}\n</main>\n" + _footer(lang))


# --------------------------------------------------------------------------
# index
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexEntry:
    """One notebook's place in the index: its name, title, what exists of it and what it found."""

    name: str
    title: str
    has_html: bool
    has_notebook: bool
    error: str | None = None
    highlights: Highlights | None = None


@dataclass(frozen=True)
class Download:
    """A file beside the pages: its relative path, what it is, and its sha256 if shown."""

    href: str
    label: str
    sha256: str | None = None


def downloads_in(out_dir: Path, lang: str) -> list[Download]:
    """Every file under ``out_dir/data`` and the report text ``out_dir/report.txt``, if they exist.

    A file without a label in ``html_words.toml`` is offered under its name.
    """
    folder = out_dir / DATA_DIR
    files = sorted(
        (p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")) if folder.is_dir() else (),
        key=lambda name: (DOWNLOADS.index(name) if name in DOWNLOADS else len(DOWNLOADS), name),
    )
    labels = words()["downloads"]
    found = [Download(f"{DATA_DIR}/{file}", labels[file][lang] if file in labels else file) for file in files]
    report = out_dir / REPORT_FILE
    if report.is_file():
        digest = hashlib.sha256(report.read_bytes()).hexdigest()
        found.append(Download(REPORT_FILE, word("downloads", "report", lang), digest))
    return found


def _indicator_rows(lang: str) -> dict[str, dict[str, str]]:
    """Per indicator id: its name and lead department in ``lang``."""
    from dalian_data.tables import indicators

    suffix = "" if lang == "zh" else "_en"
    return {
        row["indicator_id"]: {"name": row[f"indicator{suffix}"], "department": row[f"lead_department{suffix}"]}
        for row in indicators().to_dict("records")
    }


def _indicator_id(name: str, known: Mapping[str, Any]) -> str | None:
    """``02_talent`` → ``talent`` when that is an indicator id."""
    stem = name.split("_", 1)[1] if re.match(r"\d+_", name) else name
    return stem if stem in known else None


def _markdown(text: str) -> str:
    from nbconvert.filters import markdown2html

    return markdown2html(text)


def _number(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


def describe_parameters(parameters: Mapping[str, Any], defaults: Mapping[str, Any], lang: str) -> list[str]:
    """Each parameter of the run as a sentence in ``lang`` (plain text), defaults marked.

    ``parameters`` are those the user gave (shown as given); ``defaults`` the
    notebooks' own values, used for every parameter the user did not give.
    """
    values = {**defaults, **parameters}
    lines = []
    for key in sorted(values, key=lambda k: (PARAMETER_ORDER.index(k) if k in PARAMETER_ORDER else len(PARAMETER_ORDER), k)):
        value = values[key]
        if key == "lang":
            text = word("parameters", "lang", lang)
        elif key == "figure_dir":
            text = word("parameters", "figure_dir", lang, value=value) if value else word("parameters", "figure_dir_none", lang)
        elif key == "show_quotes":
            text = word("parameters", f"show_quotes_{'true' if value else 'false'}", lang)
        elif key in ("population", "decimals", "days_in_year"):
            text = word("parameters", key, lang, value=_number(value))
        else:
            text = word("parameters", "other", lang, name=key, value=repr(value))
        if key not in parameters or (key in defaults and parameters[key] == defaults[key]):
            text += word("parameters", "default", lang)
        lines.append(text)
    return lines


def _highlight_blocks(found: Highlights | None) -> list[str]:
    """The key finding and the headline chart, each only when the notebook has it."""
    blocks = []
    if found and found.key_finding:
        blocks.append(f'<div class="finding">{_markdown(found.key_finding)}</div>')
    if found and found.headline:
        blocks.append(
            f'<figure class="headline"><img src="data:image/png;base64,{found.headline.png_base64}" '
            f'alt="{html.escape(found.headline.alt)}"></figure>'
        )
    return blocks


def _indicator_section(entry: IndexEntry, info: Mapping[str, str] | None, anchor: str, lang: str) -> str:
    esc = html.escape
    found = entry.highlights
    heading = info["name"] if info else (found.title if found else entry.title)
    parts = [f'<section class="indicator" id="{esc(anchor)}">', f"<h2>{esc(heading)}</h2>"]
    if info:
        parts.append(
            f'<p class="department">{esc(word("index", "lead_department", lang))}'
            f'<span class="nowrap">{esc(info["department"])}</span></p>'
        )
    if entry.error:
        kept = word("index", "previous_kept", lang) if entry.has_notebook else ""
        parts.append(f'<p class="failed">{esc(word("index", "failed", lang))}{esc(entry.error)} {esc(kept)}</p>')
    elif not entry.has_notebook:
        parts.append(f"<p>{esc(word('index', 'not_run', lang))}</p>")
    parts += _highlight_blocks(found)
    links = []
    if entry.has_html:
        links.append(f'<li><a href="{esc(entry.name)}.html">{esc(word("index", "read_more", lang))}</a></li>')
    if entry.has_notebook:
        links.append(f'<li><a href="{esc(entry.name)}.ipynb">{esc(word("index", "notebook_file", lang))}</a></li>')
    if links:
        parts.append(f'<ul class="links">{"".join(links)}</ul>')
    parts.append("</section>")
    return "\n".join(parts)


def _downloads_section(downloads: Sequence[Download], lang: str) -> str:
    if not downloads:
        return ""
    esc = html.escape
    items = []
    for item in downloads:
        items.append(f'<dt><a href="{esc(item.href)}">{esc(item.label)}</a></dt>')
        note = esc(item.href)
        if item.sha256:
            note += f' · {esc(word("downloads", "sha256", lang))}<span class="checksum">{item.sha256}</span>'
        items.append(f"<dd>{note}</dd>")
    return (
        f'<section id="downloads">\n<h2>{esc(word("downloads", "heading", lang))}</h2>\n'
        f'<p>{esc(word("downloads", "intro", lang))}</p>\n<dl class="downloads">\n' + "\n".join(items) + "\n</dl>\n</section>"
    )


def render_index(
    entries: list[IndexEntry],
    parameters: Mapping[str, Any],
    lang: str,
    summary: str | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
    downloads: Sequence[Download] = (),
) -> str:
    """The index page: the report's lead, the overview, each indicator's finding and chart, downloads, parameters.

    ``parameters``: those the user gave, shown as given; ``defaults``: the
    notebooks' defaults, for those the user did not give. ``summary``: the
    overview's summary table (HTML), shown with the overview. ``downloads``:
    see :func:`downloads_in`.
    """
    esc = html.escape
    lang = check_lang(lang)
    known = _indicator_rows(lang)
    parts = [
        "<header>",
        f"<h1>{esc(word('site', 'title', lang))}</h1>",
        f'<p class="lead">{esc(word("site", "lead", lang))}</p>',
        "</header>",
        "<main>",
    ]
    overview = next((e for e in entries if e.name == OVERVIEW), None)
    if overview is not None or summary:
        parts.append(f'<section id="overview">\n<h2>{esc(word("index", "overview", lang))}</h2>')
        parts += _highlight_blocks(overview.highlights if overview is not None else None)
        if summary:
            parts.append(summary)
        if overview is not None and overview.has_html:
            parts.append(f'<ul class="links"><li><a href="{esc(overview.name)}.html">'
                         f'{esc(word("index", "overview_link", lang))}</a></li>'
                         f'<li><a href="{esc(overview.name)}.ipynb">{esc(word("index", "notebook_file", lang))}</a></li></ul>')
        parts.append("</section>")
    others = []
    for entry in entries:
        if entry is overview:
            continue
        indicator = _indicator_id(entry.name, known)
        if indicator is None:
            others.append(entry)
            continue
        parts.append(_indicator_section(entry, known[indicator], indicator, lang))
    for entry in others:
        parts.append(_indicator_section(entry, None, entry.name, lang))
    parts.append(_downloads_section(downloads, lang))
    params = "".join(f"<li>{esc(line)}</li>" for line in describe_parameters(parameters, defaults or {}, lang))
    parts.append(
        f'<section id="parameters">\n<h2>{esc(word("parameters", "heading", lang))}</h2>\n'
        f'<ul class="parameters">{params}</ul>\n</section>'
    )
    parts.append("</main>")
    return _page(lang, word("site", "title", lang), "\n".join(parts) + "\n" + _footer(lang))
