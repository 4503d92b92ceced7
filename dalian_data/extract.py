"""Find the quantities in Chinese statistical prose.

:func:`quantities` is general: it knows nothing about the Dalian report and is
measured on a corpus of hand-written bulletin and news sentences
(``tests/extract_corpus``) as much as on the report. Every figure of
:func:`dalian_data.figures` is a row of ``quantities(report_text())``, so the
values shipped by this package are read from the text, never typed.

The text is first folded (:func:`dalian_data.numerals.fold`): full-width
digits and signs and traditional characters become their simplified twins one
character for one character, so offsets stay those of the original. Then one
pass finds every numeral; all context (verbs, qualifiers, units, years,
quotation marks, clause ends) is read from bounded windows around it or from
positions found once per text (marked in a byte per character, or sorted and
searched with numpy's ``searchsorted`` or ``bisect``), so the time is linear in the length
of the text. The rules are listed in README.md ("The
extractor's rules").
"""

from __future__ import annotations

import bisect
import functools
import gc
import re
from collections import namedtuple
from decimal import Decimal
from typing import NamedTuple

from dalian_data.numerals import TooLarge, fold, parse_chinese_numeral, parse_numeral

__all__ = ["quantities", "skipped_quantities", "parse_chinese_numeral", "sentence_spans",
           "QUALIFIERS", "KINDS", "COLUMNS", "SKIPPED_COLUMNS"]

QUALIFIERS = ("exact", "over", "about", "nearly", "under")
KINDS = ("level", "growth", "change", "share", "rate")
COLUMNS = ("start", "end", "quote", "value", "upper", "unit", "qualifier", "kind",
           "period", "period_start", "period_end", "base")
SKIPPED_COLUMNS = ("start", "end", "quote", "reason")


def _alternation(words) -> str:
    """A regex for any of ``words``, the longest where several match, shaped as a trie.

    ``个(?:工作日|月|百分点)?|…``: words sharing a first character share one branch, so the engine
    tests a character once instead of trying a hundred units in turn. The greedy ``?`` tries the
    longer words first, as the plain longest-first alternation does (tested).
    """
    rests: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        rests.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, tails in rests.items():
        longer = [tail for tail in tails if tail]
        branch = re.escape(first)
        if len(longer) == 1 and "" not in tails:
            branch += _alternation(longer)  # one word: 工作日, not 工(?:作(?:日))
        elif longer:
            branch += f"(?:{_alternation(longer)})" + ("?" if "" in tails else "")
        branches.append(branch)
    return "|".join(branches)


# Measure word as printed (after folding) -> base unit. Longest spellings win.
_UNITS = {
    "个百分点": "百分点", "百分点": "百分点", "个工作日": "工作日", "工作日": "工作日",
    "个月": "月", "吨公里": "吨公里", "人公里": "人公里", "标准箱": "标准箱", "标箱": "标准箱",
    "平方公里": "平方公里", "平方千米": "平方公里", "平方米": "平方米", "立方米": "立方米",
    "千瓦时": "千瓦时", "兆瓦时": "兆瓦时", "千瓦": "千瓦", "兆瓦": "兆瓦", "公里": "公里", "千米": "公里",
    "公顷": "公顷", "小时": "小时", "分钟": "分钟", "人次": "人次", "架次": "架次", "航次": "航次", "艘次": "艘次",
    "车次": "车次", "户次": "户次", "部门": "个", "美元": "美元", "港元": "港元", "港币": "港元",
    "欧元": "欧元", "英镑": "英镑", "日元": "日元", "元人民币": "元", "人民币": "元", "元": "元",
    "公斤": "千克", "千克": "千克", "斤": "斤", "吨": "吨", "毫米": "毫米", "厘米": "厘米", "海里": "海里",
    "米": "米", "亩": "亩", "升": "升", "周年": "周年", "人": "人", "名": "人", "位": "人", "户": "户",
    "家": "家", "件": "件", "个": "个", "项": "项", "场": "场", "套": "套", "所": "所", "种": "种",
    "处": "处", "条": "条", "次": "次", "天": "天", "年": "年", "周": "周", "台": "台", "辆": "辆",
    "座": "座", "艘": "艘", "架": "架", "张": "张", "份": "份", "岁": "岁", "倍": "倍", "列": "列",
    "批": "批", "届": "届", "株": "株", "棵": "棵", "宗": "宗", "起": "起", "例": "例", "笔": "笔",
    "栋": "栋", "间": "间", "头": "头", "只": "只", "部": "部", "篇": "篇", "册": "册", "摄氏度": "摄氏度", "微克": "微克", "毫克": "毫克", "克": "克",
    "℃": "摄氏度", "%": "%", "‰": "‰",
    "TEU": "标准箱", "km²": "平方公里", "km2": "平方公里", "km": "公里", "m²": "平方米", "m2": "平方米",
    "m³": "立方米", "m3": "立方米", "kWh": "千瓦时", "MWh": "兆瓦时", "kW": "千瓦", "MW": "兆瓦",
    "GW": "吉瓦", "kg": "千克", "t": "吨", "ha": "公顷",
}
# Measure words read only after Arabic digits: 十分/一度/一日 are words, 92.5分/30日 are not.
_ARABIC_ONLY_UNITS = {"分": "分", "度": "度", "日": "日"}
_ALL_UNITS = {**_UNITS, **_ARABIC_ONLY_UNITS}
# Nouns that, after a scale word, count people without a measure word.
_PERSON_NOUNS = ("中小学生", "大学生", "学生", "居民", "职工", "市民", "游客", "群众", "人口")

