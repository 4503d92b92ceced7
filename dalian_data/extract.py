"""Find the figures in Chinese statistical prose.

:func:`quantities` is general: it knows nothing about the Dalian report and is
tested on hand-written sentences as much as on the report. Every figure of
:func:`dalian_data.figures` is a row of ``quantities(report_text())``, so the
values shipped by this package are read from the text, never typed.

The rules, in the order the pattern applies them:

* a number is Arabic digits with an optional decimal part, or a Chinese
  numeral (三, 十五, 两千三百, 百 …); a bare 万 or 亿 is not a number
  (万人计划, 万人拥有量), a number after 第 is an ordinal and one after 每
  is the denominator of a rate (每千人), not a quantity;
* a scale word after the number (万, 亿, 万亿, 千万 …) multiplies the value;
* the unit or measure word comes next (longest match: 吨公里 before 吨);
  名 and 位 count people, so their unit is 人; a scale word followed by a
  person noun (63.71万中小学生) counts people too;
* 余 or 多 between number and unit, 超过/逾 before it or 以上 after it make
  the qualifier ``over``; 约/左右 ``about``; 近/接近/将近 ``nearly``;
* 增长/增加/提高/下降/减少 … right before the number make it a ``growth``
  (percent or multiple) or a ``change`` (any other unit); falls are negative;
* a percentage without such a verb is a ``share``;
* 人均, 每万名, 万人…拥有 earlier in the same clause make it a ``rate``: the
  unit says per whom (件/万人, 平方米/人) and the value is not scaled;
* a four-digit year followed by 年 is a date, not a quantity: it sets the
  ``period`` of the figures after it in its sentence ("2020", "2019–" for
  2019年以来);
* numbers inside quotation marks “…” or book titles 《…》 belong to names,
  and so do numbers glued to Latin letters (5G) or followed by 强 (500强):
  neither is a figure, because no unit follows them.
"""

from __future__ import annotations

import bisect
import re
from decimal import Decimal
from typing import NamedTuple

__all__ = ["quantities", "parse_chinese_numeral", "sentence_spans", "QUALIFIERS", "KINDS", "COLUMNS"]

QUALIFIERS = ("exact", "over", "about", "nearly")
KINDS = ("level", "growth", "change", "share", "rate")
COLUMNS = ("start", "end", "quote", "value", "unit", "qualifier", "kind", "period")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_SCALES = {"万亿": Decimal(10) ** 12, "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6,
           "十万": Decimal(10) ** 5, "亿": Decimal(10) ** 8, "万": Decimal(10) ** 4}

# Measure word as printed -> base unit. Longest spellings are tried first.
_UNITS = {
    "个百分点": "百分点", "百分点": "百分点", "个工作日": "工作日", "工作日": "工作日",
    "个月": "月", "吨公里": "吨公里", "人公里": "人公里", "标准箱": "标准箱",
    "平方公里": "平方公里", "平方米": "平方米", "立方米": "立方米", "千瓦时": "千瓦时",
    "千瓦": "千瓦", "公里": "公里", "千米": "公里", "公顷": "公顷", "小时": "小时",
    "分钟": "分钟", "人次": "人次", "部门": "个", "美元": "美元", "元": "元",
    "吨": "吨", "米": "米", "亩": "亩", "人": "人", "名": "人", "位": "人", "户": "户",
    "家": "家", "件": "件", "个": "个", "项": "项", "场": "场", "套": "套", "所": "所",
    "条": "条", "次": "次", "天": "天", "年": "年", "台": "台", "辆": "辆", "座": "座",
    "艘": "艘", "架": "架", "张": "张", "份": "份", "岁": "岁", "倍": "倍",
    "%": "%", "％": "%", "‰": "‰",
}
# Nouns that, after a scale word, count people without a measure word.
_PERSON_NOUNS = ("中小学生", "大学生", "学生", "居民", "职工", "市民", "游客", "群众")

_GROWTH_VERBS = {"增长": 1, "增加": 1, "提高": 1, "提升": 1, "上升": 1,
                 "下降": -1, "减少": -1, "降低": -1}
