"""dalian_data.publish.files: files that validate, read back exactly, and never change by themselves.

One full export (module fixture) serves the read-only tests; tests that
write make their own directories. frictionless is imported once (its
jsonschema import costs seconds) and run on the shared export.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import struct
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dalian_data
from dalian_data.publish import datapackage
from dalian_data.derived_metrics import DALIAN_POPULATION_2020, derived
from dalian_data.dtypes import STRING
from dalian_data.publish.files import (
    DESCRIPTOR_NAME, FORMATS, WORKBOOK_NAME, export, read_csv_typed, read_export, render_csv,
)
from dalian_data.policy_measures import action_types, measures
from dalian_data.source import REPORT_SHA256
from dalian_data.tables import figures, indicators

ALL_FILES = [
    "figures.csv", "indicators.csv", "derived.csv", "measures.csv",
    "figures.parquet", "indicators.parquet", "derived.parquet", "measures.parquet",
    WORKBOOK_NAME, DESCRIPTOR_NAME,
]


def _originals() -> dict[str, pd.DataFrame]:
    return {"figures": figures(), "indicators": indicators(), "derived": derived(), "measures": measures()}


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _staging_dirs(parent: Path) -> list[Path]:
    return [p for p in parent.rglob("*") if ".export-" in p.name]


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, list[Path]]:
    directory = tmp_path_factory.mktemp("export") / "out"
    return directory, export(directory)


@pytest.fixture(scope="module")
def descriptor(exported) -> dict:
    directory, _ = exported
    return json.loads((directory / DESCRIPTOR_NAME).read_text(encoding="utf-8"))


# ---- what is written -----------------------------------------------------


def test_export_writes_every_file_and_returns_their_paths_in_order(exported):
    directory, paths = exported
    assert paths == [directory / name for name in ALL_FILES]
    assert sorted(p.name for p in directory.iterdir()) == sorted(ALL_FILES)


def test_csv_is_utf8_without_bom_with_machine_headers_and_crlf_lines(exported):
    directory, _ = exported
    for table, frame in _originals().items():
        data = (directory / f"{table}.csv").read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
        assert text.split("\r\n")[0] == ",".join(frame.columns)
        assert text.endswith("\r\n") and text.count("\n") == text.count("\r\n") == len(frame) + 1


def test_datapackage_implies_csv_and_a_single_name_is_one_format(tmp_path):
    paths = export(tmp_path / "dp", ["datapackage"])
    assert [p.name for p in paths] == ["figures.csv", "indicators.csv", "derived.csv", "measures.csv", DESCRIPTOR_NAME]
    assert [p.name for p in export(tmp_path / "one", "parquet")] == [
        "figures.parquet", "indicators.parquet", "derived.parquet", "measures.parquet"]


def test_parquet_keeps_categories_as_dictionaries_with_their_order(exported):
    directory, _ = exported
    schema = pq.read_schema(directory / "figures.parquet")
    indicator_id = schema.field("indicator_id").type
    assert pa.types.is_dictionary(indicator_id) and indicator_id.ordered
    assert pa.types.is_dictionary(schema.field("qualifier").type) and not schema.field("qualifier").type.ordered
    assert pa.types.is_floating(schema.field("value").type) and pa.types.is_int64(schema.field("start").type)


# ---- the descriptor --------------------------------------------------------


def test_frictionless_validates_the_exported_package(exported):
    frictionless = pytest.importorskip("frictionless")
    directory, _ = exported
    report = frictionless.validate(directory / DESCRIPTOR_NAME)
    assert report.valid, json.dumps(report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"]),
                                    ensure_ascii=False, indent=1)


def _validate_edited_copy(exported, tmp_path, name: str, old: str, new: str):
    """frictionless's report on a copy of the export whose ``name`` has its first ``old`` replaced by ``new``."""
    frictionless = pytest.importorskip("frictionless")
    directory, _ = exported
    copy = tmp_path / "copy"
    shutil.copytree(directory, copy)
    path = copy / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return frictionless.validate(copy / DESCRIPTOR_NAME)


