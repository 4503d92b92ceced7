"""The execution engine: one asyncio loop drives a few Jupyter kernels at once.

Kernels are separate processes already, so the notebooks of a run execute in
parallel without any worker process of ours: this process parameterises each
notebook (papermill's own code for the injected cell), sends its cells to a
kernel with nbclient, normalises the result and writes it atomically. The
kernel for a notebook boots while the notebook before it in the same slot is
still running, so kernel start-up stays off the critical path.

Faults end cleanly:

* SIGINT (Ctrl-C) or SIGTERM cancels the run: every kernel is killed, no file
  is left half-written, and :class:`Interrupted` is raised (exit 130 or 143).
* Kernels run in their own session (so a Ctrl-C reaches this process only)
  and with a parent-death signal: if this process is SIGKILLed, its kernels
  die with it, and nothing else ever writes the outputs.
* A kernel that dies or a cell that outlasts ``timeout`` fails that notebook
  only, naming the cell.

Only the standard library is imported at module level; nbclient, nbformat,
jupyter_client and papermill load when a run starts.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import hashlib
import os
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from dalian_data.run.cells import tags

KERNEL_NAME = "python3"
#: Seconds a cell may run by default (``--timeout``).
DEFAULT_TIMEOUT = 600
#: 1980-01-01, the earliest date every archive format accepts.
DEFAULT_SOURCE_DATE_EPOCH = "315532800"
STARTUP_TIMEOUT = 60
_PR_SET_PDEATHSIG = 1


class Interrupted(KeyboardInterrupt):
    """The run was stopped by a signal; ``signum`` says which (exit code 128 + signum)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass(frozen=True)
class Task:
    """One notebook to execute.

    ``source_bytes`` is the notebook exactly as fingerprinted, so what runs is
    what the cache recorded even if the file changes meanwhile. When
    ``output`` is the source itself (``dalian-data refresh``) the file is only
    replaced if it still holds those bytes. ``lang`` keeps the markdown cells
    of one language (None keeps both); ``figure_dir`` is where the notebook
    saves charts, which become part of its outputs.
    """

    name: str
    source: str
    source_bytes: bytes
    output: str
    cwd: str
    parameters: dict[str, Any] = field(default_factory=dict)
    fingerprint: str = ""
    lang: str | None = None
    figure_dir: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What became of a task: on success the sha256 of the output and of each chart it saved."""

    name: str
    ok: bool
    seconds: float
    error: str | None = None
    output_sha256: str | None = None
    figures: dict[str, str] = field(default_factory=dict)


def default_jobs() -> int:
    """How many notebooks to run at once by default: one per CPU."""
    return os.cpu_count() or 1


def kernel_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment kernels run in: the caller's, with reproducibility defaults.

    A fixed ``PYTHONHASHSEED`` keeps set ordering stable; ``SOURCE_DATE_EPOCH``
    fixes the dates matplotlib writes into SVG and PDF files.
    """
    env = dict(os.environ if base is None else base)
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH)
    return env


def run_notebooks(
    tasks: Iterable[Task],
    jobs: int,
    progress: Any = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Outcome]:
    """Execute ``tasks`` (in this order) with up to ``jobs`` kernels at once; return an outcome per name.

    ``on_outcome`` is called as each notebook finishes, so the caller can
    record results as they come. ``progress`` receives ``started``, ``cell``
    and ``finished`` calls (:class:`dalian_data.run.progress.Progress`). A
    notebook's failure is an unsuccessful outcome, never an exception; an
    exception from ``on_outcome`` (a full disk) stops the run. SIGINT and
    SIGTERM stop it with :class:`Interrupted`; either way every kernel is
    shut down first.
    """
    tasks = list(tasks)
    if not tasks:
        return {}
    run = _run_until_signal(tasks, max(1, min(jobs, len(tasks))), progress, on_outcome, timeout)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        return asyncio.run(run)
    # called from code that runs an event loop (Jupyter, Playwright): ours gets a thread of its own
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="dalian-data-engine") as pool:
        return pool.submit(asyncio.run, run).result()


