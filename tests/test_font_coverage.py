"""The bundled font draws every character the project can put on a chart.

The cmap is read here with fontTools, independently of
``dalian_data.notebook.style.missing_glyphs``, so a bug there cannot hide a gap.
When a test here fails after a data change, rebuild the font with
``python tools/build_font.py`` (it reads the data files) and commit it.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import json
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "seeds" / "000_289f3813828c4e08.txt"
DATA_DIR = ROOT / "dalian_data" / "data"
FONT_DIR = importlib.resources.files("dalian_data") / "fonts"
FONT = FONT_DIR / "NotoSansCJKsc-Regular-subset.otf"

CHART_SIGNS = "\u2212\u2013\u2014\u00d7\u00f7\u2030\u00b0%\uff05\u3001\u3002\uff0c\uff08\uff09\u300a\u300b\u201c\u201d"


@cache
def covered() -> frozenset[int]:
    """Code points of the bundled font's best Unicode cmap."""
    with TTFont(str(FONT), lazy=True) as font:
        return frozenset(font.getBestCmap())


def uncovered(text: str) -> list[str]:
    """Drawable characters of *text* the font lacks, as 'U+XXXX c' for messages."""
    return [
        f"U+{ord(c):04X} {c}"
        for c in sorted(set(text))
        if ord(c) not in covered() and not c.isspace() and unicodedata.category(c) != "Cc"
    ]


def gb2312() -> str:
    """All of GB2312, decoded two-byte cell by cell over 0xA1A1-0xF7FE."""
    chars = []
    for lead in range(0xA1, 0xF8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.append(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def strings_in(value) -> list[str]:
    """Every string in a parsed value (dict keys included), recursively."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in strings_in(key) + strings_in(item)]
    if isinstance(value, (list, tuple)):
        return [s for item in value for s in strings_in(item)]
    return []


def _csv_strings(text: str, delimiter: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]


def _yaml_strings(text: str) -> list[str]:
    yaml = pytest.importorskip("yaml")
    return strings_in(yaml.safe_load(text))


def _parquet_strings(path: Path) -> list[str]:
    parquet = pytest.importorskip("pyarrow.parquet")
    table = parquet.read_table(path)
    return [s for column in table.to_pylist() for s in strings_in(column)] + table.column_names


TEXT_PARSERS = {
    ".json": lambda text: strings_in(json.loads(text)),
    ".toml": lambda text: strings_in(tomllib.loads(text)),
    ".csv": lambda text: _csv_strings(text, ","),
    ".tsv": lambda text: _csv_strings(text, "\t"),
    ".yaml": _yaml_strings,
    ".yml": _yaml_strings,
}


def data_strings(path: Path) -> list[str]:
    """The string values of a data file, parsed by its extension.

    Unknown text formats count as one big string; binary files other than
    Parquet are skipped, since nothing here can say which of their bytes
    are labels.
    """
    if path.suffix.lower() == ".parquet":
        return _parquet_strings(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        pytest.skip(f"{path.name} is neither UTF-8 text nor Parquet")
    parse = TEXT_PARSERS.get(path.suffix.lower(), lambda raw: [raw])
    return parse(text)


def data_files() -> list[Path]:
    """Files under dalian_data/data/ (others add them; read whatever is there)."""
    return sorted(p for p in DATA_DIR.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_font_covers_all_of_gb2312():
    chars = gb2312()
    assert len(chars) == 7445  # the codec itself did not change under us
    assert uncovered(chars) == []


def test_font_covers_printable_ascii_and_latin1():
    ascii_and_latin1 = "".join(map(chr, range(0x20, 0x7F))) + "".join(map(chr, range(0xA0, 0x100)))
    assert uncovered(ascii_and_latin1) == []


def test_font_covers_minus_dashes_and_chart_signs():
    assert uncovered(CHART_SIGNS) == []


def test_font_covers_fullwidth_digits_and_letters():
    fullwidth = "".join(chr(cp) for cp in range(0xFF01, 0xFF5F))
    assert uncovered(fullwidth) == []


def test_font_covers_every_character_of_the_report():
    assert uncovered(REPORT.read_text(encoding="utf-8")) == [], "rebuild with tools/build_font.py"


@pytest.mark.parametrize("path", data_files(), ids=lambda p: str(p.relative_to(DATA_DIR)))
def test_font_covers_every_string_in_data_file(path):
    missing = uncovered("".join(data_strings(path)))
    assert missing == [], f"{path.name} uses characters the font lacks; rebuild with tools/build_font.py"


def test_font_lacks_what_it_was_not_built_for():
    """Guards the checks above: a Hangul syllable and a CJK Ext-B character are absent."""
    assert uncovered("한 \U00020000\n") == ["U+D55C 한", "U+20000 \U00020000"]


def test_licence_and_readme_ship_next_to_font():
    ofl = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in ofl
    assert "Copyright 2014-2021 Adobe" in ofl
    readme = (FONT_DIR / "README.txt").read_text(encoding="utf-8")
    assert "Noto Sans CJK SC" in readme and "tools/build_font.py" in readme


def test_font_carries_ofl_notice_in_its_name_table():
    with TTFont(str(FONT), lazy=True) as font:
        assert "SIL Open Font License" in font["name"].getDebugName(13)
        assert "Adobe" in font["name"].getDebugName(0)