def test_frictionless_catches_an_edited_csv_by_hash_enum_and_foreign_key(exported, tmp_path):
    """The descriptor's hash, enum and foreign key are live checks, not decoration."""
    report = _validate_edited_copy(exported, tmp_path, "figures.csv", ",innovation,", ",innovations,")
    types = {error[0] for error in report.flatten(["type"])}
    assert not report.valid
    assert {"hash-count", "byte-count", "constraint-error", "foreign-key"} <= types


def test_descriptor_describes_package_sources_licence_and_parameters(descriptor):
    assert descriptor["name"] == "dalian-data"
    assert descriptor["version"] == dalian_data.__version__
    assert "大连" in descriptor["title"] and "Dalian" in descriptor["title"]
    assert [lic["name"] for lic in descriptor["licenses"]] == ["MIT"]
    report = descriptor["sources"][0]
    assert report["sha256"] == REPORT_SHA256 and report["publisher"] == "大连市人民政府"
    assert "licence_note" in report
    assert descriptor["parameters"] == {"population": DALIAN_POPULATION_2020, "days_in_year": 366}
    assert not {"created", "modified"} & set(json.dumps(descriptor).split('"'))


def test_resources_carry_hash_size_and_a_described_field_for_every_column(exported, descriptor):
    directory, _ = exported
    originals = _originals()
    assert [r["name"] for r in descriptor["resources"]] == list(originals)
    for resource in descriptor["resources"]:
        data = (directory / resource["path"]).read_bytes()
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert resource["bytes"] == len(data)
        assert (resource["format"], resource["mediatype"], resource["encoding"]) == ("csv", "text/csv", "utf-8")
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == list(originals[resource["name"]].columns)
        assert all(f["description"] and f["title"] and f["title_zh"] for f in fields)


def test_schema_keys_categories_units_and_missing_values(descriptor):
    schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
    assert {name: s["primaryKey"] for name, s in schemas.items()} == {
        "figures": ["figure_id"], "indicators": ["indicator_id"], "derived": ["derived_id"],
        "measures": ["measure_id"]}
    to_indicators = {"fields": ["indicator_id"], "reference": {"resource": "indicators", "fields": ["indicator_id"]}}
    assert schemas["figures"]["foreignKeys"] == [to_indicators]
    assert schemas["derived"]["foreignKeys"] == [to_indicators]
    assert schemas["measures"]["foreignKeys"] == [to_indicators]
    assert "foreignKeys" not in schemas["indicators"]
    fields = {f["name"]: f for f in schemas["figures"]["fields"]}
    ids = [e for e in indicators()["indicator_id"]]
    assert fields["indicator_id"]["constraints"]["enum"] == ids
    assert [c["value"] for c in fields["indicator_id"]["categories"]] == ids
    assert fields["indicator_id"]["categoriesOrdered"] is True
    assert fields["indicator_id"]["categories"][0]["label_zh"] == "创新创业活跃度"
    assert fields["qualifier"]["categoriesOrdered"] is False
    assert "required" not in fields["indicator_id"].get("constraints", {})
    assert fields["figure_id"]["constraints"]["required"] is True
    assert (fields["value"]["type"], fields["value"]["unitField"], fields["value"]["unitFieldEn"]) == (
        "number", "unit", "unit_en")
    assert (fields["start"]["type"], fields["metric"]["type"]) == ("integer", "string")
    assert schemas["figures"]["missingValues"] == [""]
    derived_fields = {f["name"]: f for f in schemas["derived"]["fields"]}
    assert derived_fields["parameters"]["missingValues"] == []  # "" is the empty list, not missing


