"""The house style of dalian_data charts: one font, one palette, reproducible files.

Everything that decides how a chart looks or how its files come out lives
here, so the notebooks only call::

    from dalian_data.notebook import charts, style
    style.use_house_style()
    style.glyph_warnings_as_errors()  # a box instead of a character fails the run
    fig, ax = plt.subplots()
    ...
    charts.show(fig, "02_talent_funds", alt=..., lang="zh", figure_dir=figure_dir)

and :func:`dalian_data.notebook.charts.show` uses :func:`add_source` and
:func:`save_figure` (``figure_dir`` None: writes nothing).

Why a bundled font: the report is in Chinese, and most CI runners and many
laptops have no CJK font, so matplotlib would draw tofu boxes and only warn.
The package ships a subset of Noto Sans CJK SC (see ``fonts/README.txt``)
that covers all of GB2312 and every character of the report and the data,
and this module makes matplotlib use it without touching the machine's fonts.

This module imports matplotlib; ``dalian_data/__init__.py`` must not import
it, so that ``import dalian_data`` stays cheap for the CLI and the data API.
"""

from __future__ import annotations

import functools
import importlib.resources
import os
import unicodedata
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dalian_data.atomic import atomic_path
from dalian_data.extras import needs_extra
from dalian_data.parameters import check_lang

with needs_extra("dalian_data.notebook.style", "notebooks"):
    import matplotlib
    from fontTools.ttLib import TTFont
    from matplotlib import cycler, font_manager
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine, TightLayoutEngine

__all__ = [
    "FONT_PATH",
    "FONT_FAMILY",
    "FALLBACK_FAMILY",
    "INDICATOR_COLOURS",
    "SOURCE_LINES",
    "SVG_HASH_SALT",
    "GLYPH_WARNING_PATTERN",
    "use_house_style",
    "add_source",
    "save_figure",
    "missing_glyphs",
    "glyph_warnings_as_errors",
]

#: The bundled subset of Noto Sans CJK SC Regular, built by tools/build_font.py.
#: Resolved through importlib.resources so it works from a checkout and from an
#: installed wheel alike (the package must live on a file system, as pip puts it).
FONT_PATH: Path = importlib.resources.files("dalian_data") / "fonts" / "NotoSansCJKsc-Regular-subset.otf"


def _family_name(path: os.PathLike | str) -> str:
    """The font's family name from its name table (typographic name ID 16, else 1).

    Read from the file rather than hard-coded so the rcParams can never name
    a family that the registered file does not provide.
    """
    with TTFont(os.fspath(path), lazy=True) as font:
        table = font["name"]
        return table.getDebugName(16) or table.getDebugName(1)


#: Family name of the bundled font, as matplotlib's font manager knows it.
FONT_FAMILY: str = _family_name(FONT_PATH)

#: Second family in the font list. DejaVu Sans ships inside matplotlib, so it
#: exists everywhere; it only draws what the CJK subset lacks (Greek, arrows...).
FALLBACK_FAMILY = "DejaVu Sans"

#: One colour per secondary indicator, in report order. Okabe-Ito colours:
#: distinguishable with the common colour-vision deficiencies and in greyscale
#: print, and fixed so an indicator has the same colour in every chart.
INDICATOR_COLOURS: dict[str, str] = {
    "innovation": "#0072B2",  # blue
    "talent": "#E69F00",  # orange
    "openness": "#56B4E9",  # sky blue
    "public_services": "#CC79A7",  # reddish purple
    "environment": "#009E73",  # bluish green
    "transport": "#D55E00",  # vermilion
}

#: The source line of every chart, per language; it names the report.
SOURCE_LINES: dict[str, str] = {
    "zh": "数据来源：大连市《包容普惠创新》二级指标2020年工作情况（dalian-data）",
    "en": (
        "Source: Dalian municipal report on the 包容普惠创新 (inclusive & innovative "
        "development) indicators, 2020 (dalian-data)"
    ),
}

#: Fixed salt for the ids matplotlib hashes into SVG files (else a random uuid4).
SVG_HASH_SALT = "dalian-data"

#: Matches matplotlib's "Glyph 8722 (\N{MINUS SIGN}) missing from font(s) X."
#: (matplotlib/_text_helpers.py) and the older "Glyph 8722 missing from current font.".
GLYPH_WARNING_PATTERN = r".*[Gg]lyph .* missing from.*"

_SOURCE_GID = "dalian-data-source"  # marks the source line so add_source can find it
_SOURCE_FONTSIZE = 7.5  # points
_PNG_METADATA = {"Software": None}  # the matplotlib version is the only volatile bit
_SVG_METADATA = {"Date": None}  # else every save stamps the current time


def _house_rc() -> dict[str, Any]:
    """The rcParams of the house style (the font must be registered first)."""
    return {
        # A list, so matplotlib falls back per character: everything the subset
        # covers (Chinese, Latin, digits, U+2212) comes from one font for an
        # even look, and full-width punctuation stays full-width.
        "font.family": [FONT_FAMILY, FALLBACK_FAMILY],
        "font.size": 10.0,
        "axes.unicode_minus": True,  # U+2212, which the bundled font has
        "axes.titlesize": "large",
        "axes.titleweight": "normal",
        "axes.titlelocation": "left",
        "axes.labelsize": "medium",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.axisbelow": True,
        "axes.prop_cycle": cycler(color=list(INDICATOR_COLOURS.values())),
        "grid.color": "#d9d9d9",
        "grid.linewidth": 0.6,
        "legend.frameon": False,
        "figure.figsize": (8.0, 4.5),
        "figure.dpi": 100,
        "figure.constrained_layout.use": True,
        "savefig.dpi": 150,
        "savefig.bbox": "standard",  # keep the figure size exact
        "svg.fonttype": "path",  # text as outlines: no font needed to view the SVG
        "svg.hashsalt": SVG_HASH_SALT,
        "svg.id": None,
    }


