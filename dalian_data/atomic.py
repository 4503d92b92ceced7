"""Atomic file writes: a reader sees the old file or the complete new one, never half of one.

Every file the package writes (notebooks, pages, charts, manifests, exports)
goes through a temp file in the target's own folder and ``os.replace``,
which is atomic on one file system. A crash, a full disk or Ctrl-C
mid-write leaves the previous file (or none) and no temp file behind. Temp
files are named ``.NAME.xxxx.tmp``, so a later run can recognise and remove
those of a run that was killed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_bytes_atomic", "write_text_atomic"]


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on a clean exit it replaces ``path`` (mode 0644).

    On an exception the temp file is removed and ``path`` is left as it was::

        with atomic_path("chart.png") as tmp:
            fig.savefig(tmp, format="png")
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically, as UTF-8 with ``\\n`` line ends."""
    write_bytes_atomic(path, text.encode("utf-8"))
