"""Validation of the notebooks' parameters, shared by the notebooks and the CLI.

Papermill only warns about parameters a notebook does not declare and never
checks values, so every notebook's second cell calls :func:`validate_parameters`
and ``dalian-data report`` calls it before any kernel starts. One table of rules
serves both, so the two can never disagree about what is allowed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Rule:
    """What one parameter accepts: a test and the words that describe it."""

    allowed: str
    check: Callable[[Any], bool]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: The languages of every generated text, table, chart and page.
LANGUAGES = ("zh", "en")


def check_lang(lang: Any) -> str:
    """Return ``lang`` if it is one of :data:`LANGUAGES`; else ValueError naming it and the allowed values.

    Every public function that writes words calls this first, so a typo fails
    at once with one line instead of as a KeyError deep in a lookup.
    """
    if not isinstance(lang, str) or lang not in LANGUAGES:
        allowed = " or ".join(repr(x) for x in LANGUAGES)
        raise ValueError(f"lang {shown(lang)} is not supported; allowed: {allowed}")
    return lang
#: Longest value shown in an error message, in characters.
MAX_SHOWN = 60

RULES: dict[str, Rule] = {
    "lang": Rule("'zh' or 'en'", lambda v: v in LANGUAGES),
    "population": Rule(
        "a whole number of residents from 1 to 100000000",
        lambda v: _is_int(v) and 1 <= v <= 100_000_000,
    ),
    "figure_dir": Rule(
        "None, or a directory path (str) in which to save each chart as PNG and SVG",
        lambda v: v is None or (isinstance(v, (str, os.PathLike)) and str(v).strip() != ""),
    ),
    "decimals": Rule("a whole number from 0 to 6", lambda v: _is_int(v) and 0 <= v <= 6),
    "days_in_year": Rule("365 or 366", lambda v: _is_int(v) and v in (365, 366)),
    "show_quotes": Rule("True or False", lambda v: isinstance(v, bool)),
}


def shown(value: Any) -> str:
    """``repr(value)``, shortened to about :data:`MAX_SHOWN` characters without building a huge repr first."""
    import reprlib

    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * MAX_SHOWN:
        return f"a whole number of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, str) and len(value) > MAX_SHOWN:
        return repr(value[: MAX_SHOWN - 3]) + f"... ({len(value)} characters)"
    short = reprlib.Repr()
    short.maxstring = short.maxother = short.maxlong = MAX_SHOWN
    short.maxlevel, short.maxlist, short.maxdict, short.maxtuple, short.maxset = 2, 4, 4, 4, 4
    return short.repr(value)


def validate_parameters(**params: Any) -> dict[str, Any]:
    """Check notebook parameters; return them unchanged when all are valid.

    The notebooks' validation cell, the CLI and :func:`dalian_data.derived`
    share this check.

    Parameters
    ----------
    **params
        Notebook parameters by name: any of the keys of :data:`RULES`
        (``lang``, ``population``, ``figure_dir``, ``decimals``,
        ``days_in_year``, ``show_quotes``), each checked against its rule's
        allowed values (also tabled in README.md, "Notebooks").

    Returns
    -------
    params : dict
        A new dict of the same parameters and values.

    Raises
    ------
    ValueError
        Naming the parameter, the bad value and what is allowed, e.g.
        ``parameter 'lang' is 'fr'; allowed: 'zh' or 'en'``; or naming an
        unknown parameter and listing the known ones.

    Examples
    --------
    >>> import dalian_data as dd
    >>> dd.validate_parameters(lang="en", decimals=2)
    {'lang': 'en', 'decimals': 2}
    >>> dd.validate_parameters(lang="fr")
    Traceback (most recent call last):
        ...
    ValueError: parameter 'lang' is 'fr'; allowed: 'zh' or 'en'
    """
    for name, value in params.items():
        rule = RULES.get(name)
        if rule is None:
            known = ", ".join(sorted(RULES))
            raise ValueError(f"unknown parameter {name!r}; known parameters: {known}")
        if not rule.check(value):
            raise ValueError(f"parameter {name!r} is {shown(value)}; allowed: {rule.allowed}")
    return dict(params)
