"""The catalogue: labels, ids and English names of everything in the report.

It lives in ``data/catalogue.toml`` (a data file, not code) so that a reviewer
can read and correct a label without touching Python. TOML because the
standard library reads it (no import cost, no dependency).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


class CatalogueError(ValueError):
    """The catalogue and the report disagree (a quote is not in the text)."""


@lru_cache(maxsize=None)
def data_toml(name: str) -> dict[str, Any]:
    """The parsed TOML file ``data/<name>`` of the package; treat it as read-only (it is cached)."""
    raw = resources.files("dalian_data").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def catalogue() -> dict[str, Any]:
    """The parsed catalogue; treat it as read-only (it is cached)."""
    return data_toml("catalogue.toml")


def indicator_ids() -> list[str]:
    """Secondary indicator ids in report order."""
    return [entry["id"] for entry in catalogue()["indicators"]]


def check_indicator(indicator: Any) -> str:
    """The id of an indicator given by id or Chinese name; else ValueError naming the valid ids."""
    ids = indicator_ids()
    if indicator in ids:
        return indicator
    by_name = {entry["name"]: entry["id"] for entry in catalogue()["indicators"]}
    if isinstance(indicator, str) and indicator in by_name:
        return by_name[indicator]
    raise ValueError(f"indicator {indicator!r} is not valid; valid ids: {', '.join(ids)}")


def unit_en(unit: str) -> str:
    """English name of a base unit; a KeyError names the missing unit."""
    try:
        return catalogue()["units"][unit]["en"]
    except KeyError:
        raise CatalogueError(f"unit {unit!r} has no English name in catalogue.toml [units]") from None