# ---- round trip ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("table", ["figures", "indicators", "derived", "measures"])
def test_read_export_gives_back_the_exported_frame_exactly(exported, table, fmt):
    directory, _ = exported
    original = _originals()[table]
    back = read_export(directory, table, fmt)
    pd.testing.assert_frame_equal(back, original, check_exact=True, check_categorical=True)
    for name in original.columns:  # assert_frame_equal compares categories; say the order out loud too
        if isinstance(original[name].dtype, pd.CategoricalDtype):
            assert list(back[name].cat.categories) == list(original[name].cat.categories)
            assert back[name].cat.ordered == original[name].cat.ordered


def test_round_trip_keeps_missing_values_and_empty_strings_apart(exported):
    directory, _ = exported
    figures_back = read_export(directory, "figures")
    assert figures_back["indicator_id"].isna().sum() == figures()["indicator_id"].isna().sum() > 0
    assert figures_back["period"].isna().sum() == figures()["period"].isna().sum() > 0
    derived_back = read_export(directory, "derived")
    assert (derived_back["parameters"] == "").sum() == (derived()["parameters"] == "").sum() > 0
    assert derived_back["parameters"].notna().all()


def test_export_with_another_population_records_it_and_reads_back(tmp_path):
    directory = tmp_path / "pop"
    export(directory, ["datapackage", "parquet"], population=1_000_000, days_in_year=365)
    expected = derived(population=1_000_000, days_in_year=365)
    assert not expected["value"].equals(derived()["value"])
    for fmt in ("csv", "parquet"):
        pd.testing.assert_frame_equal(read_export(directory, "derived", fmt), expected, check_exact=True)
    recorded = json.loads((directory / DESCRIPTOR_NAME).read_text(encoding="utf-8"))["parameters"]
    assert recorded == {"population": 1_000_000, "days_in_year": 365}


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _schema(column: dict) -> dict:
    return {"fields": [{"name": "k", "type": "integer", "constraints": {"required": True}}, column],
            "missingValues": [""]}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=20))
def test_csv_floats_read_back_bit_for_bit(values):
    """repr is the shortest exact decimal, and pandas' default parser reads it back exactly."""
    frame = pd.DataFrame({"k": range(len(values)), "value": pd.array(values, dtype="float64")})
    back = read_csv_typed(render_csv(frame), _schema({"name": "value", "type": "number"}))
    for x, y in zip(values, back["value"]):
        assert (math.isnan(x) and math.isnan(y)) or _bits(x) == _bits(y)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), min_size=1, max_size=10))
def test_csv_strings_read_back_exactly_with_the_descriptors_missing_values(values):
    """Commas, quotes, CR, LF, blanks and empty strings survive; only missing cells become pd.NA."""
    frame = pd.DataFrame({"k": range(len(values)), "s": pd.array(values, dtype=STRING)})
    column = {"name": "s", "type": "string"}
    if any(v == "" for v in values):  # "" and missing cannot share a column whose empty cell means missing
        frame["s"] = frame["s"].fillna("x")
        column["missingValues"] = []
    pd.testing.assert_frame_equal(read_csv_typed(render_csv(frame), _schema(column)), frame)


# ---- determinism -----------------------------------------------------------


def test_exports_are_byte_identical_across_directories_and_repeats(exported, tmp_path):
    directory, _ = exported
    first = _snapshot(directory)
    export(tmp_path / "again")
    assert _snapshot(tmp_path / "again") == first
    export(tmp_path / "again")  # into the same directory, over the previous export
    assert _snapshot(tmp_path / "again") == first
    assert _staging_dirs(tmp_path) == []
    export(tmp_path / "english", lang="en")  # lang changes the workbook only
    english = _snapshot(tmp_path / "english")
    assert english.pop(WORKBOOK_NAME) != first[WORKBOOK_NAME]
    assert english == {name: data for name, data in first.items() if name != WORKBOOK_NAME}


