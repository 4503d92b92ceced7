"""Progress of a report run on stderr: live bars on a terminal, one line per notebook otherwise.

On a terminal there is one bar for the notebooks done and one per kernel slot
for the cells of the notebook it is running. In CI logs and pipes, redrawn bars
turn into thousands of lines, so there each finished notebook prints one
line instead.
"""

from __future__ import annotations

import sys
from typing import IO, Any


class Progress:
    """Receives the engine's events; :meth:`close` before printing anything else."""

    def __init__(self, total: int, slots: int, stream: IO[str] | None = None, live: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.done = 0
        self.live = self.stream.isatty() if live is None else live
        self.bars: list[Any] = []
        if self.live and total:
            from tqdm import tqdm

            self.overall = tqdm(total=total, desc="notebooks", unit="nb", position=0, file=self.stream, leave=True)
            self.bars = [
                tqdm(total=0, desc=f"kernel {slot + 1}", unit="cell", position=slot + 1, file=self.stream, leave=False)
                for slot in range(slots)
            ]

    def started(self, slot: int, name: str, cells: int) -> None:
        if self.bars:
            bar = self.bars[slot]
            bar.reset(total=cells)
            bar.set_description(name, refresh=True)

    def cell(self, slot: int, name: str, done: int, total: int) -> None:
        if self.bars:
            bar = self.bars[slot]
            bar.total = total
            bar.n = done
            bar.refresh()

    def finished(self, name: str, ok: bool, seconds: float) -> None:
        self.done += 1
        status = "ok" if ok else "FAILED"
        if self.bars:
            self.overall.update(1)
            self.overall.set_postfix_str(f"{name} {status}", refresh=True)
        else:
            print(f"[{self.done}/{self.total}] {name}: {status} ({seconds:.1f} s)", file=self.stream, flush=True)

    def close(self) -> None:
        for bar in self.bars:
            bar.close()
        if self.bars:
            self.overall.close()
        self.bars = []
