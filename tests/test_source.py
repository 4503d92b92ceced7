"""The report text: byte-identical to the seed, and guarded by its sha256."""

import hashlib
from pathlib import Path

import pytest

import dalian_data as dd
from dalian_data import source

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / source.REPORT_SEED_NAME


def test_the_report_is_the_seed_byte_for_byte():
    assert dd.report_text().encode("utf-8") == SEED.read_bytes()
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == dd.REPORT_SHA256


def test_the_report_has_no_trailing_newline():
    assert not dd.report_text().endswith("\n")


@pytest.fixture
def altered_package(tmp_path, monkeypatch):
    """A package folder whose report has one character changed."""
    data = tmp_path / "data"
    data.mkdir()
    altered = SEED.read_text(encoding="utf-8").replace("17.4亿元", "71.4亿元")
    (data / "report.txt").write_text(altered, encoding="utf-8")
    monkeypatch.setattr(source.resources, "files", lambda package: tmp_path)
    source.report_text.cache_clear()
    yield data / "report.txt", hashlib.sha256(altered.encode("utf-8")).hexdigest()
    source.report_text.cache_clear()


def test_an_altered_report_raises_naming_the_file_and_both_digests(altered_package):
    path, actual = altered_package
    with pytest.raises(dd.ReportChecksumError) as err:
        source.report_text()
    message = str(err.value)
    assert str(path) in message and actual in message and dd.REPORT_SHA256 in message