_RISE = ("增长", "增加", "提高", "提升", "上升", "上涨", "攀升", "回升", "扩大", "加快", "成长", "年增", "上修", "多出")
_FALL = ("下降", "减少", "降低", "回落", "下滑", "微跌", "下跌", "缩小", "收窄", "放缓", "缩减", "下调", "下修", "年减")
# Single characters that are verbs only after a comparison (比上年多5天, 同比低1.2个百分点).
_COMPARED_RISE = ("增", "多", "高", "快", "涨", "升")
_COMPARED_FALL = ("减", "降", "少", "低", "慢", "跌")
_GROWTH_NOUNS = {"增幅": 1, "增速": 1, "涨幅": 1, "增长率": 1, "成长率": 1, "年增率": 1, "降幅": -1, "跌幅": -1}
# 同比, 比上年, 较1-6月份, 比规模以上工业增加值 …: what a change is measured against.
_COMPARE = (r"(?:同比|环比)(?:实际|名义)?"
            r"|(?<![占对无相])(?:比|较)(?:[0-9]{4}年(?:同期|末|底)?|[0-9]{1,2}(?:[-~—][0-9]{1,2})?月份?"
            r"|第?[一二三四]季度|上半年|前三季度|上年同期|上年|去年同期|去年"
            r"|(?![重例率较])[^\s，,。；;、：:0-9%零〇一二两三四五六七八九十百千万亿]{1,12}?)(?:实际|名义)?")
# 高于全国3.5个百分点: the difference from what is named between the verb and the number.
_DIFFERENCE = {"高于": 1, "高出": 1, "快于": 1, "多于": 1, "低于": -1, "慢于": -1, "少于": -1}

_QUALIFIER_BEFORE = {"超过": "over", "逾": "over", "超": "over", "多于": "over", "高于": "over", "突破": "over",
                     "约": "about", "大约": "about", "约为": "about", "大概": "about",
                     "接近": "nearly", "将近": "nearly", "近": "nearly", "逼近": "nearly", "几近": "nearly",
                     "不足": "under", "不到": "under", "低于": "under", "少于": "under", "未满": "under",
                     "不超过": "under", "未超过": "under", "不高于": "under", "约合": "about", "约占": "about",
                     "约有": "about"}
_QUALIFIER_AFTER = {"以上": "over", "有余": "over", "左右": "about", "上下": "about",
                    "以下": "under", "以内": "under", "之内": "under", "不到": "under"}

_CN = "零〇一二两三四五六七八九"
# The first characters a prefix can start with: verbs, nouns, qualifiers, 同比/环比/比/较, 分别, differences, 负.
_PREFIX_FIRST = "".join(sorted({w[0] for w in (*_RISE, *_FALL, *_GROWTH_NOUNS, *_QUALIFIER_BEFORE, *_DIFFERENCE)}
                               | set("同环比较分负 ")))
_PREFIX = re.compile(
    rf"""(?=[{re.escape(_PREFIX_FIRST)}])  # a cheap test at each start the search tries
    (?:
        (?P<compare>{_COMPARE})?(?P<fen>分别)?
        (?:(?P<verb>{_alternation(_RISE + _FALL)})|(?P<noun>{_alternation(_GROWTH_NOUNS)}))
        (?:了|为|达到|达|是)?(?P<to>到|至)?
      | (?P<compare1>{_COMPARE})(?P<fen1>分别)?(?P<verb1>{_alternation(_COMPARED_RISE + _COMPARED_FALL)})了?
      | (?P<diff>{_alternation(_DIFFERENCE)})(?P<diffobj>[^0-9\s，,。；;、：:{_CN}]{{1,12}})
      | (?P<compare2>同比|环比)
    )?
    [ ]?(?P<before>{_alternation(_QUALIFIER_BEFORE)})?(?P<neg>负)?[ ]?\Z""",
    re.VERBOSE,
)
_PREFIX_WINDOW = 16
# A prefix can only end in one of these characters (or be a difference phrase: 高于全国 …), so most
# numbers skip the prefix search: the scan stays cheap on text dense with figures.
_PREFIX_LAST = frozenset(
    w[-1] for w in (*_RISE, *_FALL, *_COMPARED_RISE, *_COMPARED_FALL, *_GROWTH_NOUNS, *_QUALIFIER_BEFORE,
                    "了", "为", "达", "是", "到", "至", "负", " ", "比", "际", "义")
)
_DIFFERENCE_WORD = re.compile(_alternation(_DIFFERENCE))
_LIST_OR_RANGE_NEXT = frozenset("、和及与或以,-~至到—")

