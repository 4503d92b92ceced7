"""The extractor's columns (upper, period_start, period_end, base) in every export."""

import csv
import io
import json

import pandas as pd
import pytest

import dalian_data
from dalian_data.publish.files import read_export


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    dalian_data.export(out, formats=["csv", "parquet", "xlsx", "datapackage"])
    return out


def test_the_descriptor_types_and_describes_the_new_columns(exported):
    descriptor = json.loads((exported / "datapackage.json").read_text(encoding="utf-8"))
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    fields = {f["name"]: f for f in figures["schema"]["fields"]}
    assert [fields[n]["type"] for n in ("upper", "period_start", "period_end", "base")] == [
        "number", "date", "date", "string"]
    assert all(not fields[n].get("constraints", {}).get("required") for n in ("upper", "period_start", "base"))
    assert fields["upper"]["unitField"] == "unit"
    categories = [c["value"] for c in fields["qualifier"]["categories"]]
    assert categories == ["exact", "over", "about", "nearly", "under"]


def test_csv_writes_period_days_as_iso_dates_and_missing_as_empty(exported):
    rows = list(csv.DictReader(io.StringIO((exported / "figures.csv").read_text(encoding="utf-8"))))
    dated = [r for r in rows if r["period"] == "2020"]
    assert dated and all((r["period_start"], r["period_end"]) == ("2020-01-01", "2020-12-31") for r in dated)
    since = [r for r in rows if r["period"] == "2019–"]
    assert since and all((r["period_start"], r["period_end"]) == ("2019-01-01", "") for r in since)
    assert all(r["upper"] == "" and r["base"] == "" for r in rows), "the report prints no range and no base year"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_new_columns_read_back_with_their_types(exported, fmt):
    back = read_export(exported, "figures", fmt)
    figures = dalian_data.figures()
    assert str(back["period_start"].dtype) == "datetime64[s]"
    pd.testing.assert_frame_equal(back[["upper", "period_start", "period_end", "base"]],
                                  figures[["upper", "period_start", "period_end", "base"]])


def test_the_workbook_has_the_new_headers(exported):
    import openpyxl

    sheet = openpyxl.load_workbook(exported / "dalian-data.xlsx", read_only=True).worksheets[0]
    headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert {"上限", "时期起始日", "时期结束日", "比较基期"} <= set(headers)
