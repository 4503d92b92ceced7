"""Decide whether a notebook must run again: content fingerprints and the output manifest.

A report run costs seconds per notebook (a kernel, pandas, matplotlib); an
unchanged rerun should cost nothing. A notebook's fingerprint is a sha256 of
everything its output depends on that we can see: the notebook's bytes, the
parameters it is given, the package's code and data files, the seed report,
helper modules beside the notebooks, and the versions of the libraries that
shape outputs. The manifest (``manifest.json`` in the output folder) records,
for each notebook whose output is good, the fingerprint it was made from and
the sha256 of the output file. A notebook is up to date when both still
match; a failed run never writes its fingerprint, so it can never look fresh.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dalian_data.atomic import write_text_atomic
from dalian_data.run.notebook_parameters import canonical_json

#: Bump when the way outputs are produced changes (normalisation, engine), to invalidate old outputs.
CACHE_FORMAT = 2
MANIFEST_NAME = "manifest.json"

#: Libraries whose version can change what a notebook prints or draws.
VERSIONED_DISTRIBUTIONS = ("pandas", "numpy", "matplotlib", "papermill", "nbclient", "ipykernel", "nbformat", "pyarrow")


def _hash_files(digest: "hashlib._Hash", root: Path, patterns: tuple[str, ...]) -> None:
    """Feed the relative names and bytes of the files matching ``patterns`` under ``root`` into ``digest``."""
    paths = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    for path in paths:
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())


def environment_fingerprint(package_dir: Path, notebooks_dir: Path | None, seeds_dir: Path | None) -> str:
    """The part of every notebook's fingerprint that it shares with the others.

    Covers the package's modules (``dalian_data/*.py`` and its subpackages'),
    ``dalian_data/data/*``, ``dalian_data/fonts/*``,
    the seed report(s), ``*.py`` helpers in the notebooks folder, the Python
    version and :data:`VERSIONED_DISTRIBUTIONS`. Computed once per run.
    """
    from importlib import metadata

    digest = hashlib.sha256(f"dalian-data cache {CACHE_FORMAT}\0".encode())
    _hash_files(digest, package_dir, ("*.py", "*/*.py", "data/*", "fonts/*"))
    digest.update(b"\0seeds\0")
    if seeds_dir is not None and seeds_dir.is_dir():
        _hash_files(digest, seeds_dir, ("*",))
    digest.update(b"\0notebook helpers\0")
    if notebooks_dir is not None and notebooks_dir.is_dir():
        _hash_files(digest, notebooks_dir, ("*.py",))
    versions = {"python": sys.version}
    for name in VERSIONED_DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    digest.update(canonical_json(versions).encode())
    return digest.hexdigest()


def notebook_fingerprint(environment: str, notebook_bytes: bytes, parameters: dict[str, Any]) -> str:
    """sha256 of the shared environment fingerprint, the notebook's bytes and its parameters (canonical JSON)."""
    digest = hashlib.sha256(environment.encode())
    digest.update(b"\0notebook\0" + hashlib.sha256(notebook_bytes).digest())
    digest.update(b"\0parameters\0" + canonical_json(parameters).encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str | None:
    """sha256 of a file's bytes, or None when it cannot be read (missing, a folder...)."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass
class Manifest:
    """What is in an output folder and what it was made from.

    ``notebooks`` maps a notebook name to ``{"fingerprint", "output_sha256",
    "figures", "parameters", "seconds"}`` (``figures``: the sha256 of each
    chart saved to ``figure_dir``) and, once rendered, ``"html_sha256"``
    (``seconds``, the last execution time, orders the next run longest first);
    ``failures`` maps a name to the last error when its latest run failed.
    """

    path: Path
    parameters: dict[str, Any] = field(default_factory=dict)
    notebooks: dict[str, dict[str, Any]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    #: what ``index.html`` was made from: ``{"key", "sha256", "downloads"}`` (see ``run.report.write_html``)
    index: dict[str, Any] = field(default_factory=dict)

    #: why the manifest on disk could not be used (it is then treated as empty), or None
    problem: str | None = None

    @classmethod
    def load(cls, folder: Path) -> "Manifest":
        """Read the manifest in ``folder``; a missing one is empty (everything reruns).

        One that cannot be used (not JSON, the wrong shape, a folder, unreadable)
        is empty too, with :attr:`problem` saying why; :meth:`save` replaces it.
        """
        path = folder / MANIFEST_NAME
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not valid UTF-8 JSON"
            return cls(path, problem=f"{path} cannot be read ({reason})")
        if not isinstance(data, dict) or not isinstance(data.get("format"), int):
            return cls(path, problem=f"{path} is not a manifest")
        if data["format"] != CACHE_FORMAT:  # written by another version: silently out of date
            return cls(path)
        parameters, notebooks, failures, index = (
            data.get(key) or {} for key in ("parameters", "notebooks", "failures", "index"))
        if not (
            isinstance(parameters, dict)
            and isinstance(index, dict)
            and isinstance(notebooks, dict)
            and all(isinstance(entry, dict) for entry in notebooks.values())
            and isinstance(failures, dict)
            and all(isinstance(message, str) for message in failures.values())
        ):
            return cls(path, problem=f"{path} has entries of the wrong shape")
        return cls(path, parameters=parameters, notebooks=notebooks, failures=failures, index=index)

    def is_fresh(self, name: str, fingerprint: str, output: Path) -> bool:
        """Whether ``output`` and the charts the notebook saved exist, are the files we wrote, and were made from ``fingerprint``."""
        entry = self.notebooks.get(name)
        if not entry or entry.get("fingerprint") != fingerprint:
            return False
        if entry.get("output_sha256") != file_sha256(output):
            return False
        figures = entry.get("figures") or {}
        return isinstance(figures, dict) and all(file_sha256(Path(path)) == sha for path, sha in figures.items())

    def html_is_fresh(self, name: str, html: Path) -> bool:
        """Whether ``html`` exists and was rendered from the notebook output now recorded."""
        entry = self.notebooks.get(name) or {}
        return entry.get("html_sha256") is not None and entry.get("html_sha256") == file_sha256(html)

    def record_success(self, name: str, **entry: Any) -> None:
        self.notebooks[name] = entry
        self.failures.pop(name, None)

    def record_failure(self, name: str, message: str) -> None:
        """Remember the error; the notebook's last good entry (matching the output left in place) stays."""
        self.failures[name] = message

    def save(self) -> None:
        """Write the manifest atomically, so an interrupted run never leaves it half-written.

        A folder in the manifest's place (see :meth:`load`) is removed first.
        """
        if self.path.is_dir() and not self.path.is_symlink():
            shutil.rmtree(self.path)
        data = {
            "format": CACHE_FORMAT,
            "parameters": self.parameters,
            "notebooks": dict(sorted(self.notebooks.items())),
            "failures": dict(sorted(self.failures.items())),
            "index": self.index,
        }
        write_text_atomic(self.path, json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
