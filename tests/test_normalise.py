"""Normalisation strips run-specific metadata so re-executions are byte-identical."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from dalian_data.run.normalise import (
    INJECTED_ID,
    KERNELSPEC,
    dumps,
    normalise_notebook,
    stable_cell_id,
    with_stable_ids,
    write_notebook_atomic,
)


def _papermill_like() -> nbformat.NotebookNode:
    """A notebook carrying every kind of volatility papermill and nbclient add."""
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "duration": 1.5, "parameters": {"lang": "en"}}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    nb.metadata["language_info"] = {"name": "python"}
    timing = {"iopub.status.busy": "2026-01-01T00:00:00Z"}
    pm = {"duration": 0.1, "status": "completed", "exception": False}
    nb.cells = [
        new_markdown_cell("# 人才 talent", metadata={"papermill": dict(pm), "tags": []}),
        new_code_cell('lang = "zh"', metadata={"tags": ["parameters"], "papermill": dict(pm), "execution": dict(timing)}),
        new_code_cell('# Parameters\nlang = "en"\n', metadata={"tags": ["injected-parameters"], "papermill": dict(pm)}),
        new_code_cell("print(lang)", metadata={"papermill": dict(pm), "execution": dict(timing), "scrolled": True}),
    ]
    nb.cells[3].outputs = [nbformat.v4.new_output("stream", name="stdout", text="en\n")]
    nb.cells[3].execution_count = 2
    return nb


def test_strips_volatile_metadata_and_keeps_the_rest():
    nb = normalise_notebook(_papermill_like())
    assert "papermill" not in nb.metadata and "widgets" not in nb.metadata
    assert nb.metadata["language_info"] == {"name": "python"}
    assert dict(nb.metadata["kernelspec"]) == KERNELSPEC
    for cell in nb.cells:
        assert "papermill" not in cell.metadata and "execution" not in cell.metadata
    assert "tags" not in nb.cells[0].metadata  # papermill's empty list is gone
    assert nb.cells[1].metadata["tags"] == ["parameters"]
    assert nb.cells[3].metadata["scrolled"] is True  # authored metadata stays
    assert nb.cells[3].outputs[0]["text"] == "en\n" and nb.cells[3].execution_count == 2
    assert nb.cells[2].id == INJECTED_ID
    nbformat.validate(nb)


def test_does_not_mutate_its_argument_and_is_idempotent():
    original = _papermill_like()
    snapshot = json.dumps(original, sort_keys=True)
    once = normalise_notebook(original)
    assert json.dumps(original, sort_keys=True) == snapshot
    assert dumps(normalise_notebook(once)) == dumps(once)


def test_missing_ids_become_deterministic():
    nb = new_notebook()
    nb.nbformat_minor = 4
    nb.cells = [new_code_cell("x = 1"), new_markdown_cell("text")]
    for cell in nb.cells:
        del cell["id"]
    first, second = with_stable_ids(nb), with_stable_ids(nb)
    assert [c.id for c in first.cells] == [c.id for c in second.cells]
    assert first.cells[0].id == stable_cell_id(0, "x = 1") != first.cells[1].id
    assert first.nbformat_minor == 5
    nbformat.validate(first)


def test_atomic_write_leaves_old_file_when_serialisation_fails(tmp_path):
    path = tmp_path / "nb.ipynb"
    path.write_text("previous", encoding="utf-8")
    broken = new_notebook()
    broken.cells = [new_code_cell("x = 1")]
    broken.cells[0]["source"] = object()  # neither valid nor JSON-serialisable
    with pytest.raises((TypeError, nbformat.ValidationError)):
        write_notebook_atomic(broken, path)
    assert path.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["nb.ipynb"]  # no temp file left


@pytest.mark.kernel
def test_two_papermill_executions_normalise_to_identical_bytes(tmp_path):
    import papermill

    nb = new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.cells = [
        new_markdown_cell("# 测试"),
        new_code_cell('lang = "zh"\npopulation = 1', metadata={"tags": ["parameters"]}),
        new_code_cell("print(lang, population)"),
    ]
    source = tmp_path / "tiny.ipynb"
    nbformat.write(nb, source)
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}.ipynb"
        papermill.execute_notebook(
            str(source), str(out), parameters={"lang": "en"}, kernel_name="python3", progress_bar=False, cwd=str(tmp_path)
        )
        raw = out.read_bytes()
        assert b'"papermill"' in raw and b"iopub.execute_input" in raw  # volatility really was there
        write_notebook_atomic(normalise_notebook(nbformat.read(out, as_version=nbformat.NO_CONVERT)), out)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert b"en 1" in outputs[0]
    assert b'"id": "injected-parameters"' in outputs[0]
