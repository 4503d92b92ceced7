"""Values and words in Chinese or English, the way each language writes them.

Every number a notebook shows comes from the package, never retyped. This
module writes values (with their unit, qualifier, sign and scale word) and
looks up the words of tables and charts; :func:`values` gives every figure
and derived metric ready for a notebook's f-strings. The tables and the
paragraphs that the indicator notebooks share are in
:mod:`dalian_data.notebook.sections`. Words come from ``data/labels.toml``
(data, so a reviewer can fix a header without touching code); values come
from :func:`dalian_data.figures` and :func:`dalian_data.derived`.

Values are written the way each language writes them::

    format_value(1.74e9, "元", lang="zh")                     # '17.4亿元'
    format_value(1.74e9, "元", lang="en", unit_en="yuan")     # 'CNY 1.74 bn'
    format_value(700, "家", qualifier="over", lang="en",
                 unit_en="enterprises")                        # 'over 700 enterprises'

With ``decimals=None`` (report figures) the value keeps exactly the precision
the report prints and the scale word that writes it shortest, which is how
the report itself writes it (3500万元, 20793.61万件); with a whole number of
decimals (derived metrics) it is rounded half up to that many places.

This module imports pandas and IPython but not matplotlib.
"""

from __future__ import annotations

import re
import textwrap
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

import pandas as pd

from dalian_data import DALIAN_POPULATION_2020, derived, figures
from dalian_data.catalogue import catalogue, data_toml
from dalian_data.derived_metrics import DAYS_IN_REPORT_YEAR
from dalian_data.parameters import LANGUAGES, check_lang

__all__ = [
    "LANGUAGES",
    "check_lang",
    "labels",
    "label",
    "wrap",
    "format_value",
    "format_period",
    "format_kind",
    "figure_value",
    "format_like",
    "values",
    "markdown",
    "set_display_options",
]


# ---- language and labels ---------------------------------------------------


@lru_cache(maxsize=1)
def labels() -> dict[str, Any]:
    """The parsed ``data/labels.toml``; treat it as read-only (it is cached)."""
    return data_toml("labels.toml")


def label(key: str, lang: str, **fields: Any) -> str:
    """The text at dotted ``key`` of labels.toml in ``lang``, with ``fields`` filled in.

    ``label("charts.talent_funds.title", "en")``. A missing key raises a
    KeyError naming it, so a typo in a chart never shows up as a blank title.
    """
    check_lang(lang)
    node: Any = labels()
    for part in key.split("."):
        try:
            node = node[part]
        except (KeyError, TypeError):
            raise KeyError(f"labels.toml has no entry {key!r}") from None
    text = node[lang]
    return text.format(**fields) if fields else text