async def _run_until_signal(tasks, jobs, progress, on_outcome, timeout) -> dict[str, Outcome]:
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    received: list[int] = []

    def on_signal(signum: int) -> None:
        if not received:  # a second Ctrl-C must not interrupt the clean-up
            received.append(signum)
            main.cancel()

    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    if threading.current_thread() is not threading.main_thread():
        previous = {}  # only the main thread may handle signals; the caller's stay in place
    for signum in previous:
        loop.add_signal_handler(signum, on_signal, signum)
    try:
        return await _Run(tasks, jobs, progress, on_outcome, timeout).all()
    except asyncio.CancelledError:
        if received:
            raise Interrupted(received[0]) from None
        raise
    finally:
        for signum, handler in previous.items():
            loop.remove_signal_handler(signum)
            signal.signal(signum, handler)


class _Run:
    """The state of one run: the queue of tasks, the kernels booting or running, the outcomes."""

    def __init__(self, tasks: list[Task], jobs: int, progress, on_outcome, timeout: float) -> None:
        self.tasks, self.jobs, self.progress, self.on_outcome, self.timeout = tasks, jobs, progress, on_outcome, timeout
        self.next = 0
        self.boots: dict[int, asyncio.Task] = {}
        self.stops: dict[int, asyncio.Task] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.folder = kernel_folder()
        self.env = kernel_environment()

    async def all(self) -> dict[str, Outcome]:
        try:
            for index in range(2 * self.jobs):
                self.boot(index)
            await asyncio.sleep(0)  # the first kernels launch before this process imports nbclient
            async with asyncio.TaskGroup() as group:  # an error in one slot cancels the others
                for slot in range(self.jobs):
                    group.create_task(self.slot(slot))
        except BaseExceptionGroup as errors:
            raise errors.exceptions[0] from None
        finally:
            await self.shut_down_every_kernel()
        return self.outcomes

    def boot(self, index: int) -> None:
        """Start the kernel of task ``index`` (if there is one and it is not started yet)."""
        if index < len(self.tasks) and index not in self.boots:
            self.boots[index] = asyncio.ensure_future(start_kernel(self.tasks[index].cwd, self.folder / f"k{index}", self.env))

    async def slot(self, slot: int) -> None:
        while self.next < len(self.tasks):
            index, self.next = self.next, self.next + 1
            self.boot(index)
            self.boot(index + self.jobs)  # this slot's next kernel boots while this notebook runs
            task = self.tasks[index]
            if self.progress:
                self.progress.started(slot, task.name, 0)  # the cell count comes with the first cell

            def on_cell(done: int, total: int, name: str = task.name) -> None:
                if self.progress:
                    self.progress.cell(slot, name, done, total)

            try:
                outcome = await execute(task, self.boots[index], self.timeout, on_cell, self.folder / f"k{index}")
            except Exception as error:  # a bug of ours: fail this notebook, keep the others going
                outcome = Outcome(task.name, False, 0.0, error=f"internal error: {type(error).__name__}: {_first_line(error)}")
            self.stops[index] = asyncio.ensure_future(stop_kernel(self.boots[index]))  # not waited for here
            self.outcomes[task.name] = outcome
            if self.progress:
                self.progress.finished(outcome.name, outcome.ok, outcome.seconds)
            if self.on_outcome:
                self.on_outcome(outcome)

    async def shut_down_every_kernel(self) -> None:
        """Kill every kernel started (or still booting), then remove their sockets and logs."""
        for index, boot in self.boots.items():
            if index not in self.stops:
                self.stops[index] = asyncio.ensure_future(stop_kernel(boot))
        await asyncio.gather(*self.stops.values(), return_exceptions=True)
        shutil.rmtree(self.folder, ignore_errors=True)


# ---- kernels ---------------------------------------------------------------

_KERNEL_FOLDER = "dalian-data-kernels-"