def test_workbook_holds_no_timestamp(exported):
    """openpyxl stamps the save time into core.xml and every zip entry; the export removes both."""
    directory, _ = exported
    with zipfile.ZipFile(directory / WORKBOOK_NAME) as workbook:
        assert {info.date_time for info in workbook.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = workbook.read("docProps/core.xml")
    assert b"dcterms:created" not in core and b"dcterms:modified" not in core
    assert b"<dc:creator>dalian-data</dc:creator>" in core


def test_measures_action_type_is_described_with_the_taxonomys_labels_in_order(descriptor):
    fields = {f["name"]: f for f in next(r for r in descriptor["resources"] if r["name"] == "measures")["schema"]["fields"]}
    taxonomy = action_types()
    assert fields["action_type"]["categories"] == [
        {"value": str(t.action_type), "label": t.label_en, "label_zh": t.label_zh} for t in taxonomy.itertuples()]
    assert fields["action_type"]["categoriesOrdered"] is True
    assert fields["figure_ids"]["missingValues"] == []  # "" is "no figure", not missing


def test_measures_figure_ids_round_trip_as_empty_strings_and_lists(exported):
    directory, _ = exported
    back = read_export(directory, "measures")
    assert (back["figure_ids"] == "").sum() == (measures()["figure_ids"] == "").sum() > 0
    assert back["figure_ids"].str.contains(",").any()
    listed = {i for cell in back["figure_ids"] if cell for i in cell.split(",")}
    assert listed <= set(read_export(directory, "figures")["figure_id"])


def test_frictionless_catches_a_measure_of_an_unknown_action_type(exported, tmp_path):
    report = _validate_edited_copy(exported, tmp_path, "measures.csv", ",reform,", ",reforms,")
    assert not report.valid
    assert ("action_type", "constraint-error") in {tuple(e) for e in report.flatten(["fieldName", "type"])}


# ---- the workbook ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_workbook_has_one_sheet_per_table_with_headers_in_lang(tmp_path, lang):
    from openpyxl import load_workbook

    path, = export(tmp_path, ["xlsx"], lang=lang)
    workbook = load_workbook(path)
    originals = _originals()
    assert workbook.sheetnames == [datapackage.sheet_name(t, lang) for t in originals]
    for table, frame in originals.items():
        sheet = workbook[datapackage.sheet_name(table, lang)]
        rows = list(sheet.iter_rows(values_only=True))
        assert list(rows[0]) == datapackage.headers(table, lang)
        assert len(rows) == len(frame) + 1
        assert len(set(rows[0])) == len(rows[0])  # headers are distinguishable
    sheet = workbook[datapackage.sheet_name("figures", lang)]
    assert sheet["A2"].value == figures()["figure_id"].iloc[0]
    assert sheet["B2"].value is None  # the headline figure belongs to no indicator
    assert datapackage.headers("figures", "zh")[0] == "数字编号" and datapackage.headers("figures", "en")[0] == "Figure id"


def test_workbook_text_starting_with_equals_stays_text(tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from dalian_data.publish import files as exporting

    frame = figures()
    frame.loc[0, "metric"] = "=1+1"
    data = exporting._render_xlsx({"figures": frame}, "en")
    (tmp_path / "w.xlsx").write_bytes(data)
    cell = load_workbook(tmp_path / "w.xlsx")["figures"]["D2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


# ---- bad input: clear errors, nothing written ----------------------------------


def test_unknown_format_names_it_and_the_allowed_ones(tmp_path):
    with pytest.raises(ValueError) as error:
        export(tmp_path / "out", ["csv", "json", "XLSX"])
    message = str(error.value)
    assert "'json'" in message and "'XLSX'" in message and ", ".join(FORMATS) in message
    assert not (tmp_path / "out").exists()
    with pytest.raises(ValueError, match="no export format"):
        export(tmp_path / "out", [])


@pytest.mark.parametrize("kwargs, named", [
    ({"lang": "fr"}, "'lang' is 'fr'"),
    ({"population": 0}, "'population' is 0"),
    ({"days_in_year": 360}, "'days_in_year' is 360"),
])
def test_bad_parameters_fail_and_leave_a_previous_export_untouched(tmp_path, kwargs, named):
    directory = tmp_path / "out"
    export(directory, ["csv"])
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.iterdir()}
    with pytest.raises(ValueError, match=named):
        export(directory, **kwargs)
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.iterdir()} == before


def test_a_file_in_place_of_the_directory_is_refused(tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="taken.*is a file"):
        export(target, ["csv"])
    with pytest.raises(NotADirectoryError, match="a parent of the export directory"):
        export(target / "sub", ["csv"])
    assert target.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_a_failure_while_writing_leaves_the_previous_export_and_no_staging(tmp_path, monkeypatch):
    directory = tmp_path / "out"
    export(directory, ["csv", "parquet"])
    before = _snapshot(directory)
    calls = []
    real_write_bytes = Path.write_bytes

    def failing_write_bytes(self, data):
        calls.append(self.name)
        if len(calls) == 4:
            raise OSError(28, "No space left on device")
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write_bytes)
    with pytest.raises(OSError, match="No space left"):
        export(directory, ["csv", "parquet"], population=2_000_000)
    monkeypatch.undo()
    assert len(calls) == 4  # three files were staged before the failure
    assert _snapshot(directory) == before
    assert _staging_dirs(tmp_path) == []