def _register_font() -> None:
    """Add the bundled font to matplotlib's font manager, once.

    ``addfont`` registers a file for this process only; nothing is installed
    and no font cache on disk is touched.
    """
    path = os.fspath(FONT_PATH)
    known = {os.path.realpath(entry.fname) for entry in font_manager.fontManager.ttflist}
    if os.path.realpath(path) not in known:
        font_manager.fontManager.addfont(path)


def use_house_style() -> None:
    """Register the bundled font and set the house rcParams. Idempotent.

    Charts then render Chinese, Latin, digits and the minus sign from fonts
    the package carries (the bundled subset, then matplotlib's own DejaVu
    Sans), whatever fonts the machine has, and files saved later come out
    the same on every run.
    """
    _register_font()
    matplotlib.rcParams.update(_house_rc())


def _reserve_bottom(fig: Figure, height: float) -> None:
    """Keep the lowest *height* (figure fraction) free of axes for the source line."""
    engine = fig.get_layout_engine()
    if isinstance(engine, (ConstrainedLayoutEngine, TightLayoutEngine)):
        engine.set(rect=(0.0, height, 1.0, 1.0 - height))
    else:
        fig.subplots_adjust(bottom=fig.subplotpars.bottom + height)


def add_source(fig: Figure, lang: str) -> None:
    """Put the source line, naming the report, at the bottom left of *fig*.

    Every chart says where its numbers come from, in the chart's language
    (*lang* is "zh" or "en").  Space is reserved below the axes so the line
    never overlaps tick labels.  Calling it again replaces the line.
    """
    check_lang(lang)
    for text in fig.texts:
        if text.get_gid() == _SOURCE_GID:
            text.set_text(SOURCE_LINES[lang])
            return
    width, height = fig.get_size_inches()
    margin = 0.06  # inches from the figure's edges
    fig.text(margin / width, margin / height, SOURCE_LINES[lang], ha="left", va="bottom",
             fontsize=_SOURCE_FONTSIZE, color="#595959", gid=_SOURCE_GID)
    line = 1.6 * _SOURCE_FONTSIZE / 72  # points -> inches, with leading
    _reserve_bottom(fig, (margin + line) / height)


def _save_atomic(fig: Figure, path: Path, fmt: str, metadata: Mapping[str, Any]) -> None:
    """Save *fig* to *path* atomically: a failed save leaves the previous file (or none)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        fig.savefig(handle, format=fmt, metadata=dict(metadata))


def save_figure(fig: Figure, figure_dir: os.PathLike | str | None, name: str) -> list[Path]:
    """Write ``name.png`` and ``name.svg`` into *figure_dir*; do nothing if it is None.

    Notebooks pass their ``figure_dir`` parameter straight through, so a run
    without one writes nothing.  The files are byte-identical from run to
    run: no timestamp or matplotlib version in the metadata and a fixed SVG
    hash salt (enforced here even if the caller changed the rcParams), so
    regenerating the figures only shows up in git when a chart changed.
    Returns the paths written.
    """
    if figure_dir is None:
        return []
    if not name or Path(name).name != name or name in {".", ".."}:
        raise ValueError(f"name must be a plain file stem, got {name!r}")
    directory = Path(figure_dir)
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "path"}):
        for fmt, metadata in (("png", _PNG_METADATA), ("svg", _SVG_METADATA)):
            path = directory / f"{name}.{fmt}"
            _save_atomic(fig, path, fmt, metadata)
            written.append(path)
    return written


@functools.cache
def _covered_codepoints() -> frozenset[int]:
    """Code points in the bundled font's cmap (read once per process)."""
    with TTFont(os.fspath(FONT_PATH), lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> set[str]:
    """Characters of *text* the bundled font cannot draw.

    Whitespace and control characters are ignored: they are never drawn.
    Use it to check labels before plotting.  A character listed here is
    drawn from DejaVu Sans if that has it (Greek, some emoji), else as a box
    with a glyph warning; for Chinese, rebuild the font with
    tools/build_font.py, which picks up new characters from the data files.
    """
    covered = _covered_codepoints()
    return {
        char
        for char in set(text)
        if ord(char) not in covered and not char.isspace() and unicodedata.category(char) != "Cc"
    }


class glyph_warnings_as_errors:  # noqa: N801 - used like a function
    """Turn matplotlib's "Glyph ... missing from font(s)" warning into an error.

    A missing glyph is drawn as a box and matplotlib only warns, which is
    easy to miss in a notebook; as an error it fails the run instead.
    Call it bare to make the rest of the session strict, or use it as a
    context manager to scope it::

        style.glyph_warnings_as_errors()        # from here on
        with style.glyph_warnings_as_errors():  # only inside the block
            fig.canvas.draw()

    Other warnings are left alone.
    """

    def __init__(self) -> None:
        # Entered now so a bare call takes effect; __exit__ restores the
        # filters as they were before the call.
        self._scope = warnings.catch_warnings()
        self._scope.__enter__()
        warnings.filterwarnings("error", message=GLYPH_WARNING_PATTERN)

    def __enter__(self) -> glyph_warnings_as_errors:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._scope.__exit__(*exc_info)
