"""The execution engine: run notebook tasks in a pool of long-lived worker processes.

Papermill's ``execute_notebook`` blocks for the whole notebook, so notebooks
run in parallel only in separate processes. Each worker (see
:mod:`dalian_data.worker`) imports papermill once and keeps a kernel booting
for its next notebook; the parent hands out tasks through a queue, relays
per-cell progress from the workers to :class:`dalian_data.progress.Progress`
and collects one :class:`~dalian_data.worker.Outcome` per task. A worker that
dies fails only the notebook it was running; the others carry on.

Workers are started with ``spawn``: a fresh interpreter that inherits no
threads or locks from the caller (pytest, a notebook, tqdm's monitor).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from typing import Callable, Iterable

from dalian_data.progress import Progress
from dalian_data.worker import Outcome, Task, worker_main

#: Seconds between liveness checks of the workers while no event arrives.
POLL_SECONDS = 0.5


def default_jobs() -> int:
    """How many notebooks to run at once by default: one per CPU."""
    return os.cpu_count() or 1


def run_tasks(
    tasks: Iterable[Task],
    jobs: int,
    progress: Progress | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> dict[str, Outcome]:
    """Execute ``tasks`` with up to ``jobs`` workers; return an outcome per task name.

    ``on_outcome`` is called in this process as each notebook finishes, so
    the caller can record results as they come (an interrupted run keeps them).

    Never raises for a notebook's failure: that is an unsuccessful outcome.
    On KeyboardInterrupt the workers are stopped (they shut their kernels
    down) and the interrupt propagates.
    """
    tasks = list(tasks)
    if not tasks:
        return {}
    ctx = multiprocessing.get_context("spawn")
    task_queue = ctx.Queue()
    events = ctx.Queue()
    uncovered = ctx.Value("i", len(tasks))
    for task in tasks:
        task_queue.put(task)
    n_workers = max(1, min(jobs, len(tasks)))
    for _ in range(n_workers):
        task_queue.put(None)
    prestart_cwd = _most_common_cwd(tasks)
    workers = [
        ctx.Process(
            target=worker_main,
            args=(slot, task_queue, events, uncovered, prestart_cwd),
            name=f"dalian-data-worker-{slot + 1}",
        )
        for slot in range(n_workers)
    ]
    for worker in workers:
        worker.start()

    outcomes: dict[str, Outcome] = {}
    running: dict[int, str] = {}
    pending = {task.name for task in tasks}
    try:
        while pending:
            try:
                event = events.get(timeout=POLL_SECONDS)
            except queue.Empty:
                for outcome in _fail_dead_workers(workers, running, pending, outcomes, progress):
                    if on_outcome:
                        on_outcome(outcome)
                continue
            kind, slot = event[0], event[1]
            if kind == "started":
                running[slot] = event[2]
                if progress:
                    progress.started(slot, event[2], event[3])
            elif kind == "cell":
                if progress:
                    progress.cell(slot, event[2], event[3], event[4])
            elif kind == "finished":
                outcome: Outcome = event[2]
                running.pop(slot, None)
                pending.discard(outcome.name)
                outcomes[outcome.name] = outcome
                if progress:
                    progress.finished(outcome.name, outcome.ok, outcome.seconds)
                if on_outcome:
                    on_outcome(outcome)
        for worker in workers:
            worker.join(timeout=30)
    except BaseException:
        # Interrupted (Ctrl-C reaches the workers too, a kill of this process alone does not):
        # ask every worker to stop; each shuts its kernels down before exiting.
        for worker in workers:
            if worker.is_alive() and worker.pid is not None:
                os.kill(worker.pid, signal.SIGINT)
        raise
    finally:
        for worker in workers:
            worker.join(timeout=15)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        task_queue.close()
        events.close()
    return outcomes


def _fail_dead_workers(workers, running, pending, outcomes, progress) -> list[Outcome]:
    """Turn the task of each worker that died into a failure; if all died, fail what is left."""
    failed = []
    for slot, worker in enumerate(workers):
        if worker.is_alive() or slot not in running:
            continue
        name = running.pop(slot)
        failed.append(_fail(name, f"worker process died (exit code {worker.exitcode})", pending, outcomes, progress))
    if not any(worker.is_alive() for worker in workers):
        for name in sorted(pending):
            failed.append(_fail(name, "not executed: every worker process exited", pending, outcomes, progress))
    return failed


def _fail(name: str, message: str, pending: set, outcomes: dict, progress: Progress | None) -> Outcome:
    pending.discard(name)
    outcome = outcomes[name] = Outcome(name, False, 0.0, error=message)
    if progress:
        progress.finished(name, False, 0.0)
    return outcome


def _most_common_cwd(tasks: list[Task]) -> str:
    """Where to boot the first kernels: the folder most tasks run in."""
    counts: dict[str, int] = {}
    for task in tasks:
        counts[task.cwd] = counts.get(task.cwd, 0) + 1
    return max(counts, key=lambda cwd: (counts[cwd], cwd))


__all__ = ["run_tasks", "default_jobs", "Task", "Outcome"]