def kernel_folder() -> Path:
    """A private temp folder for this run's kernel sockets and logs, named after our pid.

    Folders left by runs that were SIGKILLed (their pid is gone) are removed.
    """
    for old in Path(tempfile.gettempdir()).glob(f"{_KERNEL_FOLDER}*-*"):
        pid = old.name[len(_KERNEL_FOLDER):].split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_KERNEL_FOLDER}{os.getpid()}-"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process
        return True
    return True


_libc = ctypes.CDLL(None, use_errno=True) if hasattr(os, "fork") else None


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A ``preexec_fn``: the kernel gets SIGKILL when this process dies (Linux), even by SIGKILL."""

    def preexec() -> None:
        try:
            _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except AttributeError:  # not Linux: ipykernel's own parent poller remains
            return
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


async def start_kernel(cwd: str, sockets: Path, env: dict[str, str]) -> Any:
    """A started python3 kernel in ``cwd``, talking over Unix sockets under ``sockets``.

    IPC sockets in a private folder cannot collide with another kernel
    starting at the same moment (TCP ports picked by bind-and-release can);
    an in-memory IPython history keeps parallel kernels off the history
    database. The kernel's stdout and stderr go to ``sockets.log``, whose
    last line often says why a kernel died.
    """
    from jupyter_client.manager import AsyncKernelManager

    km = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=str(sockets))
    try:
        with open(f"{sockets}.log", "wb") as log:
            await km.start_kernel(
                cwd=cwd,
                env=env,
                extra_arguments=["--HistoryManager.hist_file=:memory:"],
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent(os.getpid()),
            )
    except BaseException:  # cancelled (a signal) or failed after the process was launched
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
        raise
    return km


async def stop_kernel(boot: asyncio.Task) -> None:
    """Kill the kernel ``boot`` started (or stop it booting); never raises."""
    if not boot.done():
        boot.cancel()
    try:
        km = await boot
    except BaseException:  # cancelled or failed to start: jupyter_client cleaned up
        return
    try:
        if km.has_kernel:
            await km.shutdown_kernel(now=True)
    except Exception:
        pass


# ---- one notebook ----------------------------------------------------------


async def execute(task: Task, boot: asyncio.Task, timeout: float, on_cell: Callable[[int, int], None], sockets: Path) -> Outcome:
    """Run one notebook on the kernel ``boot`` starts; write its output if every cell succeeded."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    from dalian_data.run.normalise import with_stable_ids

    started, since = time.perf_counter(), time.time_ns()

    def failed(message: str) -> Outcome:
        return Outcome(task.name, False, time.perf_counter() - started, error=message)

    try:
        nb = with_stable_ids(nbformat.reads(task.source_bytes.decode("utf-8"), as_version=4))
    except Exception as error:  # not a notebook: nothing to execute
        return failed(f"cannot read notebook: {type(error).__name__}: {error}")
    if task.parameters:
        nb = parameterize(nb, task.parameters)
    try:
        km = await boot
    except Exception as error:
        return failed(f"the kernel did not start: {_first_line(error)}{_log_tail(sockets)}")

    client = NotebookClient(nb, km=km, kernel_name=KERNEL_NAME, timeout=timeout, startup_timeout=STARTUP_TIMEOUT)
    client.kc = km.client()
    index = -1
    try:
        client.kc.start_channels()
        await client.kc.wait_for_ready(timeout=STARTUP_TIMEOUT)
        reply = await client.async_wait_for_reply(client.kc.kernel_info())
        nb.metadata["language_info"] = reply["content"]["language_info"]
        for index, cell in enumerate(nb.cells):
            await client.async_execute_cell(cell, index)
            on_cell(index + 1, len(nb.cells))
    except Exception as error:
        if asyncio.current_task().cancelling():  # nbclient turns our cancellation into DeadKernelError
            raise asyncio.CancelledError from None
        if not isinstance(error, (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError, TimeoutError)):
            raise
        return failed(_describe_error(error, nb, index, timeout, sockets))
    finally:
        client.kc.stop_channels()

    try:
        sha = _write_output(task, nb)
    except OSError as error:
        return failed(f"cannot write {error.filename or task.output}: {error.strerror or error}")
    if sha is None:
        return failed(f"{task.source} changed while it was executing; not overwritten")
    return Outcome(task.name, True, time.perf_counter() - started, output_sha256=sha, figures=figures_saved(task.figure_dir, since))


