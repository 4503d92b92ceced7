"""Locating the notebooks and ``dalian-data notebooks DEST``, from the checkout (the wheel: test_wheel.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dalian_data.cli import main
from dalian_data.run.notebook_files import CopyRefused, copy_notebooks, notebook_files, notebooks_folder

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_NOTEBOOKS = ROOT / "dalian_data" / "notebooks"


def test_a_checkout_runs_its_own_notebooks_folder():
    assert notebooks_folder() == (ROOT / "notebooks").resolve()


def test_the_package_data_is_the_checkout_folder_itself_not_a_copy():
    assert PACKAGE_NOTEBOOKS.is_symlink() and PACKAGE_NOTEBOOKS.resolve() == (ROOT / "notebooks").resolve()


def test_the_files_handed_out_are_the_notebooks_and_their_readme(tmp_path):
    folder = tmp_path / "nb"
    (folder / ".ipynb_checkpoints").mkdir(parents=True)
    for name in ("01_a.ipynb", "README.md", ".hidden.ipynb", ".ipynb_checkpoints/01_a-checkpoint.ipynb"):
        (folder / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in notebook_files(folder)] == ["01_a.ipynb", "README.md"]
    shipped = [p.name for p in notebook_files()]
    assert len([n for n in shipped if n.endswith(".ipynb")]) == 7 and "README.md" in shipped


def test_notebooks_command_copies_then_leaves_identical_files_alone(tmp_path, capsys):
    dest = tmp_path / "new" / "analysis"
    assert main(["notebooks", str(dest)]) == 0
    for path in notebook_files():
        assert (dest / path.name).read_bytes() == path.read_bytes()
    assert "copied 8 file(s)" in capsys.readouterr().err
    stamps = {p.name: p.stat().st_mtime_ns for p in dest.iterdir()}
    assert main(["notebooks", str(dest)]) == 0
    assert {p.name: p.stat().st_mtime_ns for p in dest.iterdir()} == stamps
    assert "8 already up to date" in capsys.readouterr().err


def test_a_changed_file_is_kept_unless_forced(tmp_path, capsys):
    copy_notebooks(tmp_path)
    (tmp_path / "03_openness.ipynb").write_text("my own analysis", encoding="utf-8")
    (tmp_path / "06_transport.ipynb").unlink()
    assert main(["notebooks", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (f"dalian-data: error: 1 file(s) in {str(tmp_path)!r} differ from the package's: "
                   "03_openness.ipynb; pass --force to replace them\n")
    assert (tmp_path / "03_openness.ipynb").read_text(encoding="utf-8") == "my own analysis"
    assert not (tmp_path / "06_transport.ipynb").exists(), "a refused copy writes nothing at all"
    result = copy_notebooks(tmp_path, force=True)
    assert sorted(p.name for p in result.written) == ["03_openness.ipynb", "06_transport.ipynb"]
    assert (tmp_path / "03_openness.ipynb").read_bytes() == (ROOT / "notebooks" / "03_openness.ipynb").read_bytes()


@pytest.mark.parametrize("make", ["file", "folder_in_the_way"])
def test_a_destination_that_cannot_take_the_copy_is_one_line(tmp_path, capsys, make):
    if make == "file":
        dest = tmp_path / "notes.txt"
        dest.write_text("x", encoding="utf-8")
        expected = f"destination {str(dest)!r} is a file, not a folder"
    else:
        dest = tmp_path
        (dest / "00_overview.ipynb").mkdir()
        expected = f"{str(dest / '00_overview.ipynb')!r} is a folder; cannot copy 00_overview.ipynb over it"
    assert main(["notebooks", str(dest)]) == 2
    assert capsys.readouterr().err == f"dalian-data: error: {expected}\n"
    if make == "folder_in_the_way":
        assert sorted(p.name for p in tmp_path.iterdir()) == ["00_overview.ipynb"]


def test_an_empty_source_is_refused(tmp_path):
    with pytest.raises(CopyRefused, match="no notebooks to copy"):
        copy_notebooks(tmp_path / "dest", source=tmp_path)
