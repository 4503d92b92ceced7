#!/usr/bin/env python3
"""Rebuild the Chinese font bundled in ``dalian_data/fonts/``.

The charts label Dalian's indicators in Chinese, and a machine without a CJK
font would draw every label as tofu boxes.  So the package ships its own
font: a subset of **Noto Sans CJK SC Regular** (SIL OFL 1.1), taken from the
Debian package ``fonts-noto-cjk``.  The full face is ~16 MB; the subset keeps
only what the project can print, which is a couple of MB:

* every character of GB2312 (the national standard set of 6,763 hanzi plus
  its symbols), so any ordinary simplified-Chinese label renders;
* printable ASCII, Latin-1, General Punctuation, CJK Symbols and Punctuation,
  Halfwidth and Fullwidth Forms, and a few math signs (− × ÷ ‰ °);
* every character of the seed report and of every file under
  ``dalian_data/data/``, read at build time, so a new label never goes missing.

Hinting, vertical metrics and OpenType layout tables are dropped: matplotlib
draws horizontal text, uses its own hinting, and CJK needs no shaping.

The build is deterministic: the same inputs give a byte-identical font (the
``head.modified`` timestamp is kept from the source instead of being set to
"now").  It also writes ``OFL.txt`` (the licence, taken from the Debian
package) and ``README.txt`` (what the subset is and how it was built) next to
the font.

Usage (needs ``apt-get install fonts-noto-cjk`` and fontTools)::

    python tools/build_font.py            # rebuild into dalian_data/fonts/
    python tools/build_font.py --check    # exit 1 if the committed font is stale
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import sys
import tempfile
import tomllib
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
FONT_DIR = ROOT / "dalian_data" / "fonts"
DATA_DIR = ROOT / "dalian_data" / "data"
SEED_REPORT = ROOT / "seeds" / "000_289f3813828c4e08.txt"

SOURCE_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEBIAN_DOC = Path("/usr/share/doc/fonts-noto-cjk")
SOURCE_FAMILY = "Noto Sans CJK SC"
SOURCE_STYLE = "Regular"
OUTPUT_NAME = "NotoSansCJKsc-Regular-subset.otf"

# The subset gets a family name of its own.  Were it still "Noto Sans CJK SC",
# matplotlib would pick, on a machine with fonts-noto-cjk installed, whichever
# of the two same-named fonts its cache lists first, i.e. the system one, and
# charts would depend on the machine after all.  No hyphen or colon: those
# would break matplotlib's fontconfig-pattern parsing of the name.
OUTPUT_FAMILY = "Noto Sans CJK SC DalianData"
OUTPUT_PS_NAME = "NotoSansCJKscDalianData-Regular"

# Debian's copyright file gives a stale "2010-2012, Google Corporation"
# notice; the OFL asks us to carry the real one.  This is the first line of
# upstream's Sans/LICENSE (github.com/notofonts/noto-cjk).  The reserved name
# "Source" is inherited from Adobe's Source Han Sans; our font is called
# "Noto Sans CJK SC", which does not use it.
UPSTREAM_NOTICE = (
    "Copyright 2014-2021 Adobe (http://www.adobe.com/), "
    "with Reserved Font Name 'Source'."
)
NOTICE_YEARS = "2014-2021 Adobe"  # must appear in the font's own name ID 0

# Unicode blocks kept whole, as (first, last) inclusive code points.
BLOCKS = {
    "printable ASCII": (0x20, 0x7E),
    "Latin-1 Supplement": (0xA0, 0xFF),
    "General Punctuation": (0x2000, 0x206F),
    "CJK Symbols and Punctuation": (0x3000, 0x303F),
    "Halfwidth and Fullwidth Forms": (0xFF00, 0xFFEF),
}
# Single characters charts need: minus, dashes, times, divide, per mille, degree.
EXTRA_CHARS = "\u2212\u2013\u2014\u00d7\u00f7\u2030\u00b0"

# name IDs kept: family/style/version (0-6) plus trademark, manufacturer,
# designer, description, URLs and the licence fields (7-14), which the OFL
# lets us use to carry the notice inside the binary.
KEPT_NAME_IDS = list(range(15))


def gb2312_chars() -> set[str]:
    """Every character of GB2312, via Python's codec over 0xA1A1-0xF7FE."""
    chars = set()
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # unassigned cell
    return chars


