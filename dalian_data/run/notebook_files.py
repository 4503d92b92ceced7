"""Where the notebooks are, and copying them into a folder to open in JupyterLab.

The notebooks have one home: ``notebooks/`` in the source checkout.
``dalian_data/notebooks`` is a symlink to it (as ``data/report.txt`` is to
the seed), declared as package data, so building an sdist or a wheel copies
the real files in: an installed wheel carries the same notebooks, read with
:mod:`importlib.resources`, and a checkout needs no copies kept in sync.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import dalian_data
from dalian_data.atomic import write_text_atomic


def checkout_notebooks() -> Path | None:
    """``notebooks/`` of the source checkout the package is imported from, or None (an installed wheel)."""
    checkout = Path(dalian_data.__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "notebooks").is_dir():
        return (checkout / "notebooks").resolve()
    return None


def notebooks_folder() -> Path:
    """The folder of the notebooks: the checkout's ``notebooks/`` when run from one, else the shipped copy.

    The path may not exist (a broken install); callers say so in their own words.
    """
    checkout = checkout_notebooks()
    if checkout is not None:
        return checkout
    package = Path(dalian_data.__file__).resolve().parent
    shipped = resources.files(dalian_data).joinpath("notebooks")
    # pip unpacks wheels, so the shipped folder is a real directory; a zipped
    # install would give another Traversable, which kernels cannot run in.
    return Path(os.fspath(shipped)).resolve() if isinstance(shipped, os.PathLike) else package / "notebooks"


def notebook_files(folder: Path | None = None) -> list[Path]:
    """The files to hand a user: every visible regular file of the notebooks folder (notebooks, README)."""
    folder = notebooks_folder() if folder is None else folder
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


@dataclass
class CopyResult:
    """What :func:`copy_notebooks` did, by file name."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)


class CopyRefused(ValueError):
    """The copy would lose something (a changed file, a file where a folder should be); one line."""


def copy_notebooks(destination: str | os.PathLike, *, force: bool = False, source: Path | None = None) -> CopyResult:
    """Copy the notebooks (and their README) into ``destination``, created when missing.

    Files already there with the same bytes are left alone. Files there with
    other bytes (a user's edits, or notebooks of another version) are
    replaced only with ``force``; otherwise :class:`CopyRefused` names them
    and nothing is written. Each file is written atomically.
    """
    files = notebook_files(source)
    if not files:
        raise CopyRefused(f"no notebooks to copy in {str(source or notebooks_folder())!r}; reinstall dalian-data")
    target = Path(destination)
    if target.exists() and not target.is_dir():
        raise CopyRefused(f"destination {str(target)!r} is a file, not a folder")
    result, changed = CopyResult(), []
    plan: list[tuple[Path, str]] = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        existing = target / path.name
        if existing.is_dir():
            raise CopyRefused(f"{str(existing)!r} is a folder; cannot copy {path.name} over it")
        if existing.is_file():
            if existing.read_bytes() == text.encode("utf-8"):
                result.unchanged.append(existing)
                continue
            changed.append(path.name)
        plan.append((existing, text))
    if changed and not force:
        raise CopyRefused(
            f"{len(changed)} file(s) in {str(target)!r} differ from the package's: {', '.join(changed)}; "
            "pass --force to replace them"
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        for existing, text in plan:
            write_text_atomic(existing, text)
            result.written.append(existing)
    except OSError as error:
        raise CopyRefused(f"cannot write into {str(target)!r}: {error.strerror or error}") from None
    return result
