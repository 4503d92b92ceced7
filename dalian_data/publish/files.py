"""Write the figures, indicators, derived and measures tables to files, and read them back.

:func:`export` writes, into one directory:

* ``figures.csv``, ``indicators.csv``, ``derived.csv``, ``measures.csv``: UTF-8 **without** a
  byte-order mark. A BOM would let Excel on Windows guess the encoding, but
  it breaks the tools CSV is for: Python's ``csv`` and many others read it as
  part of the first column's name (``\\ufefffigure_id``), and the Data Package
  standard names the encoding ``utf-8``, not ``utf-8-sig``. Excel users get
  ``dalian-data.xlsx`` instead, which needs no guessing. Lines end in CRLF
  (RFC 4180; see :data:`dalian_data.publish.datapackage.CSV_DIALECT`), missing
  values are empty cells, and floats are written with ``repr`` (the
  shortest decimal that reads back as the same binary64 float), so a round
  trip is exact;
* ``figures.parquet`` … (pyarrow): categoricals stay dictionary columns with
  their order, strings stay strings;
* ``dalian-data.xlsx``: one sheet per table, headers in Chinese or English
  (``lang``) from ``data/fields.toml``;
* ``datapackage.json``: a Frictionless Data Package (v1) describing the CSV
  files (see :mod:`dalian_data.publish.datapackage`), with each file's sha256 and size.
  A descriptor without its CSV files is useless, so asking for
  ``"datapackage"`` writes the CSV files too.

Re-exporting unchanged data gives byte-identical files: nothing written
depends on the clock. The workbook is the one place that needs work for
that, because openpyxl stamps the save time into ``docProps/core.xml`` and
the zip entries; :func:`_normalise_xlsx` rewrites both.

All arguments are checked and every file is rendered in memory before
anything touches the disk; the files are then written into a temporary
directory beside the target and moved in only when all of them are written.
A failed export therefore leaves the target as it was, including a previous
good export in it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import shutil
import stat
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from dalian_data.publish.datapackage import (
    CSV_DIALECT, TABLES, csv_missing_values, fields_spec, headers, package_descriptor, pandas_dtypes, sheet_name,
    table_schema,
)
from dalian_data.derived_metrics import DAYS_IN_REPORT_YEAR, DALIAN_POPULATION_2020, derived
from dalian_data.dtypes import DATE, STRING
from dalian_data.extras import needs_extra
from dalian_data.parameters import validate_parameters
from dalian_data.policy_measures import measures
from dalian_data.tables import figures, indicators

__all__ = ["export", "read_export", "read_csv_typed", "render_csv", "FORMATS", "WORKBOOK_NAME", "DESCRIPTOR_NAME"]

FORMATS = ("csv", "parquet", "xlsx", "datapackage")
"""Export formats, in the order their files are written and returned."""

WORKBOOK_NAME = "dalian-data.xlsx"
DESCRIPTOR_NAME = "datapackage.json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip entry can hold


def _check_formats(formats: str | Iterable[str]) -> list[str]:
    """The requested formats in canonical order; ValueError naming bad ones."""
    allowed = ", ".join(FORMATS)
    if isinstance(formats, str):
        formats = [formats]
    try:
        requested = list(formats)
    except TypeError:
        raise ValueError(f"formats must be a list of format names; allowed: {allowed}") from None
    bad = [f for f in requested if f not in FORMATS]
    if bad:
        names = ", ".join(repr(f) for f in bad)
        raise ValueError(f"unknown export format(s) {names}; allowed: {allowed}")
    if not requested:
        raise ValueError(f"no export format given; allowed: {allowed}")
    wanted = set(requested)
    if "datapackage" in wanted:
        wanted.add("csv")  # the descriptor describes the CSV files
    return [f for f in FORMATS if f in wanted]


def _check_target(target: Path) -> None:
    """Refuse a target (or an ancestor of it) that exists and is not a directory."""
    for path in (target, *target.parents):
        if path.exists():
            if not path.is_dir():
                what = "the export directory" if path == target else f"{path}, a parent of the export directory,"
                raise NotADirectoryError(
                    f"cannot export into {target}: {what} is a file, not a directory; "
                    "give a directory path (it is created when missing)"
                )
            return


# ---- rendering -----------------------------------------------------------


def _format_float(x: float) -> str:
    if math.isnan(x):
        return ""
    if math.isinf(x):
        return "INF" if x > 0 else "-INF"  # Table Schema's spelling; pandas reads it too
    return repr(x)


def _csv_cells(column: pd.Series) -> list[str]:
    """One column as CSV cell strings: missing -> "", floats via repr."""
    dtype = column.dtype
    if dtype == "float64":
        return [_format_float(float(x)) for x in column.to_numpy()]
    if dtype == DATE:
        return ["" if pd.isna(x) else x.strftime("%Y-%m-%d") for x in column]
    missing = column.isna().to_numpy()
    values = column.astype(object).to_numpy()
    return ["" if m else str(v) for v, m in zip(values, missing)]


def render_csv(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV bytes in the dialect the descriptor declares."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DIALECT["delimiter"], quotechar=CSV_DIALECT["quoteChar"],
                        doublequote=CSV_DIALECT["doubleQuote"], lineterminator=CSV_DIALECT["lineTerminator"],
                        quoting=csv.QUOTE_MINIMAL)
    writer.writerow([str(c) for c in frame.columns])
    writer.writerows(zip(*(_csv_cells(frame[c]) for c in frame.columns)))
    return buffer.getvalue().encode("utf-8")


def _render_parquet(frame: pd.DataFrame) -> bytes:
    with needs_extra("export to parquet", "export"):
        import pyarrow as pa
        import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    # Explicit settings, so a change of pyarrow's defaults cannot change the bytes silently.
    pq.write_table(table, buffer, compression="snappy", version="2.6", write_statistics=True)
    return buffer.getvalue()


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _render_xlsx(frames: dict[str, pd.DataFrame], lang: str) -> bytes:
    with needs_extra("export to xlsx", "export"):
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

    from dalian_data.catalogue import catalogue

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table, frame in frames.items():
        sheet = workbook.create_sheet(sheet_name(table, lang))
        titles = headers(table, lang)
        sheet.append(titles)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in frame.columns]
        for r, row in enumerate(zip(*columns), start=2):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(r, c, value if isinstance(value, (int, float)) else str(value))
                if cell.data_type == "f":
                    cell.data_type = "s"  # text that starts with "=" is text here, never a formula
        for i, (title, values) in enumerate(zip(titles, columns), start=1):
            widest = max([_display_width(title)] + [_display_width(str(v)) for v in values if v is not None])
            sheet.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), 60)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    source = catalogue()["source"]
    package = fields_spec()["package"]
    props = workbook.properties
    props.creator = package["name"]
    props.title = package[f"title_{lang}"]
    props.description = f"Source: {source['title']} ({source['publisher']}, {source['year']}). {source['licence_note']}"
    props.keywords = ", ".join(package["keywords"])
    # props.created and .modified are the current time; _normalise_xlsx strips both.
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalise_xlsx(buffer.getvalue())


_CORE_DATES = re.compile(rb"<dcterms:(created|modified)\b[^>]*>[^<]*</dcterms:\1>")


def _normalise_xlsx(data: bytes) -> bytes:
    """Rewrite an xlsx so that it does not depend on when it was saved.

    openpyxl writes the save time into ``docProps/core.xml`` (dcterms:modified,
    which it sets at save whatever the workbook says) and into every zip
    entry's date. Both dates are optional for Excel and LibreOffice, so the
    core properties lose them and every entry gets the zip epoch, fixed
    permissions and a fixed compression level; entry order is kept.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = _CORE_DATES.sub(b"", payload)
                if b"dcterms:created" in payload or b"dcterms:modified" in payload:
                    raise RuntimeError("openpyxl wrote docProps/core.xml dates in an unexpected form; cannot strip them")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, so external_attr means the same on every platform
            entry.external_attr = (stat.S_IFREG | 0o644) << 16
            target.writestr(entry, payload, compresslevel=6)
    return out.getvalue()