def _describe_error(error: Exception, nb: Any, index: int, timeout: float, sockets: Path) -> str:
    """One line for a failed execution, naming the cell."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    if isinstance(error, CellExecutionError):
        return f"{describe_cell(nb, index)}: {error.ename}: {_first_line(error.evalue) or '(no message)'}"
    if isinstance(error, CellTimeoutError):
        return f"{describe_cell(nb, index)}: timed out after {timeout:g} s (raise it with --timeout)"
    if isinstance(error, DeadKernelError):
        return f"{describe_cell(nb, index)}: the kernel died{_log_tail(sockets)}"
    return f"{describe_cell(nb, index)}: {type(error).__name__}: {_first_line(error)}{_log_tail(sockets)}"


def parameterize(nb: Any, parameters: dict[str, Any]) -> Any:
    """``nb`` with papermill's injected-parameters cell after the cell tagged ``parameters``."""
    from papermill.parameterize import parameterize_notebook

    nb.metadata.setdefault("papermill", {})
    for cell in nb.cells:  # papermill expects every cell to have tags; normalising drops empty ones
        cell.metadata.setdefault("tags", [])
    return parameterize_notebook(nb, parameters, kernel_name=KERNEL_NAME, language="python")


def _write_output(task: Task, nb: Any) -> str | None:
    """Normalise and write ``nb`` atomically to the task's output; its sha256, or None if the source moved on."""
    from dalian_data.run.normalise import dumps, keep_language, normalise_notebook, write_notebook_atomic

    nb = normalise_notebook(nb)
    if task.lang is not None:
        nb = keep_language(nb, task.lang)
    output = Path(task.output)
    if output == Path(task.source) and output.read_bytes() != task.source_bytes:
        return None
    write_notebook_atomic(nb, output)
    return hashlib.sha256(dumps(nb).encode("utf-8")).hexdigest()


def figures_saved(figure_dir: str | None, since_ns: int) -> dict[str, str]:
    """sha256 of each file in ``figure_dir`` modified since ``since_ns``: the charts a notebook saved.

    Notebooks running at the same time may save into the same folder, so a
    chart can be credited to both: deleting it then reruns both, never neither.
    """
    if not figure_dir or not os.path.isdir(figure_dir):
        return {}
    saved = {}
    for entry in sorted(os.scandir(figure_dir), key=lambda e: e.name):
        if entry.is_file() and entry.stat().st_mtime_ns >= since_ns:
            saved[entry.path] = hashlib.sha256(Path(entry.path).read_bytes()).hexdigest()
    return saved


def describe_cell(nb: Any, index: int) -> str:
    """``cell 5 ("x = 1 / 0")``: the cell's position in the *source* notebook (from 1) and its first line."""
    cells = nb.cells
    if not 0 <= index < len(cells):
        return "before the first cell"
    if "injected-parameters" in tags(cells[index]):
        return "injected-parameters cell"
    injected = sum(1 for cell in cells[:index] if "injected-parameters" in tags(cell))
    first = _first_line(cells[index].source)
    if len(first) > 60:
        first = first[:57] + "..."
    return f'cell {index - injected + 1} ("{first}")'


def _first_line(text: Any) -> str:
    lines = [line.strip() for line in str(text or "").splitlines() if line.strip()]
    return lines[0] if lines else ""


def _log_tail(sockets: Path) -> str:
    """``; kernel output ends: ...``, the last meaningful line the kernel printed, if any."""
    try:
        text = Path(f"{sockets}.log").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return f"; kernel output ends: {lines[-1][:200]}" if lines else ""
