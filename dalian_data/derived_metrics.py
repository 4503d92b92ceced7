"""Metrics the report implies but does not print.

Each derived metric is declared in ``data/catalogue.toml`` with a formula
over figure ids and two parameters (``population``, ``days_in_year``). The
formula string is parsed and evaluated as written, so the formula a reader
sees is exactly the one that produced the value, and its inputs are the
figure ids it names.
"""

from __future__ import annotations

import ast
import calendar
import operator
from functools import lru_cache

import pandas as pd

from dalian_data.catalogue import CatalogueError, catalogue, unit_en
from dalian_data.dtypes import strings
from dalian_data.parameters import validate_parameters
from dalian_data.tables import figures, indicator_dtypes

__all__ = ["derived", "evaluate_formula", "formula_inputs", "DALIAN_POPULATION_2020", "DAYS_IN_REPORT_YEAR", "PARAMETERS"]

DALIAN_POPULATION_2020: int = catalogue()["population"]["value"]
"""Dalian's resident population in the 7th national census (2020)."""

DAYS_IN_REPORT_YEAR: int = 366 if calendar.isleap(int(catalogue()["source"]["year"])) else 365
"""Days in the report's year (2020, a leap year): the default ``days_in_year``."""

PARAMETERS = ("population", "days_in_year")
_OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


@lru_cache(maxsize=None)
def _parse(formula: str) -> ast.Expression:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as exc:
        raise CatalogueError(f"formula {formula!r} is not valid arithmetic: {exc.msg}") from None
    for node in ast.walk(tree):
        allowed = (ast.Expression, ast.BinOp, ast.Name, ast.Load, ast.Constant, *_OPERATORS)
        if not isinstance(node, allowed) or (isinstance(node, ast.Constant) and not isinstance(node.value, (int, float))):
            raise CatalogueError(
                f"formula {formula!r} uses {type(node).__name__}; allowed: names, numbers, + - * / and parentheses"
            )
    return tree


def formula_inputs(formula: str) -> list[str]:
    """Figure ids a formula reads, in order of first appearance (parameters excluded)."""
    nodes = sorted((n for n in ast.walk(_parse(formula)) if isinstance(n, ast.Name)), key=lambda n: n.col_offset)
    return [n for n in dict.fromkeys(n.id for n in nodes) if n not in PARAMETERS]


def formula_parameters(formula: str) -> list[str]:
    """Parameters (population, days_in_year) a formula reads."""
    names = {n.id for n in ast.walk(_parse(formula)) if isinstance(n, ast.Name)}
    return [p for p in PARAMETERS if p in names]


def evaluate_formula(formula: str, values: dict[str, float]) -> float:
    """Evaluate ``formula`` with ``values`` for its names; a KeyError names a missing one."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.BinOp):
            return _OPERATORS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Name):
            if node.id not in values:
                raise CatalogueError(f"formula {formula!r} names {node.id!r}, which is neither a figure id nor a parameter")
            return float(values[node.id])
        return float(node.value)

    return walk(_parse(formula))


def derived(population: int = DALIAN_POPULATION_2020, days_in_year: int = DAYS_IN_REPORT_YEAR) -> pd.DataFrame:
    """One row per derived metric: id, indicator, labels, formula, inputs, value, unit.

    Metrics the report implies but does not print, each computed by its
    formula (``dalian_data/data/catalogue.toml``) from the figures' values
    and the parameters below.

    Parameters
    ----------
    population : int, default DALIAN_POPULATION_2020
        Residents; defaults to Dalian's 2020 census resident population
        (7,450,785) and feeds the per-resident metrics.
    days_in_year : int, default 366
        365 or 366; 366 for 2020.

    Returns
    -------
    derived : pandas.DataFrame
        One row per metric, keyed by ``derived_id``; its columns are
        described once, in ``dalian_data/data/fields.toml`` (table
        ``derived``). ``inputs`` lists the figure ids the formula uses,
        comma-separated, and ``parameters`` the parameters it uses.

    Raises
    ------
    ValueError
        When ``population`` or ``days_in_year`` fails the notebooks'
        parameter check (:func:`dalian_data.validate_parameters`); the
        message names the bad one and what is allowed.

    See Also
    --------
    figures : the figures the formulas read.

    Examples
    --------
    >>> import dalian_data as dd
    >>> dd.derived().shape
    (20, 13)
    >>> row = dd.derived().set_index("derived_id").loc["talent_funds_per_resident"]
    >>> row.formula, row.unit
    ('talent_funds_total / population', '元/人')
    >>> round(float(row.value), 2)
    233.53
    >>> table = dd.derived(population=7_000_000).set_index("derived_id")
    >>> round(float(table.loc["talent_funds_per_resident", "value"]), 2)
    248.57
    """
    validate_parameters(population=population, days_in_year=days_in_year)
    values = dict(zip(figures()["figure_id"], figures()["value"]))
    values.update(population=population, days_in_year=days_in_year)
    entries = catalogue()["derived"]
    id_dtype, name_dtype = indicator_dtypes()
    names = dict(zip(id_dtype.categories, name_dtype.categories))
    return pd.DataFrame({
        "derived_id": strings(e["id"] for e in entries),
        "indicator_id": pd.Categorical([e["indicator"] for e in entries], dtype=id_dtype),
        "indicator": pd.Categorical([names[e["indicator"]] for e in entries], dtype=name_dtype),
        "label": strings(e["label"] for e in entries),
        "label_en": strings(e["label_en"] for e in entries),
        "formula": strings(e["formula"] for e in entries),
        "inputs": strings(",".join(formula_inputs(e["formula"])) for e in entries),
        "parameters": strings(",".join(formula_parameters(e["formula"])) for e in entries),
        "value": pd.array([evaluate_formula(e["formula"], values) for e in entries], dtype="float64"),
        "unit": strings(e["unit"] for e in entries),
        "unit_en": strings(unit_en(e["unit"]) for e in entries),
        "note": strings(e.get("note") for e in entries),
        "note_en": strings(e.get("note_en") for e in entries),
    })
