"""The files the HTML report offers for download, written beside its pages.

``dalian-data report --html`` writes into its output folder, next to
``index.html``: the data export under ``data/`` (CSV, Parquet, Excel and
``datapackage.json``, see :func:`dalian_data.export`), made with the run's
language, population and days in the year, and the source report's text as
``report.txt``, byte for byte the published file (its sha256 is checked
before it is copied). Without the ``[export]`` extra the downloads are the
CSV files and ``datapackage.json``. Both are deterministic, so an unchanged run rewrites
nothing; the export keeps the previous files when it fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from dalian_data.atomic import write_bytes_atomic
from dalian_data.run.html_pages import DATA_DIR, REPORT_FILE

#: Parameters of the run that change the exported data (the rest only change the notebooks).
EXPORT_PARAMETERS = ("lang", "population", "days_in_year")
#: What the export writes without the [export] extra (the index lists whatever exists).
CORE_FORMATS = ("csv", "datapackage")


def write_downloads(out_dir: Path, parameters: Mapping[str, Any]) -> list[Path]:
    """Write ``out_dir/data/`` (the export) and ``out_dir/report.txt``; return the written paths.

    ``parameters``: the run's parameters (the notebooks' defaults included);
    ``lang``, ``population`` and ``days_in_year`` are passed to the export
    when present, the export's own defaults used otherwise.
    """
    from importlib import resources

    from dalian_data.publish.files import export
    from dalian_data.extras import MissingExtraError
    from dalian_data.source import REPORT_RESOURCE, verify_report_bytes

    given = {key: parameters[key] for key in EXPORT_PARAMETERS if key in parameters}
    try:
        written = export(out_dir / DATA_DIR, **given)
    except MissingExtraError:  # no [export] extra: no Parquet or Excel, the rest needs pandas only
        written = export(out_dir / DATA_DIR, CORE_FORMATS, **given)
    report = resources.files("dalian_data").joinpath(REPORT_RESOURCE).read_bytes()
    verify_report_bytes(report, REPORT_RESOURCE)
    target = out_dir / REPORT_FILE
    if not target.is_file() or target.read_bytes() != report:
        write_bytes_atomic(target, report)
    return [*written, target]
