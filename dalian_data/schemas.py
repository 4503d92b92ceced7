"""pandera schemas of the public frames: the column contract, checkable.

The columns of the exported tables (figures, indicators, derived, measures)
are described once, in ``data/fields.toml``; their schemas take each
column's description from there (:func:`described`).

Importing this module imports pandera, so nothing on the import path of
``dalian_data`` imports it: validating costs only those who ask for it (the
tests, or a user who wants to check a frame they built).
"""

from __future__ import annotations

import pandas as pd

from dalian_data.extras import needs_extra

with needs_extra("dalian_data.schemas", "all"):
    import pandera.pandas as pa

from dalian_data.catalogue import data_toml
from dalian_data.dtypes import STRING
from dalian_data.extract import KINDS, QUALIFIERS
from dalian_data.tables import indicator_dtypes



def described(schema: pa.DataFrameSchema, table: str) -> pa.DataFrameSchema:
    """``schema`` with its description and each column's, from ``table`` in ``data/fields.toml``."""
    spec = data_toml("fields.toml")["tables"][table]
    descriptions = {field["name"]: field["description"] for field in spec["fields"]}
    schema = schema.update_columns({name: {"description": descriptions[name]} for name in schema.columns})
    schema.description = spec["description"]
    return schema


_STRING = STRING
_INT = "int64"
_FLOAT = "float64"


def _string(nullable: bool = False, **kw) -> pa.Column:
    return pa.Column(_STRING, nullable=nullable, **kw)


def _offsets() -> dict[str, pa.Column]:
    return {"start": pa.Column(_INT, pa.Check.ge(0)), "end": pa.Column(_INT, pa.Check.gt(0))}


def _end_after_start(df: pd.DataFrame) -> pd.Series:
    return df["end"] > df["start"]


# "2020", "2019–" (since), "2016–2020", "2021-07", "2021-01–2021-07"
PERIOD_LABEL = r"^\d{4}(-\d{2})?(–(\d{4}(-\d{2})?)?)?$"


def _finite(nullable: bool = False) -> pa.Column:
    return pa.Column(_FLOAT, pa.Check(lambda s: s.abs() != float("inf"), error="no infinite values"),
                     nullable=nullable)


def _period_columns() -> dict[str, pa.Column]:
    return {
        "period": _string(nullable=True, checks=pa.Check.str_matches(PERIOD_LABEL)),
        "period_start": pa.Column("datetime64[s]", nullable=True),
        "period_end": pa.Column("datetime64[s]", nullable=True),
        "base": _string(nullable=True, checks=pa.Check.str_matches(r"^\d{4}$")),
    }


def _range_checks() -> list[pa.Check]:
    return [
        pa.Check(lambda df: df["upper"].isna() | (df["upper"] >= df["value"]), error="upper is not below value"),
        pa.Check(lambda df: df["period_end"].isna() | df["period_start"].isna() | (df["period_end"] >= df["period_start"]),
                 error="period_end is not before period_start"),
        pa.Check(lambda df: df["period"].notna() | df["period_start"].isna(), error="period dates need a period label"),
    ]


def quantities_schema() -> pa.DataFrameSchema:
    """Schema of :func:`dalian_data.quantities`."""
    return pa.DataFrameSchema(
        {
            **_offsets(),
            "quote": _string(),
            "value": _finite(),
            "upper": _finite(nullable=True),
            "unit": _string(),
            "qualifier": pa.Column(pd.CategoricalDtype(QUALIFIERS)),
            "kind": pa.Column(pd.CategoricalDtype(KINDS)),
            **_period_columns(),
        },
        checks=[pa.Check(_end_after_start, error="end must be after start"), *_range_checks()],
        strict=True,
        ordered=True,
    )