def wrap(text: str, lang: str, width: int | None = None) -> str:
    """Break a long label into lines for a chart axis.

    Chinese has no spaces and each character is about twice as wide as a
    Latin letter, so it wraps at about half the character count, into lines
    of even length (万人有效发明 / 专利拥有量, not a lone last character).
    """
    check_lang(lang)
    text = str(text)
    width = width or (14 if lang == "zh" else 30)
    if lang == "zh" and len(text) > width:
        lines = -(-len(text) // width)
        width = -(-len(text) // lines)
    return "\n".join(textwrap.wrap(text, width=width, break_on_hyphens=False)) or text


# ---- writing values --------------------------------------------------------

def _decimal(value: float) -> Decimal:
    """The float as the shortest decimal that round-trips (repr), not its binary expansion."""
    return Decimal(repr(float(value)))


def _digits(number: Decimal, decimals: int | None, lang: str) -> str:
    """Digits of ``number``: exact (``None``) or rounded half up; thousands separators in English."""
    if decimals is None:
        number = number.normalize()
    else:
        number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(number, ",f" if lang == "en" else "f")
    return "0" if text in ("-0", "") else text


def _scaled(value: float, decimals: int | None, lang: str) -> tuple[str, dict[str, Any] | None]:
    """The value's digits and the scale entry (万/亿, million/billion) that writes it.

    Exact (``decimals=None``): the candidate with the fewest digits, so
    3500万 stays 3500万 and 25825 stays 25825. On a tie Chinese keeps the
    smaller scale, as the report does (20793.61万件), and English the larger,
    as English prose does (CNY 1.74 bn, not CNY 1,740 m).
    Rounded: plain below 100,000, else the largest scale with a mantissa of
    at least 1 (so 18068 is not squashed to 1.8万). A value that is exactly a
    whole number is written without decimals (302天, not 302.0天).
    """
    number = _decimal(value)
    scales = sorted(labels()["scales"][lang], key=lambda s: s["factor"])
    if decimals is None:
        best = (_digits(number, None, lang), None)
        for scale in scales:
            mantissa = number.scaleb(-scale["factor"])
            if abs(mantissa) < 1:
                continue
            digits = _digits(mantissa, None, lang)
            shorter = _count_digits(digits) - _count_digits(best[0])
            if shorter < 0 or (shorter == 0 and lang == "en"):
                best = (digits, scale)
        return best
    usable = [s for s in scales if abs(number.scaleb(-s["factor"])) >= 1]
    scale = usable[-1] if usable and abs(number) >= 100_000 else None
    mantissa = number.scaleb(-scale["factor"]) if scale else number
    if mantissa == mantissa.to_integral_value():
        decimals = 0  # an exact whole number gains nothing from ".0"
    return _digits(mantissa, decimals, lang), scale


def _count_digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def format_value(
    value: float,
    unit: str,
    *,
    lang: str = "zh",
    qualifier: str = "exact",
    decimals: int | None = None,
    unit_en: str | None = None,
    signed: bool = False,
) -> str:
    """Write a value with its unit and qualifier as a reader of ``lang`` expects.

    ``unit`` is the package's base unit (元, 人, %, 吨公里 …); ``unit_en`` its
    English word for this figure (defaults to the catalogue's). ``qualifier``
    is exact/over/about/nearly. ``signed`` puts a + before positive growth
    and change figures. See the module docstring for ``decimals``.
    """
    check_lang(lang)
    qualifiers = labels()["qualifiers"]
    if qualifier not in qualifiers:
        raise ValueError(f"qualifier {qualifier!r} is not valid; allowed: {', '.join(qualifiers)}")
    digits, scale = _scaled(value, decimals, lang)
    sign = "+" if signed and value > 0 else ""
    if lang == "zh":
        shown_unit = labels()["unit_display"]["zh"].get(unit, unit)
        body = f"{sign}{digits}{scale['word'] if scale else ''}{shown_unit}"
    else:
        body = _english(sign + digits, scale, unit, unit_en)
    return qualifiers[qualifier][lang].format(body)


def _english(digits: str, scale: dict[str, Any] | None, unit: str, unit_en: str | None) -> str:
    """English value text: 'CNY 1.74 bn', '5.11 million TEU', '7%', '45 platforms'."""
    display = labels()["unit_display"]["en"]
    word = unit_en if unit_en is not None else catalogue()["units"].get(unit, {}).get("en", unit)
    if unit == "%":
        return f"{digits}{scale['word'] + ' ' if scale else ''}%"
    if word == display["money_word"] or word.startswith(display["money_word"] + " "):
        rest = word[len(display["money_word"]):]
        return " ".join(filter(None, [display["money_prefix"], digits, scale["money"] if scale else ""])) + rest
    if word in display["hidden"]:
        word = ""
    return " ".join(filter(None, [digits, scale["word"] if scale else "", word]))


_PERIOD = re.compile(r"^(?P<year>\d{4})(?P<since>[–-])?$")


def format_period(period: Any, lang: str) -> str:
    """'2020' → 2020年 / 2020; '2019–' → 2019年以来 / since 2019; missing → 未注明 / not stated."""
    check_lang(lang)
    periods = labels()["periods"]
    if period is None or pd.isna(period):
        return periods["none"][lang]
    match = _PERIOD.match(str(period))
    if not match:
        return str(period)
    key = "since" if match["since"] else "year"
    return periods[key][lang].format(year=match["year"])


def format_kind(kind: str, lang: str) -> str:
    """The word for a figure's kind (level, growth, change, share, rate)."""
    check_lang(lang)
    return labels()["kinds"][str(kind)][lang]


def figure_value(row: Any, lang: str, decimals: int | None = None) -> str:
    """Format one row of :func:`figures` as the report prints it (growth and change signed).

    A row of :func:`derived` works too (it has no qualifier or kind): it is
    rounded to ``decimals``.
    """
    return format_value(
        row.value, row.unit, lang=lang, qualifier=str(getattr(row, "qualifier", "exact")), decimals=decimals,
        unit_en=row.unit_en, signed=str(getattr(row, "kind", "")) in ("growth", "change"),
    )


def format_like(value: float, row: Any, lang: str, *, bare: bool = False) -> str:
    """``value`` in the unit, scale and number of decimals of figure ``row`` as printed.

    For a computed value drawn beside a reported one (the year before,
    implied by a growth rate), so that one panel shows one precision:
    21.27件/万人 beside 24.25件/万人, not 21.3 beside 24.25. ``bare`` gives
    the digits alone (210.5 for 210.5亿元), for a bar whose axis names the unit.
    """
    digits, scale = _scaled(row.value, None, check_lang(lang))
    places = len(digits.partition(".")[2])
    factor = scale["factor"] if scale else 0
    mantissa = _decimal(value).scaleb(-factor).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if bare:
        return _digits(mantissa, places, lang)
    return format_value(float(mantissa.scaleb(factor)), str(row.unit), lang=lang, unit_en=str(row.unit_en))



# ---- display -----------------------------------------------------------------

def set_display_options() -> None:
    """Show whole quotes and sentences, all rows, no wrapping of wide tables.

    Set once in each notebook's setup cell; the values are fixed so the
    stored text outputs do not depend on the machine that ran them.
    """
    for option, value in {
        "display.max_colwidth": None,
        "display.max_rows": 200,
        "display.max_columns": 50,
        "display.width": 250,
        "display.show_dimensions": False,
    }.items():
        pd.set_option(option, value)


def markdown(text: str):
    """An IPython Markdown object, so a notebook cell can end with the call."""
    from dalian_data.extras import needs_extra

    with needs_extra("dalian_data.notebook.formatting", "notebooks"):
        from IPython.display import Markdown

    return Markdown(text)


class _Filled:
    """A figure or derived metric that a template or an f-string can format.

    ``{id}`` gives the value as printed, ``{id:period}`` the period,
    ``{id:quote}`` the quote, ``{id:count}`` the value unsigned and, for a
    rate, with only the counted unit (4人, for a sentence that already says
    每万名居民; 增长14%, not 增长+14%) and ``{id:number}`` the value without
    its unit, so text never holds a number itself and never states a unit
    or a sign twice.
    """

    SPECS = ("", "period", "quote", "count", "number")

    def __init__(self, row: Any, lang: str, decimals: int, is_figure: bool) -> None:
        self.row, self.lang, self.decimals, self.is_figure = row, lang, decimals, is_figure

    def __format__(self, spec: str) -> str:
        if spec not in self.SPECS or (spec in ("period", "quote") and not self.is_figure):
            allowed = ", ".join(repr(s) for s in self.SPECS[:3 if self.is_figure else 1] + self.SPECS[3:])
            raise ValueError(f"unknown template field format {spec!r}; allowed: {allowed}")
        row = self.row
        if spec == "period":
            return format_period(row.period, self.lang)
        if spec == "quote":
            return str(row.quote)
        unit, unit_en = str(row.unit), str(row.unit_en)
        if spec == "count":
            unit, unit_en = unit.split("/")[0], unit_en.split(" per ")[0]
        elif spec == "number":
            unit, unit_en = "", "count"
        decimals = None if self.is_figure else self.decimals
        qualifier = str(row.qualifier) if self.is_figure else "exact"
        signed = spec == "" and self.is_figure and str(row.kind) in ("growth", "change")
        return format_value(row.value, unit, lang=self.lang, qualifier=qualifier, decimals=decimals,
                            unit_en=unit_en, signed=signed).strip()


def values(lang: str = "zh", *, population: int = DALIAN_POPULATION_2020, days_in_year: int = DAYS_IN_REPORT_YEAR,
           decimals: int = 1) -> dict[str, _Filled]:
    """Every figure and derived metric by id, ready for an f-string: ``f"{v['good_air_days']}"`` → 332天.

    Derived metrics are computed with the given parameters and rounded to
    ``decimals``; figures keep the report's precision. See :class:`_Filled`
    for the format specs (``:period``, ``:quote``, ``:count``, ``:number``).
    """
    check_lang(lang)
    filled = {row.figure_id: _Filled(row, lang, decimals, True) for row in figures().itertuples(index=False)}
    for row in derived(population=population, days_in_year=days_in_year).itertuples(index=False):
        filled[row.derived_id] = _Filled(row, lang, decimals, False)
    return filled