_QUALIFIER_BEFORE = {"超过": "over", "逾": "over", "约": "about", "大约": "about",
                     "接近": "nearly", "将近": "nearly", "近": "nearly"}
_QUALIFIER_AFTER = {"以上": "over", "左右": "about"}


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_QUANTITY = re.compile(
    rf"""
    (?:(?P<compare>同比|比上年|较上年)?(?P<verb>{_alternation(_GROWTH_VERBS)})了?)?
    (?P<before>{_alternation(_QUALIFIER_BEFORE)})?
    (?:
        (?<![0-9A-Za-z.第])(?P<arabic>[0-9]+(?:\.[0-9]+)?)(?![0-9A-Za-z])
        (?P<scale>{_alternation(_SCALES)})?
      |
        (?<![零〇一二两三四五六七八九十百千万亿第每])
        (?P<chinese>[零〇一二两三四五六七八九十百千][零〇一二两三四五六七八九十百千万亿]*)
    )
    (?P<some>余|多)?
    (?:
        (?P<unit>{_alternation(_UNITS)})(?P<after>{_alternation(_QUALIFIER_AFTER)})?
      |
        (?=(?P<noun>{_alternation(_PERSON_NOUNS)}))
    )
    """,
    re.VERBOSE,
)
_YEAR = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})年(以来|至今)?")
_SENTENCE_END = re.compile(r"[。！？!?\n]")
_CLAUSE_END = re.compile(r"[，,；;。！？!?、：:\n]")
_QUOTED = re.compile(r"“[^“”]*”|《[^《》]*》|「[^「」]*」")
_RATE_TRIGGER = re.compile(r"人均|每(?P<per>[十百千万]+)(?:名|个|位)?|(?P<per2>[十百千万]+)人[^，,；;。]{0,12}?拥有")
# Programme names built from a bare numeral: 千人计划, 百人工程.
_NAME_AFTER = re.compile(r"计划|工程|行动|战略")


def parse_chinese_numeral(text: str) -> int:
    """Value of a Chinese numeral: 十五 → 15, 两千三百 → 2300, 百 → 100.

    A run of digits with no 十/百/千/万/亿 reads digit by digit (二〇二〇 → 2020).
    """
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in "万亿" for ch in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total = section = number = 0
    for ch in text:
        if ch in _CN_DIGITS:
            number = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            section += (number or 1) * _CN_SMALL[ch]
            number = 0
        elif ch == "万":
            section = (section + number) * 10_000
            number = 0
        else:  # 亿
            total = (total + section + number) * 100_000_000
            section = number = 0
    return total + section + number


class _Index(NamedTuple):
    """Positions computed once per text, searched with bisect per match."""

    sentence_ends: list[int]
    clause_ends: list[int]
    quoted: list[tuple[int, int]]
    year_positions: list[int]
    year_periods: list[str]


def _index(text: str) -> _Index:
    years = [(m.start(), m.group(1) + ("–" if m.group(2) else "")) for m in _YEAR.finditer(text)]
    return _Index(
        sentence_ends=[m.start() for m in _SENTENCE_END.finditer(text)],
        clause_ends=[m.start() for m in _CLAUSE_END.finditer(text)],
        quoted=[m.span() for m in _QUOTED.finditer(text)],
        year_positions=[p for p, _ in years],
        year_periods=[y for _, y in years],
    )


def _previous_end(ends: list[int], pos: int) -> int:
    """Start of the segment holding ``pos``: one past the last delimiter before it."""
    i = bisect.bisect_left(ends, pos)
    return ends[i - 1] + 1 if i else 0


def sentence_spans(text: str, positions) -> list[tuple[int, int]]:
    """``(start, end)`` of the sentence holding each position; end includes its 。 but no newline."""
    ends = [m.start() for m in _SENTENCE_END.finditer(text)]
    spans = []
    for pos in positions:
        i = bisect.bisect_left(ends, pos)
        start = ends[i - 1] + 1 if i else 0
        end = ends[i] + 1 if i < len(ends) else len(text)
        spans.append((start, end - 1 if text[end - 1:end] == "\n" else end))
    return spans


def _inside_quotes(quoted: list[tuple[int, int]], pos: int) -> bool:
    i = bisect.bisect_right(quoted, (pos, float("inf")))
    return bool(i) and quoted[i - 1][0] < pos < quoted[i - 1][1]


