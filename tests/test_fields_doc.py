"""The exported tables' columns are described once, in data/fields.toml.

The README's API table and the pandera schemas name the same columns, in the
same order, and the schemas carry fields.toml's descriptions: a column added,
removed or renamed anywhere fails here until the three agree.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dalian_data as dd
from dalian_data.catalogue import data_toml

README = Path(__file__).resolve().parent.parent / "README.md"
TABLES = {"figures": "figures(indicator=None)", "indicators": "indicators()",
          "derived": "derived(population=7450785, days_in_year=366)", "measures": "measures(indicator=None)"}


def _fields(table: str) -> list[dict]:
    return data_toml("fields.toml")["tables"][table]["fields"]


def _row(call: str) -> str:
    return next(line for line in README.read_text(encoding="utf-8").splitlines() if line.startswith(f"| `{call}` |"))


def _columns_named(row: str, known: set[str]) -> list[str]:
    """The backticked column names in the row's description (a name with _ counts even if unknown)."""
    return [name for name in re.findall(r"`([a-z_]+)`", row.split("|")[2]) if name in known or "_" in name]


@pytest.mark.parametrize("table", TABLES)
def test_readme_names_every_column_in_order(table):
    names = [field["name"] for field in _fields(table)]
    assert _columns_named(_row(TABLES[table]), set(names)) == names


@pytest.mark.parametrize("table", TABLES)
def test_frames_and_schemas_follow_fields_toml(table):
    schemas = pytest.importorskip("dalian_data.schemas")
    fields = _fields(table)
    schema = getattr(schemas, f"{table}_schema")()
    assert list(getattr(dd, table)().columns) == [field["name"] for field in fields]
    assert list(schema.columns) == [field["name"] for field in fields]
    assert {name: column.description for name, column in schema.columns.items()} == {
        field["name"]: field["description"] for field in fields}
    assert schema.description == data_toml("fields.toml")["tables"][table]["description"]


def test_the_readme_check_sees_a_missing_or_unknown_column():
    names = [field["name"] for field in _fields("derived")]
    row = _row(TABLES["derived"])
    assert _columns_named(row.replace(", `note_en`", ""), set(names)) != names
    assert _columns_named(row.replace("`note_en`", "`note_english`"), set(names)) != names