def block_chars() -> set[str]:
    """The whole Unicode blocks of ``BLOCKS`` plus ``EXTRA_CHARS``."""
    chars = {chr(cp) for first, last in BLOCKS.values() for cp in range(first, last + 1)}
    return chars | set(EXTRA_CHARS)


def _strings_in(value) -> list[str]:
    """All strings inside a parsed JSON/TOML value, keys included."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings_in(k) + _strings_in(v)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in _strings_in(item)]
    return []


def file_chars(path: Path) -> set[str]:
    """Characters a data file can put on a chart.

    The raw UTF-8 text is a superset of every value it holds; JSON and TOML
    are parsed too so that ``\\uXXXX`` escapes count as the characters they
    stand for.  Files that are not UTF-8 text (e.g. Parquet) are skipped with
    a note: their strings must also exist in a text file to be covered.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        print(f"note: {path.relative_to(ROOT)} is not UTF-8 text; skipped", file=sys.stderr)
        return set()
    chars = set(text)
    suffix = path.suffix.lower()
    if suffix == ".json":
        chars.update(*map(set, _strings_in(json.loads(text))))
    elif suffix == ".toml":
        chars.update(*map(set, _strings_in(tomllib.loads(text))))
    elif suffix in {".csv", ".tsv"}:
        dialect = "excel-tab" if suffix == ".tsv" else "excel"
        chars.update(*(set(cell) for row in csv.reader(io.StringIO(text), dialect) for cell in row))
    return chars


def project_chars() -> set[str]:
    """Characters of the seed report and of every file under the data dir."""
    chars = set(SEED_REPORT.read_text(encoding="utf-8"))
    for path in sorted(DATA_DIR.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            chars |= file_chars(path)
    return chars


def _codepoints(chars: set[str]) -> set[int]:
    """Code points of *chars*, C0/C1 control characters left out."""
    return {ord(c) for c in chars if ord(c) >= 0x20 and not 0x7F <= ord(c) < 0xA0}


def wanted_codepoints() -> tuple[list[int], list[int]]:
    """Code points for the subset: (required, all), both sorted.

    Required ones (GB2312, the extra signs, the project's own text) must be
    in the source font; the whole blocks are best effort, since they contain
    unassigned and format code points no font draws.
    """
    required = _codepoints(gb2312_chars() | set(EXTRA_CHARS) | project_chars())
    return sorted(required), sorted(required | _codepoints(block_chars()))


def _name(font: TTFont, typographic_id: int, legacy_id: int) -> str | None:
    """A name-table string, preferring the typographic (16/17) over legacy (1/2) ID."""
    table = font["name"]
    return table.getDebugName(typographic_id) or table.getDebugName(legacy_id)


def find_face(ttc: Path) -> int:
    """Index of the Noto Sans CJK SC Regular face in the collection, by name.

    The order of faces in the .ttc is not a stable interface, so the face is
    picked by family and style from its name table; exactly one must match.
    """
    collection = TTCollection(str(ttc), lazy=True)
    matches = [
        index
        for index, font in enumerate(collection.fonts)
        if _name(font, 16, 1) == SOURCE_FAMILY and _name(font, 17, 2) == SOURCE_STYLE
    ]
    collection.close()
    if len(matches) != 1:
        raise SystemExit(f"expected one {SOURCE_FAMILY} {SOURCE_STYLE} face in {ttc}, found {matches}")
    return matches[0]


def subset_options() -> subset.Options:
    """fontTools options: outlines + cmap + metrics only, no hinting or layout."""
    options = subset.Options()
    options.hinting = False
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "VORG", "vhea", "vmtx"]
    options.name_IDs = KEPT_NAME_IDS
    options.notdef_outline = True  # a visible box, should anything slip through
    options.recalc_timestamp = False  # determinism: keep head.modified from the source
    options.recalc_bounds = True
    options.canonical_order = True
    return options