def _rate_denominator(text: str, idx: _Index, clause_start: int, pos: int) -> str | None:
    """``"人"`` or ``"万人"`` when the clause says the figure is per person."""
    for trigger in _RATE_TRIGGER.finditer(text, clause_start, pos):
        if _inside_quotes(idx.quoted, trigger.start()):
            continue
        per = trigger.group("per") or trigger.group("per2")
        return f"{per}人" if per else "人"
    return None


def _period(idx: _Index, sentence_start: int, pos: int) -> str | None:
    i = bisect.bisect_left(idx.year_positions, pos)
    if i and idx.year_positions[i - 1] >= sentence_start:
        return idx.year_periods[i - 1]
    return None


def _is_name(text: str, m: re.Match) -> bool:
    """A bare numeral followed by a programme word names a programme (千人计划)."""
    chinese = m.group("chinese")
    return bool(chinese) and chinese in ("十", "百", "千", "万") and bool(_NAME_AFTER.match(text, m.end()))


def _read(m: re.Match) -> tuple[Decimal, str]:
    if m.group("arabic"):
        value = Decimal(m.group("arabic"))
        scale = m.group("scale")
        if scale:
            value *= _SCALES[scale]
    else:
        value = Decimal(parse_chinese_numeral(m.group("chinese")))
    unit = _UNITS[m.group("unit")] if m.group("unit") else "人"
    return value, unit


def _qualifier(m: re.Match) -> str:
    if m.group("some"):
        return "over"
    if m.group("before"):
        return _QUALIFIER_BEFORE[m.group("before")]
    if m.group("after"):
        return _QUALIFIER_AFTER[m.group("after")]
    return "exact"


def _rows(text: str):
    idx = _index(text)
    for m in _QUANTITY.finditer(text):
        number_start = m.start("arabic") if m.group("arabic") else m.start("chinese")
        if m.group("unit") == "年" and m.group("arabic") and _YEAR.match(text, number_start):
            continue  # a date, not a duration
        if m.group("noun") and not (m.group("scale") or m.group("some")):
            continue  # "3学生" is no count of people; "3万学生" is
        if _inside_quotes(idx.quoted, number_start) or _is_name(text, m):
            continue
        value, unit = _read(m)
        kind = "level"
        if m.group("verb"):
            value *= _GROWTH_VERBS[m.group("verb")]
            kind = "growth" if unit in ("%", "倍") else "change"
        elif unit in ("%", "‰"):
            kind = "share"
        else:
            per = _rate_denominator(text, idx, _previous_end(idx.clause_ends, number_start), number_start)
            if per:
                kind, unit = "rate", f"{unit}/{per}"
        sentence_start = _previous_end(idx.sentence_ends, number_start)
        yield (m.start(), m.end(), m.group(0), float(value), unit, _qualifier(m), kind,
               _period(idx, sentence_start, number_start))


def quantities(text: str):
    """Every quantity in ``text``, one row each, in order of appearance.

    Columns: ``start``/``end`` (offsets, ``text[start:end] == quote``),
    ``quote``, ``value`` (float, scale words applied, percent kept in
    percent), ``unit`` (base unit), ``qualifier`` (exact/over/about/nearly),
    ``kind`` (level/growth/change/share/rate) and ``period`` (or missing).
    """
    import pandas as pd

    from dalian_data.dtypes import strings

    if not isinstance(text, str):
        raise TypeError(f"quantities() takes a str, not {type(text).__name__}")
    columns = list(zip(*_rows(text))) or [()] * len(COLUMNS)
    data = dict(zip(COLUMNS, columns))
    return pd.DataFrame({
        "start": pd.array(data["start"], dtype="int64"),
        "end": pd.array(data["end"], dtype="int64"),
        "quote": strings(data["quote"]),
        "value": pd.array(data["value"], dtype="float64"),
        "unit": strings(data["unit"]),
        "qualifier": pd.Categorical(data["qualifier"], categories=QUALIFIERS),
        "kind": pd.Categorical(data["kind"], categories=KINDS),
        "period": strings(data["period"]),
    })
