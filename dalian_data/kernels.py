"""Kernels for a worker process: one booting in the background while a notebook runs.

A Jupyter kernel takes most of a second of CPU to start (Python, IPython,
zmq). Papermill starts it inside the blocking execute call, so that second is
on the critical path of every notebook. A worker that will run another
notebook instead starts the next kernel as soon as it takes a task; by the
time the current notebook is done, the next kernel is ready. Finished kernels
are asked to shut down and reaped later, so the worker never waits for them.

Spare kernels are only started while tasks remain that no spare covers
(:class:`SpareBudget`, shared by all workers), so no kernel boots for
nothing at the end of a run.

Every kernel gets a fixed ``PYTHONHASHSEED`` and ``SOURCE_DATE_EPOCH`` (unless
the user set them), so set ordering and the dates matplotlib writes into SVG
and PDF files do not change from run to run, and an in-memory IPython history
so parallel kernels never contend for the history database. Kernels talk
over Unix sockets in a private folder (IPC transport), so two kernels
starting at once can never race for the same TCP port.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"
#: 1980-01-01, the earliest date every archive format accepts.
DEFAULT_SOURCE_DATE_EPOCH = "315532800"
_HISTORY_ARG = "--HistoryManager.hist_file=:memory:"


class SpareBudget:
    """How many queued tasks no spare kernel covers yet, shared by the workers of a run.

    Invariant: ``uncovered == tasks not yet taken - spare kernels alive``. A
    worker boots a spare only while it is positive, so at the end of a run no
    kernel starts that nobody will use.
    """

    def __init__(self, value: Any) -> None:
        #: a ``multiprocessing.Value("i")`` set to the number of tasks
        self.value = value

    def claim(self) -> bool:
        """Reserve one uncovered task for a new spare kernel; False when there is none."""
        with self.value.get_lock():
            if self.value.value <= 0:
                return False
            self.value.value -= 1
            return True

    def took_uncovered(self) -> None:
        """A worker without a spare took a task."""
        with self.value.get_lock():
            self.value.value -= 1

    def release(self) -> None:
        """A spare kernel was shut down unused."""
        with self.value.get_lock():
            self.value.value += 1


def kernel_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment kernels run in: the caller's, with reproducibility defaults."""
    env = dict(os.environ if base is None else base)
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("SOURCE_DATE_EPOCH", DEFAULT_SOURCE_DATE_EPOCH)
    return env


class WarmKernels:
    """Start, hand out and retire the kernels of one worker process.

    ``budget`` is the :class:`SpareBudget` shared by all workers of a run.
    """

    def __init__(self, budget: "SpareBudget", kernel_name: str = KERNEL_NAME) -> None:
        self.budget = budget
        self.kernel_name = kernel_name
        self.env = kernel_environment()
        self.log_dir = Path(tempfile.mkdtemp(prefix="dalian-data-kernels-"))
        self.spare: tuple[AsyncKernelManager, str] | None = None
        self.retiring: list[AsyncKernelManager] = []
        self.logs: dict[int, Path] = {}
        self._count = 0

    def prestart(self, cwd: str) -> None:
        """Boot a spare kernel in ``cwd`` if there is no spare yet and a task still needs one."""
        if self.spare is None and self.budget.claim():
            self.spare = (self._start(cwd), cwd)

    def take(self, cwd: str) -> AsyncKernelManager:
        """A kernel running in ``cwd`` for the task just taken: the spare if it fits, else a new one.

        Then boots the next spare, if a task still needs one, so it starts
        while this task's notebook runs.
        """
        self.reap()
        km = self._spare_or_new(cwd)
        self.prestart(cwd)
        return km

    def _spare_or_new(self, cwd: str) -> AsyncKernelManager:
        if self.spare is None:
            self.budget.took_uncovered()
            return self._start(cwd)
        km, spare_cwd = self.spare
        self.spare = None
        if spare_cwd == cwd and self.is_alive(km):
            return km
        self.retire(km)
        return self._start(cwd)

    def is_alive(self, km: AsyncKernelManager) -> bool:
        """Whether the kernel process is still running."""
        try:
            return bool(run_sync(km.is_alive)())
        except Exception:
            return False

    def log_tail(self, km: AsyncKernelManager, lines: int = 5) -> str:
        """The last lines the kernel process wrote to stdout/stderr (for a kernel that died)."""
        path = self.logs.get(id(km))
        if path is None or not path.exists():
            return ""
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def retire(self, km: AsyncKernelManager) -> None:
        """Ask a kernel to exit without waiting for it; :meth:`reap` cleans up later."""
        try:
            if run_sync(km.is_alive)():
                run_sync(km.request_shutdown)()
        except Exception:  # a kernel that is already gone needs no request
            pass
        self.retiring.append(km)

    def reap(self, wait: bool = False) -> None:
        """Clean up retired kernels that have exited; with ``wait``, make all of them exit."""
        still: list[AsyncKernelManager] = []
        for km in self.retiring:
            if wait:
                run_sync(km.finish_shutdown)(waittime=5)
            elif run_sync(km.is_alive)():
                still.append(km)
                continue
            run_sync(km.cleanup_resources)()
            self.logs.pop(id(km), None)
        self.retiring = still

    def close(self) -> None:
        """Shut down the spare and every retired kernel, and remove the logs and sockets."""
        if self.spare is not None:
            self.budget.release()
            self.retire(self.spare[0])
            self.spare = None
        self.reap(wait=True)
        shutil.rmtree(self.log_dir, ignore_errors=True)

    def _start(self, cwd: str) -> AsyncKernelManager:
        self._count += 1
        # IPC sockets in our own folder: unlike TCP ports picked by bind-and-release,
        # they cannot collide with another kernel starting at the same moment.
        km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc", ip=str(self.log_dir / f"k{self._count}"))
        log_path = self.log_dir / f"kernel-{self._count}.log"
        log: Any = open(log_path, "wb")
        try:
            run_sync(km.start_kernel)(
                cwd=cwd, env=self.env, extra_arguments=[_HISTORY_ARG], stdout=log, stderr=log
            )
        finally:
            log.close()  # the kernel process holds its own descriptor
        self.logs[id(km)] = log_path
        return km