def test_a_failure_while_rendering_writes_nothing(tmp_path, monkeypatch):
    from dalian_data.publish import files as exporting

    def broken(*args, **kwargs):
        raise RuntimeError("workbook failed")

    monkeypatch.setattr(exporting, "_render_xlsx", broken)
    with pytest.raises(RuntimeError, match="workbook failed"):
        export(tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


# ---- frames the description does not fit ------------------------------------------


def test_table_schema_refuses_an_undescribed_column():
    frame = figures().assign(extra=1)
    with pytest.raises(ValueError, match=r"figures: .*fields.toml \(undescribed columns \['extra'\]"):
        datapackage.table_schema("figures", frame)


def test_table_schema_refuses_missing_values_in_a_required_column():
    frame = figures()
    frame.loc[3, "metric"] = pd.NA
    with pytest.raises(ValueError, match=r"figures.metric has missing values \(rows \[3\]\)"):
        datapackage.table_schema("figures", frame)


def test_table_schema_refuses_empty_strings_where_an_empty_cell_means_missing():
    frame = figures()
    frame.loc[0, "period"] = ""
    with pytest.raises(ValueError, match=r"figures.period holds empty strings .*missing_values = \[\]"):
        datapackage.table_schema("figures", frame)


def test_table_schema_refuses_categories_other_than_the_labelled_ones():
    frame = figures()
    frame["kind"] = frame["kind"].cat.add_categories(["ratio"])
    with pytest.raises(ValueError, match=r"figures.kind: the frame's categories .*'ratio'.* differ"):
        datapackage.table_schema("figures", frame)


def test_read_export_refuses_an_edited_csv_and_unknown_names(exported, tmp_path):
    directory, _ = exported
    copy = tmp_path / "copy"
    shutil.copytree(directory, copy)
    (copy / "derived.csv").write_bytes((copy / "derived.csv").read_bytes() + b"\n")
    with pytest.raises(ValueError, match="derived.csv does not match datapackage.json"):
        read_export(copy, "derived")
    with pytest.raises(ValueError, match="table 'aspects' is not exported; exported tables: figures, indicators"):
        read_export(directory, "aspects")
    with pytest.raises(ValueError, match="format 'xlsx' cannot be read back"):
        read_export(directory, "figures", "xlsx")
    with pytest.raises(FileNotFoundError, match="export with formats including 'datapackage'"):
        read_export(tmp_path, "figures")


# ---- the package attribute -----------------------------------------------------


@pytest.mark.xfail(
    dalian_data._EXPORTS.get("export") != "dalian_data.publish.files",
    reason="dalian_data/__init__.py must map 'export' to 'dalian_data.publish.files'",
    strict=True,
)
def test_dalian_data_export_is_the_function_even_after_importing_the_module():
    import dalian_data.publish.files  # noqa: F401  (sets no package attribute named 'export')

    assert dalian_data.export is export
