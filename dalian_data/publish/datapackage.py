"""The exported tables described as a Frictionless Data Package, and back.

One description serves three readers: the Excel headers (Chinese or English
titles), ``datapackage.json`` (Table Schemas that ``frictionless validate``
checks) and :func:`dalian_data.publish.files.read_export`, which rebuilds the
pandas dtypes from the descriptor alone. The words live in
``data/fields.toml`` (a data file, so a reviewer edits a description without
touching Python); the field *types* come from the frames' dtypes, so the
schema cannot claim a type the data does not have.

How pandas types map to Table Schema (v1, which frictionless 5 validates):

* ``string`` (the package's pinned python-backed dtype,
  :data:`dalian_data.dtypes.STRING`) -> ``string``; ``int64`` -> ``integer`` (``Int64`` when the field
  is not required); ``float64`` -> ``number``; ``datetime64[s]`` holding
  dates (periods' first and last days) -> ``date`` (ISO ``YYYY-MM-DD``);
* a categorical -> ``string`` with ``constraints.enum`` (v1: validated) and
  ``categories`` + ``categoriesOrdered`` (the Table Schema v2 names, which
  frictionless 5.21 passes through unvalidated). Both list the categories in
  the dtype's order, so an ordered categorical's order is recoverable;
  ``categories`` entries carry ``label`` (English) and ``label_zh``.

Missing values are empty cells (schema ``missingValues: [""]``). A column
where an empty string is a value (``derived.inputs``/``parameters``, empty
lists) overrides this with field-level ``missingValues: []``; without that the
empty string would read back as missing. :func:`table_schema` refuses a frame
that the schema would misread (missing values in a required column, empty
strings in a column where "" means missing, categories that differ from the
labelled ones), so the round trip is exact or the export fails.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dalian_data.catalogue import data_toml
from dalian_data.dtypes import DATE, STRING
from dalian_data.parameters import validate_parameters

__all__ = [
    "TABLES", "fields_spec", "table_schema", "package_descriptor", "pandas_dtypes", "csv_missing_values",
    "headers", "sheet_name",
]

TABLES = ("figures", "indicators", "derived", "measures")
"""Exported tables, in the order of the descriptor's resources and the workbook's sheets."""

MISSING = ""
"""How a missing value is written in CSV: an empty cell."""

CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}
"""RFC 4180 CSV. CRLF line ends, not LF, because Python's csv writer quotes a
field only for the characters of its line terminator: with LF a bare CR in a
value would go out unquoted and end the row early for every reader."""


def fields_spec() -> dict[str, Any]:
    """The parsed ``data/fields.toml``; treat it as read-only (it is cached)."""
    return data_toml("fields.toml")


def _table_spec(table: str) -> dict[str, Any]:
    try:
        return fields_spec()["tables"][table]
    except KeyError:
        raise ValueError(f"table {table!r} is not exported; exported tables: {', '.join(TABLES)}") from None


def headers(table: str, lang: str) -> list[str]:
    """Column titles of ``table`` in ``lang`` ("zh" or "en"), in column order."""
    key = _lang_key(lang)
    return [field[f"title_{key}"] for field in _table_spec(table)["fields"]]


def sheet_name(table: str, lang: str) -> str:
    """The workbook sheet name of ``table`` in ``lang``."""
    return _table_spec(table)[f"sheet_{_lang_key(lang)}"]


def _lang_key(lang: str) -> str:
    validate_parameters(lang=lang)
    return lang


def _indicator_labels(kind: str) -> list[dict[str, str]]:
    from dalian_data.catalogue import catalogue

    key = {"indicator_id": "id", "indicator": "name"}[kind]
    return [{"value": e[key], "label_zh": e["name"], "label_en": e["name_en"]} for e in catalogue()["indicators"]]


def _action_type_labels() -> list[dict[str, str]]:
    from dalian_data.policy_measures import action_types

    return [{"value": str(r.action_type), "label_zh": r.label_zh, "label_en": r.label_en}
            for r in action_types().itertuples()]


def _category_labels(table: str, field: dict[str, Any]) -> list[dict[str, str]] | None:
    source = field.get("categories_from")
    if source is not None:
        if source == "action_type":
            return _action_type_labels()
        if source not in ("indicator_id", "indicator"):
            raise ValueError(
                f"fields.toml: {table}.{field['name']} has categories_from = {source!r}; "
                "allowed: 'indicator_id', 'indicator' or 'action_type'"
            )
        return _indicator_labels(source)
    return field.get("categories")


def _field_type(table: str, name: str, dtype) -> str:
    if isinstance(dtype, pd.CategoricalDtype) or isinstance(dtype, pd.StringDtype):
        return "string"
    if dtype == "int64" or dtype == "Int64":
        return "integer"
    if dtype == "float64":
        return "number"
    if dtype == DATE:
        return "date"
    raise TypeError(
        f"{table}.{name} has dtype {dtype}, which the export cannot describe; "
        "supported: string, int64, Int64, float64, datetime64[s] (dates), category"
    )


def table_schema(table: str, frame: pd.DataFrame) -> dict[str, Any]:
    """The Table Schema of ``frame`` exported as ``table``; ValueError if they disagree.

    Checks that ``frame`` has exactly the columns ``fields.toml`` describes, in
    order; that required columns have no missing values; that no column where
    an empty cell means missing holds empty strings; and that categoricals
    have exactly the labelled categories, in order. Each failure names the
    table, the column and what to change, because each would otherwise make
    the exported file read back differently from the frame.
    """
    spec = _table_spec(table)
    described = [f["name"] for f in spec["fields"]]
    actual = [str(c) for c in frame.columns]
    if actual != described:
        missing = [c for c in described if c not in actual]
        extra = [c for c in actual if c not in described]
        detail = f"undescribed columns {extra}, " if extra else ""
        detail += f"described but absent {missing}, " if missing else ""
        raise ValueError(
            f"{table}: the frame's columns do not match data/fields.toml ({detail or 'same columns, other order, '}"
            f"frame: {actual}); describe every column there, in frame order"
        )
    fields = [_field(table, f, frame[f["name"]]) for f in spec["fields"]]
    for f in spec["fields"]:
        for key in ("unit_field", "unit_field_en"):
            if key in f and f[key] not in described:
                raise ValueError(f"fields.toml: {table}.{f['name']} {key} = {f[key]!r} is not a column of {table}")
    schema: dict[str, Any] = {"fields": fields, "missingValues": [MISSING], "primaryKey": [spec["primary_key"]]}
    if spec.get("foreign_keys"):
        schema["foreignKeys"] = [
            {"fields": list(fk["fields"]), "reference": {"resource": fk["resource"], "fields": list(fk["reference"])}}
            for fk in spec["foreign_keys"]
        ]
    return schema


def _field(table: str, spec: dict[str, Any], column: pd.Series) -> dict[str, Any]:
    name = spec["name"]
    dtype = column.dtype
    nullable = bool(spec.get("nullable", False))
    field: dict[str, Any] = {
        "name": name,
        "type": _field_type(table, name, dtype),
        "title": spec["title_en"],
        "title_zh": spec["title_zh"],
        "description": spec["description"],
    }
    if not nullable and column.isna().any():
        rows = [int(i) for i in column.index[column.isna()][:5]]
        raise ValueError(
            f"{table}.{name} has missing values (rows {rows}) but fields.toml does not mark it nullable = true"
        )
    missing_values = spec.get("missing_values")
    if missing_values is not None:
        if nullable and MISSING not in missing_values:
            raise ValueError(
                f"fields.toml: {table}.{name} is nullable but its missing_values {missing_values!r} "
                "have no empty cell, so a missing value could not be written"
            )
        field["missingValues"] = list(missing_values)
    reads_empty_as_missing = MISSING in (missing_values if missing_values is not None else [MISSING])
    if reads_empty_as_missing and field["type"] == "string":
        empty = column.astype("string").eq("").fillna(False).to_numpy(dtype=bool)
        if empty.any():
            raise ValueError(
                f"{table}.{name} holds empty strings (rows {[int(i) for i in column.index[empty][:5]]}), "
                "which the CSV would read back as missing; set missing_values = [] for it in fields.toml "
                "if an empty string is a value there"
            )
    constraints: dict[str, Any] = {}
    if not nullable:
        constraints["required"] = True
    constraints.update(spec.get("constraints", {}))
    labels = _category_labels(table, spec)
    if isinstance(dtype, pd.CategoricalDtype):
        if labels is None:
            raise ValueError(f"{table}.{name} is categorical but fields.toml gives its categories no labels")
        values = [str(c) for c in dtype.categories]
        labelled = [c["value"] for c in labels]
        if values != labelled:
            raise ValueError(
                f"{table}.{name}: the frame's categories {values} differ from the labelled ones {labelled} "
                "(fields.toml or catalogue.toml); they must match, in order"
            )
        constraints["enum"] = values
        field["categories"] = [{"value": c["value"], "label": c["label_en"], "label_zh": c["label_zh"]} for c in labels]
        field["categoriesOrdered"] = bool(dtype.ordered)
    elif labels is not None:
        raise ValueError(f"{table}.{name} has category labels in fields.toml but the frame's dtype is {dtype}")
    if constraints:
        field["constraints"] = constraints
    if "unit_field" in spec:
        field["unitField"] = spec["unit_field"]
    if "unit_field_en" in spec:
        field["unitFieldEn"] = spec["unit_field_en"]
    return field


def package_descriptor(resources_: list[dict[str, Any]], *, version: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``datapackage.json`` content around already-built resource descriptors.

    ``parameters`` (population, days_in_year) are recorded because the derived
    values depend on them. Nothing time-dependent goes in (no ``created``):
    the same data must give the same bytes.
    """
    from dalian_data.catalogue import catalogue
    from dalian_data.source import REPORT_SHA256

    package = fields_spec()["package"]
    source = catalogue()["source"]
    population = catalogue()["population"]
    licence = fields_spec()["licence"]
    return {
        "profile": "tabular-data-package",
        "name": package["name"],
        "title": f"{package['title_zh']} / {package['title_en']}",
        "description": package["description"] + " Licence: " + source["licence_note"],
        "version": version,
        "keywords": list(package["keywords"]),
        "licenses": [{"name": licence["name"], "path": licence["path"], "title": licence["title"]}],
        "sources": [
            {
                "title": source["title"],
                "title_en": source["title_en"],
                "publisher": source["publisher"],
                "publisher_en": source["publisher_en"],
                "year": source["year"],
                "sha256": REPORT_SHA256,
                "licence_note": source["licence_note"],
                "note": "All offsets index this text. It ships unaltered with the dalian_data Python package "
                        "(dalian_data/data/report.txt), which checks it against sha256 before use.",
            },
            {
                "title": population["source"],
                "title_en": population["source_en"],
                "year": population["year"],
                "note": "Reference value for the per-resident derived metrics; the population used is in parameters.",
            },
        ],
        "parameters": dict(parameters),
        "resources": resources_,
    }


