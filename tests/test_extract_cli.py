"""`dalian-data extract -` reads standard input; text in another encoding is named correctly."""

import io
import json
import sys

import pytest

from dalian_data.cli import guess_encoding, main

SENTENCE = "全市新增企業3家，同比增長百分之五。"


class _Stdin:
    def __init__(self, data: bytes):
        self.buffer = io.BytesIO(data)


def test_a_dash_reads_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin("2021年全市新增企业3家，增长5%。".encode()))
    assert main(["extract", "-", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["quote"], r["value"], r["period"]) for r in rows] == [("3家", 3.0, "2021"), ("增长5%", 5.0, "2021")]


def test_json_and_csv_write_period_days_as_iso_dates(monkeypatch, capsys):
    text = "2021年1-7月，全市新增企业10～20家。".encode()
    monkeypatch.setattr(sys, "stdin", _Stdin(text))
    assert main(["extract", "-", "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert (row["period"], row["period_start"], row["period_end"]) == ("2021-01–2021-07", "2021-01-01", "2021-07-31")
    assert (row["value"], row["upper"]) == (10.0, 20.0)
    monkeypatch.setattr(sys, "stdin", _Stdin(text))
    assert main(["extract", "-", "--format", "csv"]) == 0
    assert ",2021-01-01,2021-07-31," in capsys.readouterr().out


def test_empty_standard_input_says_so(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    assert main(["extract", "-"]) == 0
    assert capsys.readouterr().out == "no quantities found in standard input\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "gb18030", "big5"])
def test_the_hint_names_the_encoding_actually_used(encoding, monkeypatch, capsys):
    data = SENTENCE.encode(encoding)
    expected = {"utf-16": "UTF-16LE", "utf-16-be": "UTF-16BE", "utf-32": "UTF-32LE",
                "gb18030": "GB18030", "big5": "Big5"}[encoding]
    assert guess_encoding(data) == expected
    monkeypatch.setattr(sys, "stdin", _Stdin(data))
    assert main(["extract", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("dalian-data: error: standard input is not UTF-8 text")
    assert f"iconv -f {expected} -t UTF-8" in err and err.count("\n") == 1


def test_bytes_no_known_encoding_reads_say_so():
    assert guess_encoding(b"\x81\x20\xff\xfe\x00\x81") in (None, "GB18030", "Big5")
    assert guess_encoding(bytes([0x80, 0xFF, 0x30, 0xFF, 0xFF])) is None
