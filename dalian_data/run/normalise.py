"""Make an executed notebook depend only on its inputs, so re-running is a no-op in git.

Papermill and nbclient stamp every run with wall-clock times (``metadata.papermill``
on the notebook and each cell, ``metadata.execution`` on each cell), a random id
for the cell they inject, and ``"tags": []`` on every untagged cell. Committed
notebooks carrying those would change on every ``dalian-data refresh`` although
nothing real changed, and nbval/CI diffs would drown in noise. This module strips
exactly that volatility and nothing else: outputs, execution counts and authored
metadata are kept as they are.

It is used by ``dalian-data report`` and ``dalian-data refresh`` after each
execution.
"""

from __future__ import annotations

import copy
import hashlib
import os
from typing import Any

import nbformat

from dalian_data.atomic import write_text_atomic
from dalian_data.parameters import LANGUAGES, check_lang
from dalian_data.run.cells import joined, tags

#: The kernelspec every notebook is written with, whatever machine ran it:
#: the name papermill is told to use (``-k python3``) and ipykernel's own label.
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

#: Fixed id of the cell papermill injects; papermill gives it a random one.
INJECTED_ID = "injected-parameters"
INJECTED_TAG = "injected-parameters"
#: Papermill's tag for the two markdown cells it adds to a failed notebook.
ERROR_TAG = "papermill-error-cell-tag"

#: Notebook-level metadata keys that only describe one particular run.
VOLATILE_NOTEBOOK_KEYS = ("papermill", "widgets")
#: Cell-level metadata keys that only describe one particular run.
VOLATILE_CELL_KEYS = ("papermill", "execution")


def stable_cell_id(index: int, source: str) -> str:
    """A cell id that depends only on the cell's position and text.

    Used for cells that have no id (notebooks older than nbformat 4.5, which
    nbformat would otherwise upgrade with *random* ids on every read).
    """
    digest = hashlib.sha256(f"{index}\0{source}".encode("utf-8")).hexdigest()
    return f"cell-{digest[:12]}"


def normalise_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without run-specific metadata.

    Removes ``metadata.papermill`` and ``metadata.widgets`` from the notebook,
    ``metadata.papermill`` and ``metadata.execution`` from each cell and the
    empty ``tags`` lists papermill adds; gives the injected-parameters cell the
    fixed id ``injected-parameters`` and papermill's error-marker cells ids by
    position; fills in missing cell ids deterministically; and sets the
    kernelspec to :data:`KERNELSPEC`. Idempotent.
    """
    nb = copy.deepcopy(nb)
    for key in VOLATILE_NOTEBOOK_KEYS:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = nbformat.from_dict(dict(KERNELSPEC))

    has_ids = (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) >= (4, 5)
    error_cells = 0
    for index, cell in enumerate(nb.cells):
        metadata = cell.setdefault("metadata", nbformat.NotebookNode())
        for key in VOLATILE_CELL_KEYS:
            metadata.pop(key, None)
        tags = metadata.get("tags")
        if tags is not None and len(tags) == 0:
            del metadata["tags"]
            tags = []
        tags = tags or []
        if not has_ids:
            continue
        if INJECTED_TAG in tags:
            cell["id"] = INJECTED_ID
        elif ERROR_TAG in tags:
            cell["id"] = f"papermill-error-{error_cells}"
            error_cells += 1
        elif not cell.get("id"):
            cell["id"] = stable_cell_id(index, _source_text(cell))
    return nb


#: Tags that mark a markdown cell as written in one language. The source
#: notebooks hold both; an executed report and its HTML keep one.
LANGUAGE_TAGS = {lang: f"lang-{lang}" for lang in LANGUAGES}


def keep_language(nb: nbformat.NotebookNode, lang: str) -> nbformat.NotebookNode:
    """Return a copy of ``nb`` without the cells tagged for a language other than ``lang``.

    A cell tagged ``lang-zh`` is kept only when ``lang == "zh"``, one tagged
    ``lang-en`` only when ``lang == "en"``; untagged cells are always kept.
    Idempotent. ``dalian-data report`` applies it to each executed notebook
    and to its HTML page; ``dalian-data refresh`` keeps both languages.
    """
    check_lang(lang)
    others = {tag for code, tag in LANGUAGE_TAGS.items() if code != lang}
    nb = copy.deepcopy(nb)
    nb.cells = [cell for cell in nb.cells if not others & set(tags(cell))]
    return nb


def with_stable_ids(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return ``nb`` upgraded to nbformat 4.5 with deterministic ids where ids are missing.

    Papermill upgrades old notebooks with random ids; feeding it a notebook
    that already has ids keeps executions of the same file identical.
    """
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.cells):
        if not cell.get("id"):
            cell["id"] = stable_cell_id(index, _source_text(cell))
    if (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) < (4, 5):
        nb["nbformat"], nb["nbformat_minor"] = 4, 5
    return nb


def write_notebook_atomic(nb: nbformat.NotebookNode, path: str | os.PathLike) -> None:
    """Write ``nb`` to ``path`` with ``nbformat.write`` via a temp file and ``os.replace``.

    A reader (JupyterLab, git, a concurrent ``dalian-data report``) sees either
    the old file or the complete new one, never a half-written notebook.
    """
    write_text_atomic(path, dumps(nb))



def dumps(nb: nbformat.NotebookNode) -> str:
    """The exact text :func:`write_notebook_atomic` writes for ``nb``."""
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def _source_text(cell: Any) -> str:
    return joined(cell.get("source", ""))