def figures_schema() -> pa.DataFrameSchema:
    """Schema of :func:`dalian_data.figures`."""
    ids, names = indicator_dtypes()
    return described(pa.DataFrameSchema(
        {
            "figure_id": _string(unique=True, checks=pa.Check.str_matches(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")),
            "indicator_id": pa.Column(ids, nullable=True),
            "indicator": pa.Column(names, nullable=True),
            "metric": _string(),
            "metric_en": _string(),
            "value": _finite(),
            "upper": _finite(nullable=True),
            "unit": _string(),
            "unit_en": _string(),
            "qualifier": pa.Column(pd.CategoricalDtype(QUALIFIERS)),
            "kind": pa.Column(pd.CategoricalDtype(KINDS)),
            **_period_columns(),
            "quote": _string(),
            **_offsets(),
            "sentence": _string(),
        },
        checks=[
            pa.Check(_end_after_start, error="end must be after start"),
            pa.Check(lambda df: df["indicator_id"].isna() == df["indicator"].isna(),
                     error="indicator_id and indicator are missing together"),
            *_range_checks(),
        ],
        strict=True,
        ordered=True,
    ), "figures")


def skipped_quantities_schema() -> pa.DataFrameSchema:
    """Schema of :func:`dalian_data.extract.skipped_quantities`."""
    return pa.DataFrameSchema(
        {**_offsets(), "quote": _string(), "reason": _string()},
        checks=pa.Check(_end_after_start, error="end must be after start"),
        strict=True,
        ordered=True,
    )


def indicators_schema() -> pa.DataFrameSchema:
    """Schema of :func:`dalian_data.indicators`."""
    ids, names = indicator_dtypes()
    text_columns = ("indicator_en", "lead_department", "lead_department_short", "lead_department_en",
                    "description", "description_en", "notes", "notes_en", "heading")
    return described(pa.DataFrameSchema(
        {
            "indicator_id": pa.Column(ids, unique=True),
            "indicator": pa.Column(names, unique=True),
            **{c: _string() for c in text_columns},
            "section_start": pa.Column(_INT, pa.Check.ge(0)),
            "section_end": pa.Column(_INT, pa.Check.gt(0)),
            "lead_department_start": pa.Column(_INT, pa.Check.ge(0)),
            "lead_department_end": pa.Column(_INT, pa.Check.gt(0)),
        },
        strict=True,
        ordered=True,
    ), "indicators")


def derived_schema() -> pa.DataFrameSchema:
    """Schema of :func:`dalian_data.derived` (module derived_metrics)."""
    ids, names = indicator_dtypes()
    return described(pa.DataFrameSchema(
        {
            "derived_id": _string(unique=True),
            "indicator_id": pa.Column(ids),
            "indicator": pa.Column(names),
            "label": _string(),
            "label_en": _string(),
            "formula": _string(),
            "inputs": _string(checks=pa.Check.str_matches(r"^[a-z0-9_]+(,[a-z0-9_]+)*$")),
            "parameters": _string(),
            "value": pa.Column(_FLOAT, pa.Check(lambda s: s.notna() & (s.abs() != float("inf")))),
            "unit": _string(),
            "unit_en": _string(),
            "note": _string(nullable=True),
            "note_en": _string(nullable=True),
        },
        strict=True,
        ordered=True,
    ), "derived")


def measures_schema() -> pa.DataFrameSchema:
    """Schema of :func:`dalian_data.measures` (module policy_measures)."""
    from dalian_data.policy_measures import action_type_dtype

    ids, names = indicator_dtypes()
    return described(pa.DataFrameSchema(
        {
            "measure_id": _string(unique=True, checks=pa.Check.str_matches(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")),
            "indicator_id": pa.Column(ids),
            "indicator": pa.Column(names),
            "quote": _string(),
            **_offsets(),
            "sentence": _string(),
            "action": _string(),
            "action_type": pa.Column(action_type_dtype()),
            "summary_en": _string(checks=pa.Check.str_matches(r"^[A-Z][^0-9]*\.$")),
            "figure_ids": _string(checks=pa.Check.str_matches(r"^([a-z0-9_]+(,[a-z0-9_]+)*)?$")),
        },
        checks=[
            pa.Check(_end_after_start, error="end must be after start"),
            pa.Check(lambda df: df["start"].is_monotonic_increasing, error="measures are in report order"),
            pa.Check(lambda df: pd.Series([a in q for a, q in zip(df["action"], df["quote"])], index=df.index),
                     error="action is printed inside quote"),
            pa.Check(lambda df: pd.Series([q in s for q, s in zip(df["quote"], df["sentence"])], index=df.index),
                     error="quote lies inside sentence"),
        ],
        strict=True,
        ordered=True,
    ), "measures")
