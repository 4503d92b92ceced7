"""A worker process: executes notebooks one at a time, safely, with a warm kernel.

Workers live for the whole run, so papermill, nbformat and nbconvert are
imported once per worker instead of once per notebook, and each worker
boots the next kernel while the current notebook runs (:mod:`dalian_data.kernels`).

A notebook's output is only ever replaced by a complete, normalised,
successful execution: papermill executes in memory, the result is
normalised and written to a temp file beside the output and moved over it
with ``os.replace``. A failure leaves the previous output untouched and is
reported with the failing cell and the error.

This module is imported by the parent process too (for :class:`Task` and
:class:`Outcome`), so everything heavy is imported inside functions.
"""

from __future__ import annotations

import hashlib
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class Task:
    """One notebook to execute.

    ``source_bytes`` is the notebook exactly as fingerprinted, so what runs is
    what the cache recorded even if the file changes meanwhile. When
    ``output`` is the source itself (``dalian-data refresh``) the file is only
    replaced if it still holds those bytes.
    """

    name: str
    source: str
    source_bytes: bytes
    output: str
    cwd: str
    parameters: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    html: bool = False
    lang: str = "zh"
    #: names of the notebooks whose HTML pages sit beside this one (links to them are rewritten)
    siblings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What became of a task."""

    name: str
    ok: bool
    seconds: float
    error: str | None = None
    output_sha256: str | None = None
    html_sha256: str | None = None
    title: str | None = None


def _skip_slow_optional_imports() -> None:
    """Keep jsonschema from loading ``rfc3987_syntax``, an optional IRI checker.

    It builds a parser grammar at import and costs ~1.5 s of CPU, a large part
    of what ``papermill`` costs to start; nbformat's schema never checks IRIs.
    Only done in worker processes, which are ours.
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def describe_failure(error: Any, cell_tags: list[list[str]]) -> str:
    """``cell 5 ("x = 1 / 0"): ZeroDivisionError: division by zero`` for a PapermillExecutionError.

    The number is the cell's position in the *source* notebook, counting from
    1 and not counting papermill's injected-parameters cell.
    """
    index = error.cell_index
    if 0 <= index < len(cell_tags) and "injected-parameters" in cell_tags[index]:
        where = "injected-parameters cell"
    else:
        injected = sum(1 for tags in cell_tags[:index] if "injected-parameters" in tags)
        where = f"cell {index - injected + 1}"
    lines = [line.strip() for line in (error.source or "").splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if len(first) > 60:
        first = first[:57] + "..."
    evalue = (error.evalue or "").strip().splitlines()
    message = f"{error.ename}: {evalue[0]}" if evalue else error.ename
    return f'{where} ("{first}"): {message}'


def describe_crash(error: BaseException, kernel_log: str) -> str:
    """One line for an execution that ended without a cell error: a dead kernel, a timeout.

    ``kernel_log`` is what the kernel process printed (empty when it is still
    alive); its last meaningful line often says why a kernel died.
    """
    text = str(error).strip()
    message = f"{type(error).__name__}: {text.splitlines()[0]}" if text else type(error).__name__
    lines = [line for line in kernel_log.splitlines() if line.strip() and "without encryption" not in line]
    return f"{message}; kernel output ends: {lines[-1].strip()}" if lines else message


def execute_task(task: Task, kernels: Any, on_cell: Callable[[int, int], None]) -> Outcome:
    """Execute one notebook with papermill on a kernel from ``kernels``; never raises for notebook errors."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from dalian_data.notebook_normalise import normalise_notebook, with_stable_ids, write_notebook_atomic
    from dalian_data.pm_engine import ENGINE_NAME, WarmKernelEngine

    started = time.perf_counter()

    def failed(message: str) -> Outcome:
        return Outcome(task.name, False, time.perf_counter() - started, error=message)

    try:
        nb = with_stable_ids(nbformat.reads(task.source_bytes.decode("utf-8"), as_version=4))
    except Exception as error:  # not a notebook: nothing to execute
        return failed(f"cannot read notebook: {type(error).__name__}: {error}")

    km = kernels.take(task.cwd)
    try:
        executed = papermill.execute_notebook(
            nb,
            None,
            parameters=task.parameters or None,
            engine_name=ENGINE_NAME,
            kernel_name="python3",
            language="python",
            cwd=task.cwd,
            progress_bar=False,
            request_save_on_cell_execute=False,
            km=km,
            on_cell=on_cell,
        )
    except PapermillExecutionError as error:
        return failed(describe_failure(error, WarmKernelEngine.last_cell_tags))
    except Exception as error:  # the kernel died, would not start, timed out...
        return failed(describe_crash(error, "" if kernels.is_alive(km) else kernels.log_tail(km)))
    finally:
        kernels.retire(km)

    from dalian_data.html_report import notebook_title

    normalised = normalise_notebook(executed)
    title = notebook_title(normalised, task.name)
    output = Path(task.output)
    if output == Path(task.source) and output.read_bytes() != task.source_bytes:
        return failed(f"{task.source} changed while it was executing; not overwritten")
    write_notebook_atomic(normalised, output)
    output_sha = hashlib.sha256(output.read_bytes()).hexdigest()

    html_sha = None
    if task.html:
        html_sha = write_html(normalised, output.with_suffix(".html"), title, task.lang, task.siblings)
    return Outcome(task.name, True, time.perf_counter() - started, output_sha256=output_sha, html_sha256=html_sha, title=title)


def write_html(nb: Any, path: Path, title: str, lang: str, siblings: tuple[str, ...] = ()) -> str:
    """Render ``nb`` to ``path`` atomically; return the page's sha256."""
    from dalian_data.cache import write_text_atomic
    from dalian_data.html_report import render_notebook_html

    page = render_notebook_html(nb, title, lang, siblings, name=path.stem)
    write_text_atomic(path, page)
    return hashlib.sha256(page.encode("utf-8")).hexdigest()


class _Stopping:
    """Whether SIGINT or SIGTERM reached this worker (Ctrl-C in the terminal, or the parent stopping us)."""

    requested = False


def _on_stop_signal(signum: int, frame: Any) -> None:
    """First signal: remember it, ignore further ones so cleanup finishes, and unwind with KeyboardInterrupt."""
    _Stopping.requested = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def worker_main(slot: int, tasks: Any, events: Any, uncovered: Any, prestart_cwd: str) -> None:
    """Process entry point: take tasks until the ``None`` sentinel, reporting on ``events``.

    Events are tuples: ``("started", slot, name, n_cells)``,
    ``("cell", slot, name, done, total)``, ``("finished", slot, Outcome)``.
    On SIGINT or SIGTERM the worker stops taking tasks, shuts its kernels
    down and exits quietly: no kernel outlives it, no traceback is printed.
    """
    signal.signal(signal.SIGINT, _on_stop_signal)
    signal.signal(signal.SIGTERM, _on_stop_signal)
    _skip_slow_optional_imports()
    from dalian_data.kernels import SpareBudget, WarmKernels

    kernels = WarmKernels(SpareBudget(uncovered))
    try:
        kernels.prestart(prestart_cwd)  # boots while papermill is imported below
        import papermill  # noqa: F401  (the import is the point: pay it while the kernel boots)

        import dalian_data.pm_engine  # noqa: F401

        while not _Stopping.requested:
            task = tasks.get()
            if task is None:
                break
            events.put(("started", slot, task.name, _count_cells(task)))
            outcome = _run(task, kernels, events, slot)
            if _Stopping.requested:  # the failure, if any, is the interruption's doing
                break
            events.put(("finished", slot, outcome))
    except KeyboardInterrupt:
        if not _Stopping.requested:
            raise
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        kernels.close()


def _run(task: Task, kernels: Any, events: Any, slot: int) -> Outcome:
    started = time.perf_counter()

    def on_cell(done: int, total: int) -> None:
        events.put(("cell", slot, task.name, done, total))

    try:
        return execute_task(task, kernels, on_cell)
    except Exception as error:  # a bug of ours or a full disk: report it, keep the worker alive
        last = traceback.format_exception_only(type(error), error)[-1].strip()
        return Outcome(task.name, False, time.perf_counter() - started, error=f"internal error: {last}")


def _count_cells(task: Task) -> int:
    """Cells papermill will execute: the notebook's, plus one injected cell when parameters are given."""
    import json

    try:
        cells = len(json.loads(task.source_bytes.decode("utf-8")).get("cells", []))
    except (ValueError, UnicodeDecodeError, AttributeError):
        return 0
    return cells + (1 if task.parameters else 0)

