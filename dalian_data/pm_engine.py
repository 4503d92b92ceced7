"""A papermill engine that runs on a kernel we started earlier and reports each finished cell.

Papermill's default engine starts a kernel, waits for it, runs the cells and
shuts the kernel down, all inside one blocking call, and its only progress
hook is a tqdm bar in the same process. ``dalian-data report`` wants a kernel
that was booted *while the previous notebook ran* (it saves most of a
second per notebook) and per-cell progress sent to the parent process. This
engine takes both as keyword arguments to :func:`papermill.execute_notebook`::

    papermill.execute_notebook(nb, None, engine_name=ENGINE_NAME, km=started_kernel_manager,
                               on_cell=lambda done, total: ...)

The kernel manager is the caller's: the engine never shuts it down.
Importing this module imports papermill and registers the engine.
"""

from __future__ import annotations

from typing import Any, Callable

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from papermill.log import logger

ENGINE_NAME = "dalian-data"


class _ReportingManager(NotebookExecutionManager):
    """Papermill's execution bookkeeping plus a callback after each cell."""

    def __init__(self, nb, on_cell: Callable[[int, int], None] | None = None, **kwargs: Any) -> None:
        super().__init__(nb, **kwargs)
        self.on_cell = on_cell
        self.completed = 0

    def cell_complete(self, cell, cell_index=None, **kwargs):
        super().cell_complete(cell, cell_index=cell_index, **kwargs)
        self.completed += 1
        if self.on_cell is not None:
            self.on_cell(self.completed, len(self.nb.cells))


class WarmKernelEngine(NBClientEngine):
    """NBClientEngine on a caller-provided kernel, with a per-cell callback.

    After a run, :attr:`last_cell_tags` holds the tags of the executed
    notebook's cells, taken before papermill inserts its error-marker cells,
    so a failing cell index can be mapped back to the source notebook.
    """

    last_cell_tags: list[list[str]] = []

    @classmethod
    def execute_notebook(
        cls,
        nb,
        kernel_name,
        output_path=None,
        progress_bar=False,
        log_output=False,
        autosave_cell_every=30,
        on_cell: Callable[[int, int], None] | None = None,
        km=None,
        **kwargs,
    ):
        nb_man = _ReportingManager(
            nb,
            on_cell=on_cell,
            output_path=output_path,
            progress_bar=False,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        cls.last_cell_tags = []
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, km=km, **kwargs)
        finally:
            cls.last_cell_tags = [list(cell.get("metadata", {}).get("tags", [])) for cell in nb_man.nb.cells]
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        km=None,
        **kwargs,
    ):
        client = PapermillNotebookClient(
            nb_man,
            km=km,
            kernel_name=kernel_name,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        try:
            return client.execute()
        finally:
            # With a caller-owned kernel nbclient leaves the client's channels open.
            if km is not None and client.kc is not None:
                client.kc.stop_channels()
                client.kc = None


papermill_engines.register(ENGINE_NAME, WarmKernelEngine)