def rename(font: TTFont) -> None:
    """Give the subset its own family and PostScript names, in name table and CFF.

    The CFF of the .ttc is shared by all faces and is named after the JP one;
    renaming it too keeps the file self-consistent (the PDF backend embeds
    fonts under their PostScript name).
    """
    old_ps = font["name"].getDebugName(6)
    replacements = {
        1: OUTPUT_FAMILY,
        3: (font["name"].getDebugName(3) or "").replace(old_ps, OUTPUT_PS_NAME),
        4: OUTPUT_FAMILY,
        6: OUTPUT_PS_NAME,
        16: OUTPUT_FAMILY,
    }
    for record in font["name"].names:
        if record.nameID in replacements:
            record.string = replacements[record.nameID]
    cff = font["CFF "].cff
    old_cff_name = cff.fontNames[0]
    cff.fontNames = [OUTPUT_PS_NAME]
    top = cff.topDictIndex[0]
    top.FullName = top.FamilyName = OUTPUT_FAMILY
    for fd in getattr(top, "FDArray", []):
        fd.FontName = fd.FontName.replace(old_cff_name, OUTPUT_PS_NAME)


def build_font(ttc: Path, codepoints: list[int]) -> tuple[bytes, list[int]]:
    """Subset the SC face of *ttc* to *codepoints*.

    Returns the OpenType bytes and the requested code points the source font
    itself lacks (those cannot be covered by any subset of it).
    """
    options = subset_options()
    font = TTFont(str(ttc), fontNumber=find_face(ttc), recalcTimestamp=False, lazy=False)
    notice = font["name"].getDebugName(0) or ""
    if NOTICE_YEARS not in notice:
        raise SystemExit(f"source copyright {notice!r} no longer matches UPSTREAM_NOTICE; update it")
    source_cmap = font.getBestCmap()
    absent = [cp for cp in codepoints if cp not in source_cmap]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    rename(font)
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=options.canonical_order)
    return buffer.getvalue(), absent


def ofl_text(copyright_file: Path) -> str:
    """The OFL 1.1 text from Debian's DEP-5 copyright file, with the notice on top."""
    lines = copyright_file.read_text(encoding="utf-8").splitlines()
    # the stand-alone licence paragraph, not the "License:" field of "Files: *"
    start = next(i for i, line in enumerate(lines)
                 if line == "License: SIL-1.1" and lines[i - 1] == "") + 1
    body = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break  # next stanza
        body.append("" if line == " ." else line[1:])
    header = [
        UPSTREAM_NOTICE,
        "Noto is a trademark of Google Inc.",
        "",
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.",
        "This license is copied below (from the Debian package fonts-noto-cjk),",
        "and is also available with a FAQ at: https://openfontlicense.org",
        "",
    ]
    return "\n".join(header + body).rstrip() + "\n"


def debian_version(doc_dir: Path) -> str:
    """The fonts-noto-cjk package version, from the top of its changelog."""
    with gzip.open(doc_dir / "changelog.Debian.gz", "rt", encoding="utf-8") as fh:
        first = fh.readline()
    return first.split("(", 1)[1].split(")", 1)[0]