def pandas_dtypes(schema: dict[str, Any]) -> dict[str, Any]:
    """Column -> pandas dtype, read from a Table Schema written by :func:`table_schema`.

    Categoricals come from ``categories``/``categoriesOrdered`` (falling back
    to ``constraints.enum``, unordered, for a plain v1 schema), so their
    categories and order are the descriptor's, not whatever a file contains.
    """
    dtypes: dict[str, Any] = {}
    for field in schema["fields"]:
        name, kind = field["name"], field.get("type", "string")
        constraints = field.get("constraints", {})
        if "categories" in field:
            values = [c["value"] if isinstance(c, dict) else c for c in field["categories"]]
            dtypes[name] = pd.CategoricalDtype(values, ordered=bool(field.get("categoriesOrdered", False)))
        elif "enum" in constraints:
            dtypes[name] = pd.CategoricalDtype(list(constraints["enum"]), ordered=False)
        elif kind == "string":
            dtypes[name] = STRING
        elif kind == "integer":
            dtypes[name] = "int64" if constraints.get("required") else "Int64"
        elif kind == "number":
            dtypes[name] = "float64"
        elif kind == "date":
            dtypes[name] = DATE
        else:
            raise ValueError(f"field {name!r} has type {kind!r}; this reader knows string, integer, number and date")
    return dtypes


def csv_missing_values(schema: dict[str, Any]) -> dict[str, list[str]]:
    """Column -> the cell strings that mean missing (field-level overrides schema-level)."""
    default = list(schema.get("missingValues", [MISSING]))
    return {f["name"]: list(f.get("missingValues", default)) for f in schema["fields"]}
