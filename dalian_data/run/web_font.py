"""The bundled CJK font as a web font: a WOFF2 subset holding exactly the characters of one page.

HTML pages cannot count on a Chinese system font (Debian has none by
default), so each page embeds the glyphs it uses from the font the charts use
(``dalian_data/fonts/``, SIL OFL 1.1) as an ``@font-face`` ``data:`` URL. A
page of the report needs a few hundred glyphs, some tens of kilobytes.

The output is deterministic: the same text gives the same bytes. fontTools
would stamp the current time into the ``head`` table on saving; the font is
opened with ``recalcTimestamp=False`` so the source font's date is kept.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from importlib import resources

from dalian_data.extras import needs_extra

FONT_RESOURCE = "fonts/NotoSansCJKsc-Regular-subset.otf"


@lru_cache(maxsize=1)
def font_bytes() -> bytes:
    """The bundled OpenType (CFF) font file."""
    return resources.files("dalian_data").joinpath(FONT_RESOURCE).read_bytes()


def _open(data: bytes):
    with needs_extra("HTML pages (web font)", "notebooks"):
        from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False)


@lru_cache(maxsize=1)
def family_name() -> str:
    """The font's family name, read from its name table (typographic name ID 16, else 1)."""
    font = _open(font_bytes())
    table = font["name"]
    return table.getDebugName(16) or table.getDebugName(1)


@lru_cache(maxsize=1)
def covered() -> frozenset[str]:
    """Every character the bundled font has a glyph for."""
    return frozenset(chr(code) for code in _open(font_bytes()).getBestCmap())


def woff2_subset(text: str) -> bytes:
    """The bundled font reduced to the characters of ``text`` it covers, as WOFF2 bytes.

    Names (copyright and licence included, as the OFL asks) and outlines are
    kept; characters the font lacks are left to the browser's other fonts.
    """
    with needs_extra("HTML pages (web font)", "notebooks"):
        from fontTools import subset

    options = subset.Options()
    options.flavor = "woff2"
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []
    font = _open(font_bytes())
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in text if c in covered()}))
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def font_face_css(text: str, family: str | None = None) -> str:
    """An ``@font-face`` rule embedding the subset for ``text`` under ``family`` (default: the font's own)."""
    data = base64.b64encode(woff2_subset(text)).decode("ascii")
    family = family or family_name()
    return (
        "@font-face {\n"
        f'  font-family: "{family}";\n'
        f'  src: url("data:font/woff2;base64,{data}") format("woff2");\n'
        "  font-weight: 400;\n  font-style: normal;\n  font-display: block;\n"
        "}\n"
    )