def readme_text(font_bytes: bytes, codepoints: list[int], package_version: str) -> str:
    """README.txt: what the subset is, what it covers, how it was built."""
    font = TTFont(io.BytesIO(font_bytes))
    version = font["name"].getDebugName(5).split(";")[0]  # "Version 2.004"
    return f"""\
{OUTPUT_NAME}
{"=" * len(OUTPUT_NAME)}

A subset of Noto Sans CJK SC Regular, {version}, the simplified-Chinese
face of Google/Adobe's Noto CJK family, bundled so that dalian_data charts
render Chinese on any machine without installed CJK fonts.
dalian_data.notebook.style.use_house_style() registers it with matplotlib.

Source:   {SOURCE_TTC}
          (face "{SOURCE_FAMILY} {SOURCE_STYLE}", picked by its name table),
          Debian package fonts-noto-cjk {package_version}.
          Upstream: https://github.com/notofonts/noto-cjk
Coverage: {len(font.getBestCmap())} code points, {len(font.getGlyphOrder())} glyphs:
          all of GB2312 ({len(gb2312_chars())} characters: 6,763 hanzi plus symbols),
          printable ASCII, Latin-1, General Punctuation, CJK Symbols and
          Punctuation, Halfwidth and Fullwidth Forms (as far as the source
          font has them), the minus, times, divide, per-mille and degree
          signs (U+2212 U+00D7 U+00F7 U+2030 U+00B0), en/em dashes, and
          every character of seeds/000_289f3813828c4e08.txt and of the files
          under dalian_data/data/ at build time ({len(codepoints)} requested).
Dropped:  hinting, OpenType layout (GSUB/GPOS/GDEF/BASE), vertical metrics
          (vhea/vmtx/VORG), non-English names. Outlines are unchanged (CFF).

Rebuild:  apt-get install fonts-noto-cjk && python tools/build_font.py
          (fontTools.subset; deterministic: same inputs, same bytes).
          tests/test_font_coverage.py fails when a data file uses a
          character the font lacks: rebuild and commit the font then.

Names:    family "{OUTPUT_FAMILY}", PostScript name
          "{OUTPUT_PS_NAME}". The OFL would let the subset keep
          the name "Noto Sans CJK SC": it only bars modified versions from
          using a Reserved Font Name, and the one Noto CJK declares is
          "Source" (inherited from Adobe's Source Han Sans), which neither
          name contains. It is renamed anyway so that matplotlib cannot
          confuse it with a full Noto Sans CJK SC installed on the machine.
          "Noto" is a trademark of Google Inc., not a Reserved Font Name.

Licence:  SIL Open Font License 1.1, see OFL.txt, which must travel with
          the font. The licence covers the font only, not charts made with it.
"""


def write_atomic(path: Path, data: bytes) -> None:
    """Write *data* to *path* via a temp file in the same directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; package data must be world-readable
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def build_outputs(ttc: Path, doc_dir: Path) -> dict[str, bytes]:
    """The three files of dalian_data/fonts/, by name."""
    required, codepoints = wanted_codepoints()
    font_bytes, absent = build_font(ttc, codepoints)
    absent_required = sorted(set(absent) & set(required))
    if absent_required:
        shown = " ".join(f"U+{cp:04X} {chr(cp)}" for cp in absent_required)
        print(f"WARNING: the source font lacks {len(absent_required)} required characters, "
              f"which charts cannot draw: {shown}", file=sys.stderr)
    return {
        OUTPUT_NAME: font_bytes,
        "OFL.txt": ofl_text(doc_dir / "copyright").encode("utf-8"),
        "README.txt": readme_text(font_bytes, codepoints, debian_version(doc_dir)).encode("utf-8"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE_TTC, help="Noto Sans CJK Regular .ttc")
    parser.add_argument("--doc-dir", type=Path, default=DEBIAN_DOC, help="fonts-noto-cjk doc dir")
    parser.add_argument("--out-dir", type=Path, default=FONT_DIR, help="where to write the files")
    parser.add_argument("--check", action="store_true", help="compare with --out-dir, write nothing")
    args = parser.parse_args(argv)

    outputs = build_outputs(args.source, args.doc_dir)
    stale = [name for name, data in outputs.items()
             if not (args.out_dir / name).is_file() or (args.out_dir / name).read_bytes() != data]
    font_bytes = outputs[OUTPUT_NAME]
    print(f"{OUTPUT_NAME}: {len(font_bytes)} bytes, sha256 {hashlib.sha256(font_bytes).hexdigest()}")
    if args.check:
        for name in stale:
            print(f"stale: {args.out_dir / name}", file=sys.stderr)
        return 1 if stale else 0
    for name, data in outputs.items():
        write_atomic(args.out_dir / name, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