def _render(frames: dict[str, pd.DataFrame], formats: list[str], lang: str,
            parameters: dict[str, Any]) -> dict[str, bytes]:
    """File name -> bytes, for every file of the export, in canonical order."""
    from dalian_data import __version__

    schemas = {table: table_schema(table, frame) for table, frame in frames.items()}
    files: dict[str, bytes] = {}
    if "csv" in formats:
        for table, frame in frames.items():
            files[f"{table}.csv"] = render_csv(frame)
    if "parquet" in formats:
        for table, frame in frames.items():
            files[f"{table}.parquet"] = _render_parquet(frame)
    if "xlsx" in formats:
        files[WORKBOOK_NAME] = _render_xlsx(frames, lang)
    if "datapackage" in formats:
        resources = []
        for table in frames:
            spec = fields_spec()["tables"][table]
            data = files[f"{table}.csv"]
            resources.append({
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "title": f"{spec['title_zh']} / {spec['title_en']}",
                "description": spec["description"],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(data),
                "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
                "dialect": dict(CSV_DIALECT),
                "schema": schemas[table],
            })
        descriptor = package_descriptor(resources, version=__version__, parameters=parameters)
        files[DESCRIPTOR_NAME] = (json.dumps(descriptor, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


# ---- writing -------------------------------------------------------------


def _install(files: dict[str, bytes], target: Path) -> list[Path]:
    """Write ``files`` into ``target`` all together or not at all.

    They go first into a hidden staging folder *inside* ``target``: the same
    file system even when ``target`` is a mount point, so moving them in is a
    rename (never EXDEV). Only when every file is written is each moved over
    its name with ``os.replace``, which replaces atomically and leaves other
    files alone. The staging folder is removed either way, and a ``target``
    created here is removed again if nothing could be written.
    """
    created = not target.exists()
    target.mkdir(parents=True, exist_ok=True)
    staging = target / f".export-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        os.mkdir(staging)
        for name, data in files.items():
            (staging / name).write_bytes(data)
        for name in files:
            os.replace(staging / name, target / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            try:
                target.rmdir()
            except OSError:
                pass
        raise
    os.rmdir(staging)
    return [target / name for name in files]


def export(directory: str | os.PathLike, formats: str | Iterable[str] = FORMATS, *, lang: str = "zh",
           population: int = DALIAN_POPULATION_2020, days_in_year: int = DAYS_IN_REPORT_YEAR) -> list[Path]:
    """Export figures, indicators, derived and measures into ``directory``; return the written paths.

    The files are described in README.md, "Exports", and their columns once,
    in ``dalian_data/data/fields.toml``. Exports are byte-for-byte
    reproducible. ``directory`` is created (with its parents) when missing.
    Existing files of the same names are replaced; others are left alone. A
    call that raises (see Raises) writes nothing.

    Parameters
    ----------
    directory : str or os.PathLike
        The folder to write into.
    formats : str or iterable of str, default all of :data:`FORMATS`
        Any of ``"csv"``, ``"parquet"``, ``"xlsx"``, ``"datapackage"`` (a
        list, tuple or one name); ``"datapackage"`` implies ``"csv"``, whose
        files it describes.
    lang : {"zh", "en"}, default "zh"
        Sets the workbook's headers and sheet names; CSV and Parquet always
        use the column names.
    population : int, default DALIAN_POPULATION_2020
        The 2020 census by default (see
        :data:`dalian_data.DALIAN_POPULATION_2020`); feeds
        :func:`dalian_data.derived` and is recorded in the descriptor.
    days_in_year : int, default 366
        Feeds :func:`dalian_data.derived` and is recorded in the descriptor.

    Returns
    -------
    paths : list of pathlib.Path
        The written files, in the order of :data:`FORMATS`.

    Raises
    ------
    ValueError
        On a bad argument, naming the bad value and the allowed ones.
    NotADirectoryError
        When ``directory`` (or a parent of it) is a file.
    dalian_data.extras.MissingExtraError
        When Parquet or Excel is asked for without the ``export`` extra.

    See Also
    --------
    read_export : read an exported table back with its exact types.

    Examples
    --------
    >>> import tempfile
    >>> import dalian_data as dd
    >>> out = tempfile.TemporaryDirectory()
    >>> [path.name for path in dd.export(out.name, "datapackage")]
    ['figures.csv', 'indicators.csv', 'derived.csv', 'measures.csv', 'datapackage.json']
    >>> dd.export(out.name, "pdf")
    Traceback (most recent call last):
        ...
    ValueError: unknown export format(s) 'pdf'; allowed: csv, parquet, xlsx, datapackage
    >>> out.cleanup()
    """
    wanted = _check_formats(formats)
    validate_parameters(lang=lang, population=population, days_in_year=days_in_year)
    if not str(directory).strip():
        raise ValueError("the export directory is an empty name; give a folder path, e.g. out/ (. for the current folder)")
    target = Path(directory)
    _check_target(target)
    frames = {
        "figures": figures(),
        "indicators": indicators(),
        "derived": derived(population=population, days_in_year=days_in_year),
        "measures": measures(),
    }
    files = _render(frames, wanted, lang, {"population": population, "days_in_year": days_in_year})
    return _install(files, target)


# ---- reading back --------------------------------------------------------


def read_csv_typed(data: bytes, schema: dict[str, Any], *, encoding: str = "utf-8",
                   name: str = "CSV") -> pd.DataFrame:
    """CSV bytes as a frame typed by a Table Schema written by this package.

    Every column is read with the schema's dtype and only the schema's
    missing values (field-level before schema-level) count as missing, so an
    empty string stays an empty string where the schema says so; blank lines
    are rows, never skipped. ``name`` labels errors.
    """
    dtypes = pandas_dtypes(schema)
    raw_types = {n: (STRING if isinstance(t, pd.CategoricalDtype) or t == DATE else t) for n, t in dtypes.items()}
    frame = pd.read_csv(io.BytesIO(data), encoding=encoding, dtype=raw_types, keep_default_na=False,
                        na_values=csv_missing_values(schema), skip_blank_lines=False)
    return _apply_dtypes(frame, dtypes, name)


def _apply_dtypes(frame: pd.DataFrame, dtypes: dict[str, Any], name: str) -> pd.DataFrame:
    names = list(dtypes)
    if list(frame.columns) != names:
        raise ValueError(f"{name} has columns {list(frame.columns)}; the descriptor describes {names}")
    for column, dtype in dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            values = frame[column].astype(STRING)
            unknown = sorted(set(values.dropna()) - set(dtype.categories))
            if unknown:
                raise ValueError(f"{name}: column {column} has values {unknown} outside the described categories")
            frame[column] = values.astype(dtype)
        elif dtype == DATE and frame[column].dtype != dtype:
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype(DATE)
        elif frame[column].dtype != dtype:
            frame[column] = frame[column].astype(dtype)
    return frame


def read_export(directory: str | os.PathLike, table: str, format: str = "csv") -> pd.DataFrame:
    """Read one exported table back, typed by the directory's ``datapackage.json``.

    Column types, categories and their order, and which cells are missing
    all come from the descriptor, so the result equals the frame that was
    exported (``pd.testing.assert_frame_equal`` holds).

    Parameters
    ----------
    directory : str or os.PathLike
        A folder written by :func:`export` with ``"datapackage"`` among its
        formats.
    table : str
        ``"figures"``, ``"indicators"``, ``"derived"`` or ``"measures"``.
    format : {"csv", "parquet"}, default "csv"
        Which of the exported files to read.

    Returns
    -------
    table : pandas.DataFrame
        The exported frame, as :func:`dalian_data.figures` and its siblings
        return it; the columns are described in
        ``dalian_data/data/fields.toml``.

    Raises
    ------
    ValueError
        When ``table`` or ``format`` is not one of the allowed values, or
        when a CSV's sha256 differs from the descriptor's: it was edited or
        comes from another export, and its types may no longer be the
        described ones.
    FileNotFoundError
        When ``directory`` holds no ``datapackage.json``.
    dalian_data.extras.MissingExtraError
        When Parquet is read without the ``export`` extra.

    See Also
    --------
    export : write the tables and the descriptor.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> import dalian_data as dd
    >>> out = tempfile.TemporaryDirectory()
    >>> paths = dd.export(out.name, ["csv", "datapackage"])
    >>> back = dd.read_export(out.name, "figures")
    >>> back.shape
    (67, 19)
    >>> pd.testing.assert_frame_equal(back, dd.figures())
    >>> out.cleanup()
    """
    if table not in TABLES:
        raise ValueError(f"table {table!r} is not exported; exported tables: {', '.join(TABLES)}")
    if format not in ("csv", "parquet"):
        raise ValueError(f"format {format!r} cannot be read back; allowed: 'csv' or 'parquet'")
    directory = Path(directory)
    descriptor_path = directory / DESCRIPTOR_NAME
    if not descriptor_path.is_file():
        raise FileNotFoundError(
            f"{descriptor_path} not found: read_export needs the descriptor; "
            "export with formats including 'datapackage'"
        )
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))
    resource = next((r for r in descriptor["resources"] if r["name"] == table), None)
    if resource is None:
        raise ValueError(f"{descriptor_path} has no resource named {table!r}")
    if format == "parquet":
        path = directory / f"{table}.parquet"
        with needs_extra("read_export(format='parquet')", "export"):
            import pyarrow  # noqa: F401  (pandas' own message would not name the extra)
        return _apply_dtypes(pd.read_parquet(path), pandas_dtypes(resource["schema"]), str(path))
    path = directory / resource["path"]
    data = path.read_bytes()
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if digest != resource.get("hash", digest):
        raise ValueError(f"{path} does not match {DESCRIPTOR_NAME} (sha256 {digest[7:]}, "
                         f"described {resource['hash'][7:]}); re-export the directory")
    return read_csv_typed(data, resource["schema"], encoding=resource.get("encoding", "utf-8"), name=str(path))