_ARABIC = r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]{1,3}(?:[ ][0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_SCALE_CHAR = r"(?:万|亿|兆(?!瓦|字节|赫|帕)|千(?!瓦|米|克)|百(?!分)|十)"
_NUMERAL = rf"""
    (?:(?P<arabic>{_ARABIC})|(?P<chinese>[{_CN}十百千廿卅]+(?:[点.][{_CN}]+)?(?![点.][0-9])))
    (?:(?:(?P<some1>多|余)|[ ])?{_SCALE_CHAR}+(?:(?:多|余)(?=[万亿]))?(?:{_ARABIC}|[{_CN}]+(?:[点.][{_CN}]+)?)?)*
"""
_NUMBER = re.compile(
    rf"""
    (?=[-+0-9{_CN}十百千廿卅])  # one cheap test per character before the costly alternatives
    (?P<sign>(?<![0-9A-Za-z)%])[-+])?
    (?:
        (?<![{_CN}十百千万亿兆第每])(?P<pct>百分之|千分之)(?P<pctnum>[0-9.]+|[{_CN}十百千]+(?:点[{_CN}]+)?)
      | (?<![{_CN}十百千万亿兆第每0-9])(?P<den>[{_CN}十百千]+|[0-9]+)分之(?P<numer>[{_CN}十百千]+(?:点[{_CN}]+)?|[0-9]+)
      | (?<![{_CN}十百千万亿兆第0-9.])(?P<cheng>[一二两三四五六七八九]|十|[1-9])成(?P<cheng2>[一二三四五六七八九](?!成))?
            (?!群|为|了|功|果|立|本|员|交|就|效|熟|长|都|型|品|套|绩|分|份|年|人|片|批|千|百|万|倍|全|不变|一片|绩)
      | (?<![0-9A-Za-z.{_CN}十百千万亿兆廿卅第每])(?<![0-9][, ])(?P<numeral>{_NUMERAL})
    )
    (?P<some>余|多)?
    (?:
        (?P<space>\ )?(?P<unit>{_alternation(_ALL_UNITS)})(?:/(?P<per_unit>{_alternation(_UNITS)}))?
      | \((?P<pscale>万|亿|千|百万|千万)?(?P<punit>{_alternation(_UNITS)})\)
    )?
    (?P<after>{_alternation(_QUALIFIER_AFTER)})?
    """,
    re.VERBOSE,
)


def _groups(name: str, pattern: re.Pattern):
    """A named tuple of ``pattern``'s groups: ``_make(m.groups())`` costs a third of ``m.groupdict()``."""
    return namedtuple(name, sorted(pattern.groupindex, key=pattern.groupindex.get))


_NumberGroups = _groups("_NumberGroups", _NUMBER)
_PrefixGroups = _groups("_PrefixGroups", _PREFIX)
_LATIN_TAIL = re.compile(r"[A-Za-z0-9]")
_PERSON_AHEAD = re.compile(_alternation(_PERSON_NOUNS))

_YEAR = re.compile(
    r"(?=[0-9前上下第一二三四])"
    r"(?:(?<![0-9])(?P<y>(?:19|20)[0-9]{2})年?(?:(?:-|~|至|到|—)(?P<y2>(?:19|20)[0-9]{2}))?年"
    r"(?P<since>以来|至今)?"
    r"(?:(?P<m1>[0-9]{1,2}|[一二三四五六七八九十]{1,3})(?:(?:-|~|至|到|—)(?P<m2>[0-9]{1,2}|[一二三四五六七八九十]{1,3}))?月"
    r"|(?P<q>前三季度|上半年|下半年|[一二三四]季度|第[一二三四]季度|前两季度))?"
    r"|(?<![0-9年])(?P<m1b>[0-9]{1,2})(?:月份?)?(?:(?:-|~|至|到|—)(?P<m2b>[0-9]{1,2}))?月份?(?![0-9]{1,2}日|[0-9]{1,2}号)"
    r"|(?P<qb>前三季度|上半年|下半年|第?[一二三四]季度))"
)
_CN_YEAR = re.compile(r"[一二][〇零O○Ｏ九一二三四五六七八][〇零O○Ｏ一二三四五六七八九]{2}年")
_COMPARED_BEFORE = re.compile(r"(?:比|较|与|同|和|跟|相比|高于|低于|于)\Z")
_COMPARED_AFTER = re.compile(r"同期|相比|的")
_SENTENCE_ENDS = "。！？!?\n"
_CLAUSE_ENDS = "，,；;、：:" + _SENTENCE_ENDS
_SENTENCE_END = re.compile(f"[{_SENTENCE_ENDS}]")
_QUOTED = re.compile(r"“[^“”\n]{0,80}”|‘[^‘’\n]{0,80}’|\"[^\"\n]{0,80}\"|《[^《》\n]{0,80}》|「[^「」\n]{0,80}」"
                     r"|『[^『』\n]{0,80}』|〈[^〈〉\n]{0,80}〉")
_RATE_TRIGGER = re.compile(r"(?=[人每十百千万])(?:人均|每(?P<per>[十百千万]+)(?:名|个|位)?|(?P<per2>[十百千万]+)人[^，,；;。]{0,12}?拥有"
                           r"|每(?P<perunit>平方米|平方公里|公里|吨|千瓦时|户|辆|件|亩|公顷|标准箱))")
# Numerals that are words, not quantities: set phrases and programme names.
_SET_PHRASE = re.compile(
    r"(?=[一二两三四五六七八九个十百千万最])(?:三次产业|一次性|一次办|一件事|一条龙|一张网|一张图|一张蓝图|一站式|一盘棋|一揽子|一把手|[一二两三四五六七八九个]位数"
    r"|三位一体|二次供水|最多跑一次|十[一二三四五六七八九]五|[百千万]年|一成不变|五位一体|一人一|一批|一系列|一些)"
)
_NAME_AFTER = re.compile(r"计划|工程|行动|战略|强")
_WINDOW_BEFORE = re.compile(r"(?:创|过去|近|未来|今后|最近|前)\Z")
_WINDOW_AFTER = re.compile(r"来|以来|新高|新低|之最|以内|内|间|中")
_LIST_SEPARATOR = re.compile(r"(?:、|和|及|与|以及|或|,)\Z")
_RANGE_SEPARATOR = re.compile(r"(?:-|~|至|到|—|－)\Z")


class _Found(NamedTuple):
    start: int
    end: int
    value: Decimal
    upper: Decimal | None
    unit: str | None
    scale: str
    qualifier: str
    kind: str | None  # None: to be decided from the unit
    sign: int  # direction from a verb: +1, -1, or 0 for none
    printed_sign: bool
    to_level: bool
    number_start: int


def _positions(pattern: re.Pattern, text: str) -> list[int]:
    return [m.start() for m in pattern.finditer(text)]


def _char_positions(codes, chars: str):
    """Sorted positions (an int64 array) of any of ``chars`` in a text given as its code points."""
    import numpy as np

    return np.flatnonzero(np.isin(codes, [ord(c) for c in chars], kind="table"))


def _previous_end(ends, pos: int) -> int:
    """Start of the segment holding ``pos``: one past the last delimiter before it (``ends`` an array)."""
    i = int(ends.searchsorted(pos))
    return int(ends[i - 1]) + 1 if i else 0


def sentence_spans(text: str, positions) -> list[tuple[int, int]]:
    """``(start, end)`` of the sentence holding each position; end includes its 。 but no newline."""
    ends = _positions(_SENTENCE_END, text)
    spans = []
    for pos in positions:
        i = bisect.bisect_left(ends, pos)
        start = ends[i - 1] + 1 if i else 0
        end = ends[i] + 1 if i < len(ends) else len(text)
        spans.append((start, end - 1 if text[end - 1:end] == "\n" else end))
    return spans


def _covered(spans, length: int, strict: bool) -> bytearray:
    """One byte per position of a text, 1 where a span covers it: a lookup instead of a bisect per number.

    ``spans`` come sorted; one that overlaps the last kept span is dropped. A strict span covers the
    positions inside it (a quote's marks are not inside it), else those from its start to its end.
    """
    covered = bytearray(length + 1)
    kept_end = 0
    for a, b in spans:
        if a >= kept_end:
            covered[a + strict:b] = b"\x01" * (b - a - strict)
            kept_end = b
    return covered


class _Period(NamedTuple):
    label: str
    start: tuple[int, int, int]
    end: tuple[int, int, int] | None


_QUARTERS = {"前三季度": (1, 9), "上半年": (1, 6), "下半年": (7, 12), "前两季度": (1, 6),
             "一季度": (1, 3), "二季度": (4, 6), "三季度": (7, 9), "四季度": (10, 12)}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _month(text: str) -> int | None:
    value = int(text) if text.isdigit() else parse_chinese_numeral(text)
    return value if 1 <= value <= 12 else None


def _month_end(year: int, month: int) -> tuple[int, int, int]:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return (year, month, 29 if month == 2 and leap else 28 if month == 2 else _MONTH_DAYS[month - 1])


def _months_period(year: int, first: int, last: int) -> _Period:
    label = f"{year}-{first:02d}" if first == last else f"{year}-{first:02d}–{year}-{last:02d}"
    return _Period(label, (year, first, 1), _month_end(year, last))


class _Index(NamedTuple):
    sentence_ends: np.ndarray  # sorted positions
    clause_ends: np.ndarray  # sorted positions
    paragraph_ends: np.ndarray  # sorted positions
    quoted: bytearray  # inside quotation marks or book-title marks
    excluded: bytearray  # dates, set phrases
    period_positions: list[int]
    periods: list[_Period]
    base_positions: list[int]
    bases: list[str]
    rate_positions: list[int]
    rate_pers: list[str]


def _index(text: str, folded: str) -> _Index:
    quoted = _covered((m.span() for m in _QUOTED.finditer(folded)), len(folded), strict=True)
    excluded = [m.span() for m in _CN_YEAR.finditer(text)]
    excluded += [m.span() for m in _SET_PHRASE.finditer(folded)]
    import numpy as np

    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    # clause ends hold the sentence ends, which hold the paragraph ends: one pass over the text, then subsets
    clause_ends = _char_positions(codes, _CLAUSE_ENDS)
    sentence_ends = clause_ends[_char_positions(codes[clause_ends], _SENTENCE_ENDS)]
    paragraph_ends = clause_ends[codes[clause_ends] == ord("\n")]
    events: list[tuple[int, _Period]] = []  # in text order: finditer reads left to right
    base_positions, bases = [], []
    for m in _YEAR.finditer(folded):
        if quoted[m.start()]:
            continue
        excluded.append(m.span())
        if m.group("y"):
            y = int(m.group("y"))
            before = _COMPARED_BEFORE.search(folded, max(0, m.start() - 2), m.start())
            if before or _COMPARED_AFTER.match(folded, m.end()):
                if not m.group("m1") and not m.group("q"):
                    base_positions.append(m.start())
                    bases.append(m.group("y"))
                    continue
            if m.group("y2"):
                period = _Period(f"{y}–{m.group('y2')}", (y, 1, 1), (int(m.group("y2")), 12, 31))
            elif m.group("since"):
                period = _Period(f"{y}–", (y, 1, 1), None)
            else:
                period = _Period(str(y), (y, 1, 1), (y, 12, 31))
            first = last = None
            if m.group("m1"):
                first = _month(m.group("m1"))
                last = _month(m.group("m2")) if m.group("m2") else first
            elif m.group("q"):
                first, last = _QUARTERS[m.group("q").lstrip("第")]
            if first and last and first <= last and not m.group("y2"):
                period = _months_period(y, first, last)
            events.append((m.start(), period))
        else:
            if _COMPARED_BEFORE.search(folded, max(0, m.start() - 2), m.start()):
                continue  # 比一季度加快: the compared quarter, no period
            q = m.group("qb")
            first = _QUARTERS[q.lstrip("第")][0] if q else _month(m.group("m1b"))
            last = _QUARTERS[q.lstrip("第")][1] if q else _month(m.group("m2b") or m.group("m1b"))
            scoped = events and events[-1][0] >= _previous_end(paragraph_ends, m.start())
            if scoped and first and last and first <= last:  # the months of the year in scope
                events.append((m.start(), _months_period(events[-1][1].start[0], first, last)))
    rates = [(m.start(), m.group("perunit") or f"{m.group('per') or m.group('per2') or ''}人")
             for m in _RATE_TRIGGER.finditer(folded) if not quoted[m.start()]]
    excluded.sort()
    return _Index(
        sentence_ends=sentence_ends,
        clause_ends=clause_ends,
        paragraph_ends=paragraph_ends,
        quoted=quoted,
        excluded=_covered(excluded, len(folded), strict=False),
        period_positions=[p for p, _ in events],
        periods=[e for _, e in events],
        base_positions=base_positions,
        bases=bases,
        rate_positions=[p for p, _ in rates],
        rate_pers=[per for _, per in rates],
    )


def _difference_words(folded: str) -> tuple[list[int], list[int]]:
    """Starts and ends of every difference word (高于, 少于 …), found in one pass over the text.

    No word's last character begins another, so the words never overlap and one ``finditer`` finds
    them all; their ends are sorted as their starts are.
    """
    starts, ends = [], []
    for m in _DIFFERENCE_WORD.finditer(folded):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def _prefix(folded: str, start: int, differences: tuple[list[int], list[int]]) -> re.Match | None:
    """The words before a number (verb, comparison, qualifier …), or None when none can end there.

    A prefix ends in one of a few characters, or holds a difference word (高于全国 …) that starts
    in the window and ends before the number (looked up in ``differences``, from
    :func:`_difference_words`); elsewhere the search is skipped.
    """
    if not start:
        return None
    low = max(0, start - _PREFIX_WINDOW)
    if folded[start - 1] not in _PREFIX_LAST:
        starts, ends = differences
        i = bisect.bisect_right(ends, start)  # the last difference word ending by the number
        if not i or starts[i - 1] < low:
            return None
    return _PREFIX.search(folded, low, start)


_TRAILING_SCALE = re.compile(r"[万亿兆千百十]*$")
_SCALE_SUFFIX = {"": Decimal(1), "十": Decimal(10), "百": Decimal(100), "千": Decimal(1000),
                 "万": Decimal(10) ** 4, "十万": Decimal(10) ** 5, "百万": Decimal(10) ** 6, "千万": Decimal(10) ** 7,
                 "亿": Decimal(10) ** 8, "万亿": Decimal(10) ** 12, "兆": Decimal(10) ** 12}


def _read_match(m: re.Match, g: _NumberGroups) -> tuple[Decimal, str, str | None, str]:
    """(value, scale characters printed, unit, kind hint) of one numeral match."""
    if g.pct:
        value = parse_numeral(g.pctnum)
        return value, "", "%" if g.pct == "百分之" else "‰", "percent"
    if g.den:
        den, numer = parse_numeral(g.den), parse_numeral(g.numer)
        if den == 0:
            raise ValueError("zero denominator")
        return numer / den * 100, "", "%", "percent"
    if g.cheng:
        tens = parse_numeral(g.cheng)
        ones = parse_numeral(g.cheng2) if g.cheng2 else Decimal(0)
        return tens * 10 + ones, "", "%", "percent"
    numeral = g.numeral
    arabic = g.arabic
    scale = numeral[len(arabic):] if arabic else None
    if scale in _SCALE_SUFFIX and "," not in arabic and " " not in arabic and len(arabic) < 300:
        # the common 7825.9亿 or 12.5: no tokenising
        value = Decimal(arabic) * _SCALE_SUFFIX[scale] if scale else Decimal(arabic)
    else:
        body = numeral.replace("多", "").replace("余", "").replace(" ", "")
        value = parse_numeral(body)
        scale = "" if body[-1:].isdigit() else _TRAILING_SCALE.search(body).group(0)
    unit = None
    printed = g.unit
    if printed:
        if printed in _UNITS or g.arabic:
            unit = _ALL_UNITS[printed]
            if g.per_unit:
                unit = f"{unit}/{_UNITS[g.per_unit]}"
    elif g.punit:
        unit = _UNITS[g.punit]
        if g.pscale:
            value *= parse_numeral(g.pscale)
    return value, scale, unit, ""


def _without_cycle_collection(function):
    """``function`` run with Python's cycle collector paused (and resumed after, if it was running).

    A scan allocates several tuples per number and keeps them all, none in a reference cycle; the
    collector would pass over them again and again while they pile up, a sixth of the time on
    text dense with figures. Reference counting still frees everything as usual.
    """
    @functools.wraps(function)
    def paused(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()
    return paused


@_without_cycle_collection
def _scan(text: str) -> tuple[list[tuple], list[tuple]]:
    """The rows of :func:`quantities` and of :func:`skipped_quantities`, in order of appearance."""
    folded = fold(text)
    idx = _index(text, folded)
    differences = _difference_words(folded)
    quoted, excluded = idx.quoted, idx.excluded
    number_groups = _NumberGroups._make
    found: list[_Found] = []
    skipped = []
    for m in _NUMBER.finditer(folded):
        g = number_groups(m.groups())
        numeral = g.numeral
        if numeral and not g.unit and not g.punit:
            # A bare number is kept only to join a list or range, or to count people (3万学生): decide cheaply.
            end = m.end("numeral") if (g.after or g.some) else m.end()
            if folded[end:end + 1] not in _LIST_OR_RANGE_NEXT and not (
                    (not numeral[-1].isdigit() or g.some) and _PERSON_AHEAD.match(folded, end)):
                if len(numeral) > 300:  # long enough to be too large: say so, as for any number
                    try:
                        _read_match(m, g)
                    except TooLarge as error:
                        skipped.append((m.start(), m.end(), text[m.start():m.end()], str(error)))
                    except (ValueError, ArithmeticError):
                        pass
                continue
        number_start = m.start()  # a match starts with its sign or its number (tested)
        if quoted[number_start] or excluded[number_start]:
            continue
        end = m.end()
        try:
            value, scale, unit, hint = _read_match(m, g)
        except TooLarge as error:
            skipped.append((m.start(), end, text[m.start():end], str(error)))
            continue
        except (ValueError, ArithmeticError):
            continue
        if g.unit and unit is None:  # an Arabic-only unit after a Chinese numeral
            end = m.start("unit")
        elif g.unit and unit.isascii() and _LATIN_TAIL.match(folded, m.end("per_unit") if g.per_unit else m.end("unit")):
            unit, end = None, m.start("unit")  # 3t is a unit, 3ton a word
        if unit is None and numeral:
            if not g.space and _LATIN_TAIL.match(folded, end):
                continue  # 5G, 4K: part of a name
            if (scale or g.some) and _PERSON_AHEAD.match(folded, end):
                unit = "人"  # 63.71万中小学生
        if unit is None and not hint:
            if g.after or g.some:
                end = m.end("numeral")  # 多/以上 belong to no unit
            if folded[end:end + 1] not in _LIST_OR_RANGE_NEXT:
                continue  # a bare number that joins no list or range
        if not _keep(m, g, folded, unit, end):
            continue
        pre = _prefix(folded, number_start, differences)
        sign, kind, to_level, negated, start = 0, None, False, False, number_start
        if pre is None or pre.start() == pre.end():
            p = _NO_PREFIX  # no words before the number, the common case
        else:
            p = _PrefixGroups._make(pre.groups())
            negated = bool(p.neg)
            verb = p.verb or p.verb1
            if verb:
                sign = -1 if verb in _FALL or verb in _COMPARED_FALL else 1
                to_level = bool(p.to)
            elif p.noun:
                sign, kind = _GROWTH_NOUNS[p.noun], "growth"
            elif p.diff:
                sign = _DIFFERENCE[p.diff]
            elif p.compare2:
                sign = 1
            groups = _QUOTED_PREFIX if not (p.fen or p.fen1) else _QUOTED_PREFIX_LIST
            start = min((pre.start(group) for group in groups if p[group - 1]), default=start)
        printed_sign = bool(g.sign) or negated
        if g.sign == "-" or negated:
            value = -value
        found.append(_Found(start, end, value, None, unit, scale, _qualifier(g, p), kind, sign, printed_sign,
                            to_level, number_start))
    return _rows(_join_lists_and_ranges(found, folded), text, idx), skipped


# Prefix groups (by number) whose words belong to the quote; after 分别 the comparison is shared, so it is left out.
_QUOTED_PREFIX_LIST = tuple(_PREFIX.groupindex[name]
                            for name in ("verb", "verb1", "noun", "diff", "compare2", "before", "neg"))
_QUOTED_PREFIX = _QUOTED_PREFIX_LIST + (_PREFIX.groupindex["compare"], _PREFIX.groupindex["compare1"])
_NO_PREFIX = _PrefixGroups(*[None] * len(_PrefixGroups._fields))


def _keep(m: re.Match, g: _NumberGroups, folded: str, unit: str | None, end: int) -> bool:
    """False for numerals that are names, ordinals, dates or comparison windows."""
    numeral = g.numeral
    if numeral:
        if numeral in ("十", "百", "千") and _NAME_AFTER.match(folded, end):
            return False  # 千人计划, 百强
        if unit is None and folded.startswith("强", end):
            return False  # 500强
        if unit in ("年", "月") and (_WINDOW_BEFORE.search(folded, max(0, m.start() - 2), m.start())
                                    or _WINDOW_AFTER.match(folded, end)):
            return False  # 创24年新低, 过去五年, 五年来
        if unit == "日" and folded[m.start() - 1:m.start()] == "月":
            return False  # 9月30日 is a date
    return True


def _qualifier(g: _NumberGroups, p: _PrefixGroups) -> str:
    if g.some or (g.numeral and ("多" in g.numeral or "余" in g.numeral)):
        return "over"
    if p.before:
        return _QUALIFIER_BEFORE[p.before]
    if g.after:
        return _QUALIFIER_AFTER[g.after]
    return "exact"


def _join_lists_and_ranges(found: list[_Found], folded: str) -> list[_Found]:
    """Ranges (10～20万元) become one row; list members share unit and direction.

    A unitless number followed by a range sign and a number with a unit is
    the lower bound of a range; followed by a list separator (、 和 及 与) it
    takes the next member's unit and scale (分别下降10.6和3.4个百分点). A
    member without a verb right after one with a verb shares its direction
    (分别减少2.7%、0.6%). Unitless numbers that join nothing are dropped.
    """
    out: list[_Found] = []
    count = len(found)
    i = 0
    while i < count:
        f = found[i]
        nxt = found[i + 1] if i + 1 < count else None
        if f.unit is None and nxt is not None and nxt.unit is not None:
            gap_start, gap_end = f.end, nxt.start
            if _is_range_gap(folded, gap_start, gap_end):
                lower = f.value
                if nxt.scale and not f.scale and nxt.scale[-1] in "万亿兆":
                    lower *= parse_numeral(nxt.scale)
                merged = nxt._replace(start=f.start, value=lower, upper=nxt.value, sign=f.sign or nxt.sign,
                                      kind=f.kind or nxt.kind, qualifier=f.qualifier if f.qualifier != "exact" else nxt.qualifier)
                out.append(merged)
                i += 2
                continue
        if nxt is not None and 0 < nxt.start - f.end <= 2 and f.unit is not None and nxt.unit == f.unit \
                and f.upper is None and nxt.start == nxt.number_start and _is_range_gap(folded, f.end, nxt.start):
            out.append(f._replace(end=nxt.end, upper=nxt.value))  # 4%～6%
            i += 2
            continue
        out.append(f)
        i += 1
    # unit sharing across a list, right to left so a run of members all take the last unit
    for j in range(len(out) - 2, -1, -1):
        f, nxt = out[j], out[j + 1]
        if f.unit is None and nxt.unit is not None and _is_list_gap(folded, f.end, nxt.start):
            value = f.value
            if nxt.scale and not f.scale and nxt.scale[-1] in "万亿兆":
                value *= parse_numeral(_trailing_big(nxt.scale))
            out[j] = f._replace(value=value, unit=nxt.unit)
    kept = [f for f in out if f.unit is not None]
    # direction sharing left to right
    for j in range(1, len(kept)):
        prev, f = kept[j - 1], kept[j]
        if prev.sign and not f.sign and f.kind is None and _is_list_gap(folded, prev.end, f.start) \
                and _unit_class(prev.unit) == _unit_class(f.unit):
            kept[j] = f._replace(sign=prev.sign, to_level=prev.to_level)
    return kept


def _is_range_gap(folded: str, a: int, b: int) -> bool:
    if not 0 < b - a <= 2:  # the common case, decided before any search
        return False
    gap = _RANGE_SEPARATOR.search(folded, a, b)
    return bool(gap) and len(gap.group(0)) == b - a


_TRAILING_BIG = re.compile(r"[万亿兆]+$")


def _trailing_big(scale: str) -> str:
    return _TRAILING_BIG.search(scale).group(0)


def _is_list_gap(folded: str, a: int, b: int) -> bool:
    if not 0 < b - a <= 2:
        return False
    gap = _LIST_SEPARATOR.search(folded, a, b)
    return bool(gap) and len(gap.group(0)) == b - a


def _unit_class(unit: str) -> str:
    return "%" if unit in ("%", "‰", "倍") else unit


def _segment_starts(ends: list[int], points):
    """Vectorised :func:`_previous_end`: the start of the segment holding each point."""
    import numpy as np

    ends_array = np.asarray(ends, dtype=np.int64)
    i = np.searchsorted(ends_array, points, side="left")
    return np.where(i > 0, ends_array[np.maximum(i - 1, 0)] + 1 if len(ends_array) else 0, 0)


def _latest_many(positions: list[int], values: list, floors, points) -> list:
    """For each point, the value at the last position before it, if that position is >= the point's floor."""
    import numpy as np

    if not positions:
        return [None] * len(points)
    array = np.asarray(positions, dtype=np.int64)
    i = np.searchsorted(array, points, side="left")
    ok = (i > 0) & (array[np.maximum(i - 1, 0)] >= floors)
    padded = [None, *values]  # position j of values is j + 1 here; 0 stands for none
    return list(map(padded.__getitem__, np.where(ok, i, 0).tolist()))


def _rows(found: list[_Found], text: str, idx: _Index) -> list[tuple]:
    """The output rows: direction applied, kind decided, rate, period and base looked up (vectorised)."""
    import numpy as np

    points = np.fromiter((f.number_start for f in found), dtype=np.int64, count=len(found))
    rates = _latest_many(idx.rate_positions, idx.rate_pers, _segment_starts(idx.clause_ends, points), points)
    periods = _latest_many(idx.period_positions, idx.periods, _segment_starts(idx.paragraph_ends, points), points)
    bases = _latest_many(idx.base_positions, idx.bases, _segment_starts(idx.sentence_ends, points), points)
    rows = []
    append = rows.append
    for f, per, period, base in zip(found, rates, periods, bases):
        start, end, value, upper, unit, _, qualifier, kind, sign, printed_sign, to_level, _ = f  # one unpacking, no lookups
        direction = sign if (sign and not to_level) else 0
        if direction and not printed_sign:
            value = value * direction
            if upper is not None:
                upper = upper * direction
                if direction < 0:
                    value, upper = upper, value
        if kind is None:
            if direction:
                kind = "growth" if unit in ("%", "‰", "倍") else "change"
            elif unit in ("%", "‰"):
                kind = "share"
            elif unit == "百分点":
                kind = "change"
            elif per:
                kind, unit = "rate", f"{unit}/{per}"
            else:
                kind = "level"
        append((start, end, text[start:end], float(value), _NAN if upper is None else float(upper),
                unit, qualifier, kind, *(period or _NO_PERIOD), base if kind in ("growth", "change") else None))
    return rows


@_without_cycle_collection
def _frame(rows, columns, dtypes):
    import pandas as pd

    data = dict(zip(columns, list(zip(*rows)) or [()] * len(columns)))
    return pd.DataFrame({c: dtypes[c](data[c]) for c in columns})


_NO_PERIOD = (None, None, None)  # label, start, end
_NAT = -(2**63)  # numpy's NaT as int64
_NAN = float("nan")


def _dates(values):
    """A period's first or last days as ``datetime64[s]``; a text has few distinct periods, so each converts once."""
    import numpy as np

    seconds = {v: int(np.datetime64(f"{v[0]:04d}-{v[1]:02d}-{v[2]:02d}", "s").astype(np.int64)) for v in set(values) if v}
    return np.array([seconds[v] if v else _NAT for v in values], dtype=np.int64).view("datetime64[s]")


def _categories(categories):
    import pandas as pd

    import numpy as np

    codes = {c: i for i, c in enumerate(categories)}
    return lambda values: pd.Categorical.from_codes(
        np.fromiter(map(codes.__getitem__, values), dtype=np.int8, count=len(values)), categories=categories)


def _check_text(text) -> None:
    if not isinstance(text, str):
        raise TypeError(f"quantities() takes a str, not {type(text).__name__}")


def quantities(text: str):
    """Every quantity in ``text``, one row each, in order of appearance.

    The extractor behind :func:`dalian_data.figures`, for Chinese statistical
    prose in simplified or traditional characters. Its rules (numerals, scale
    words, units, kinds, qualifiers, ranges, periods, what is not a quantity)
    are listed in README.md, "The extractor's rules". No string raises or
    gives an infinite value. Numbers too large for a float64 are not rows:
    see :func:`skipped_quantities`.

    Parameters
    ----------
    text : str
        Any text; offsets in the result index into it.

    Returns
    -------
    quantities : pandas.DataFrame
        One row per quantity, with the columns:

        - ``start``/``end`` (int64 offsets, ``text[start:end] == quote``);
        - ``quote``;
        - ``value`` (float64, scale words applied, percent words and shares
          in percent; a range's lower bound);
        - ``upper`` (a range's upper bound, else missing);
        - ``unit`` (base unit);
        - ``qualifier`` (categorical: exact/over/about/nearly/under);
        - ``kind`` (categorical: level/growth/change/share/rate);
        - ``period`` (label, or missing) with ``period_start``/``period_end``
          (dates, missing when unknown);
        - ``base`` (the compared year of a growth or change, or missing).

        These are the columns of :func:`dalian_data.figures` as far as
        ``base``; their exported meaning is described in
        ``dalian_data/data/fields.toml``.

    Raises
    ------
    TypeError
        When ``text`` is not a str.

    See Also
    --------
    skipped_quantities : numbers skipped because no float64 holds them.
    dalian_data.figures : the report's quantities that are figures.

    Examples
    --------
    >>> import dalian_data as dd
    >>> found = dd.quantities("全年新增市场主体12.3万户，比2019年增长8.5%。")
    >>> found[["quote", "value", "unit", "kind", "base"]]
                  quote     value unit    kind  base
    0        12.3万户  123000.0    户   level  <NA>
    1  比2019年增长8.5%       8.5    %  growth  2019
    >>> found.loc[0, ["start", "end"]].tolist()
    [8, 14]
    """
    import pandas as pd

    from dalian_data.dtypes import strings

    _check_text(text)
    rows = _scan(text)[0]
    return _frame(rows, COLUMNS, {
        "start": lambda v: pd.array(v, dtype="int64"),
        "end": lambda v: pd.array(v, dtype="int64"),
        "quote": strings, "unit": strings, "period": strings, "base": strings,
        "value": lambda v: pd.array(v, dtype="float64"),
        "upper": lambda v: pd.array(v, dtype="float64"),  # NaN where there is no upper bound
        "qualifier": _categories(QUALIFIERS),
        "kind": _categories(KINDS),
        "period_start": _dates, "period_end": _dates,
    })


def skipped_quantities(text: str):
    """Numerals in ``text`` that :func:`quantities` skips because no float64 holds them.

    A numeral longer than 400 characters is skipped whatever its value, so
    reading stays linear in the text's length.

    Parameters
    ----------
    text : str
        Any text; offsets in the result index into it.

    Returns
    -------
    skipped : pandas.DataFrame
        One row each, like :func:`dalian_data.non_figures`: ``start``,
        ``end`` (int64, ``text[start:end] == quote``), ``quote`` and
        ``reason`` (e.g. "a 5000-digit number, beyond float64's range").

    Raises
    ------
    TypeError
        When ``text`` is not a str.

    See Also
    --------
    quantities : the quantities that are read.

    Examples
    --------
    >>> import dalian_data as dd
    >>> text = "账面写着" + "9" * 400 + "元。"
    >>> len(dd.quantities(text))
    0
    >>> skipped = dd.skipped_quantities(text)
    >>> skipped.loc[0, ["start", "end"]].tolist()
    [4, 405]
    >>> skipped.loc[0, "reason"]
    "a 400-digit number, beyond float64's range (about 1.8e308)"
    """
    import pandas as pd

    from dalian_data.dtypes import strings

    _check_text(text)
    rows = _scan(text)[1]
    return _frame(rows, SKIPPED_COLUMNS, {
        "start": lambda v: pd.array(v, dtype="int64"), "end": lambda v: pd.array(v, dtype="int64"),
        "quote": strings, "reason": strings,
    })
