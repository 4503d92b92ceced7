"""What ``dalian-data report`` and ``dalian-data refresh`` do, step by step.

``report``: find the notebooks, check every parameter and the seed report
(before any kernel starts), name the output folder after the parameters,
skip notebooks whose output is up to date, execute the rest in parallel
(:mod:`dalian_data.run.engine`), record the results in the manifest as they
arrive, render HTML if asked (:func:`write_html`), and say where the results
are and what failed.

``refresh``: execute the committed notebooks in place with their default
parameters, so their stored outputs match the code and data.

Both print results to ``out`` and problems to ``err`` and return an exit
code: 0 all good, 1 a notebook failed. Problems with the request itself
raise :class:`UsageError` (exit code 2) before anything runs; a signal
raises :class:`dalian_data.run.engine.Interrupted` after every kernel is down.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Sequence

import dalian_data
from dalian_data.atomic import write_text_atomic
from dalian_data.run.cache import Manifest, environment_fingerprint, file_sha256, notebook_fingerprint
from dalian_data.run.engine import DEFAULT_TIMEOUT, Outcome, Task
from dalian_data.run.notebook_parameters import (
    DeclaredNotebook,
    ParameterError,
    canonical_json,
    declared_parameters,
    load_yaml_parameters,
    parameters_slug,
    read_notebook_json,
    resolve_parameters,
)

NOTEBOOKS_ENV = "DALIAN_DATA_NOTEBOOKS"
DEFAULT_OUT = Path("build") / "report"
DEFAULT_LANG = "zh"


class UsageError(Exception):
    """The request cannot be carried out as asked (exit code 2); the message is one line."""


class RunError(Exception):
    """The run cannot go on (exit code 1): the seed report was altered, say; the message is one line."""


def package_dir() -> Path:
    return Path(dalian_data.__file__).resolve().parent


def repo_dir() -> Path:
    """The source checkout the package lives in (notebooks/ and seeds/ are beside the package)."""
    return package_dir().parent


def check_seed() -> None:
    """Verify the report's checksum once, before any kernel starts (every notebook would fail on it)."""
    from dalian_data.source import ReportChecksumError, report_text

    try:
        report_text()
    except ReportChecksumError as error:
        raise RunError(str(error)) from None


def notebooks_dir(override: str | os.PathLike | None = None) -> Path:
    """The notebooks folder: ``override``, else ``$DALIAN_DATA_NOTEBOOKS``, else the checkout's or the shipped one."""
    from dalian_data.run.notebook_files import notebooks_folder

    chosen = override or os.environ.get(NOTEBOOKS_ENV)
    path = Path(chosen) if chosen else notebooks_folder()
    if not path.is_dir():
        raise UsageError(
            f"notebooks folder {str(path)!r} does not exist; reinstall dalian-data "
            f"or set {NOTEBOOKS_ENV} to the folder holding the notebooks"
        )
    return path.resolve()


def available_notebooks(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))


def select_notebooks(names: Sequence[str], folder: Path) -> list[Path]:
    """Resolve ``02_talent``, ``02_talent.ipynb`` or a path; no names means every notebook in ``folder``."""
    available = available_notebooks(folder)
    if not names:
        if not available:
            raise UsageError(f"no notebooks (*.ipynb) in {str(folder)!r}")
        return available
    chosen: list[Path] = []
    for name in names:
        stem = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
        in_folder = folder / f"{stem}.ipynb"
        as_path = Path(name)
        if "/" not in name and in_folder.is_file():
            path = in_folder
        elif as_path.suffix == ".ipynb" and as_path.is_file():
            path = as_path.resolve()
        else:
            listing = ", ".join(p.stem for p in available) or "none"
            raise UsageError(f"notebook {name!r} not found in {str(folder)!r}; available: {listing}")
        if path in chosen:
            continue
        clash = next((p for p in chosen if p.stem == path.stem), None)
        if clash is not None:
            raise UsageError(f"notebooks {str(clash)!r} and {str(path)!r} would write the same output {path.stem}.ipynb")
        chosen.append(path)
    return chosen


@contextlib.contextmanager
def folder_lock(folder: Path, err: IO[str]) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` so two runs never write the same outputs at once."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"dalian-data: waiting for another dalian-data run using {folder} ...", file=err, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _lang(parameters: dict[str, Any], defaults: dict[str, Any]) -> str:
    lang = parameters.get("lang", defaults.get("lang", DEFAULT_LANG))
    return lang if isinstance(lang, str) and lang else DEFAULT_LANG


@dataclass
class ReportRequest:
    """The arguments of ``dalian-data report``."""

    notebooks: Sequence[str] = ()
    parameters: Sequence[tuple[str, str]] = ()
    parameters_file: str | None = None
    out: str | os.PathLike = DEFAULT_OUT
    jobs: int = 1
    html: bool = False
    force: bool = False
    notebooks_dir: str | os.PathLike | None = None
    live_progress: bool | None = None
    timeout: float = DEFAULT_TIMEOUT
    #: With ``html``: writes the files the index offers for download into the
    #: output folder, given the folder and the run's parameters. Publishing is
    #: the layer above this one, so the caller (the CLI) passes it in.
    downloads: Callable[[Path, dict[str, Any]], object] | None = None


def _declare(paths: list[Path]) -> tuple[dict[Path, bytes], list[DeclaredNotebook]]:
    sources = {path: path.read_bytes() for path in paths}
    declared = []
    for path in paths:
        try:
            nb = read_notebook_json(sources[path], path)
            declared.append(DeclaredNotebook(path, declared_parameters(nb)))
        except SyntaxError as error:
            raise UsageError(f"the parameters cell of {str(path)!r} is not valid Python: {error.msg}") from None
    return sources, declared


def _paths_from_cwd(parameters: dict[str, Any]) -> dict[str, Any]:
    """Resolve a relative ``figure_dir`` against the caller's folder.

    Kernels run in the notebooks' folder (as in JupyterLab), so a relative
    path would otherwise land inside notebooks/ instead of where the user
    typed the command.
    """
    figure_dir = parameters.get("figure_dir")
    if isinstance(figure_dir, str) and figure_dir and not Path(figure_dir).is_absolute():
        return {**parameters, "figure_dir": str(Path.cwd() / figure_dir)}
    return parameters


def output_folder(base: str | os.PathLike, slug: str) -> Path:
    """Create ``base/slug`` (and its parents); a :class:`UsageError` naming the path when that is impossible."""
    folder = Path(base) / slug
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-")
        probe.close()
    except OSError as error:
        where = error.filename or folder
        if isinstance(error, (FileExistsError, NotADirectoryError)):
            reason = "a file is in the way; give --out a folder path"
        elif error.errno == errno.ENAMETOOLONG:
            reason = "the name is too long; choose a shorter --out"
        else:
            reason = f"{error.strerror}; choose another --out"
        raise UsageError(f"cannot write the report into {str(where)!r}: {reason}") from None
    return folder


def _remove_stale_temp_files(folder: Path) -> None:
    """Temp files a killed run left behind (``.NAME.xxxx.tmp``); only called under the folder lock."""
    for path in folder.glob(".*.tmp"):
        path.unlink(missing_ok=True)


def report(request: ReportRequest, out: IO[str], err: IO[str]) -> int:
    """Run ``dalian-data report``; see the module docstring."""
    from dalian_data.run.engine import run_notebooks
    from dalian_data.run.progress import Progress

    started = time.perf_counter()
    folder = notebooks_dir(request.notebooks_dir)
    paths = select_notebooks(request.notebooks, folder)
    try:
        sources, declared = _declare(paths)
        from_file = load_yaml_parameters(Path(request.parameters_file)) if request.parameters_file else {}
        requested, per_notebook = resolve_parameters(declared, from_file, request.parameters)
    except ParameterError as error:
        raise UsageError(str(error)) from None
    check_seed()
    per_notebook = {path: _paths_from_cwd(params) for path, params in per_notebook.items()}
    defaults = {d.path: d.defaults for d in declared}
    lang = _lang(requested, defaults[paths[0]])

    out_dir = output_folder(request.out, parameters_slug(requested))
    with folder_lock(out_dir, err):
        _remove_stale_temp_files(out_dir)
        manifest = Manifest.load(out_dir)
        if manifest.problem:
            print(f"dalian-data: warning: {manifest.problem}; treating it as empty and rewriting it", file=err)
        manifest.parameters = requested
        environment = environment_fingerprint(package_dir(), folder, repo_dir() / "seeds")
        tasks, fresh = _plan(paths, sources, per_notebook, defaults, environment, manifest, out_dir, request.force)
        fingerprints = {task.name: task.fingerprint for task in tasks}
        per_notebook_by_name = {path.stem: per_notebook[path] for path in paths}

        names = [path.stem for path in paths]

        def record(outcome: Outcome) -> None:
            if outcome.ok and not request.html:
                # a page rendered from the previous output would now be stale
                (out_dir / f"{outcome.name}.html").unlink(missing_ok=True)
            if outcome.ok:
                manifest.record_success(
                    outcome.name,
                    fingerprint=fingerprints[outcome.name],
                    output_sha256=outcome.output_sha256,
                    figures=outcome.figures,
                    parameters=per_notebook_by_name[outcome.name],
                    seconds=round(outcome.seconds, 2),
                )
            else:
                manifest.record_failure(outcome.name, outcome.error or "failed")
            manifest.save()
            if outcome.ok and request.html:  # while the other notebooks still run
                write_html(out_dir, names, requested, lang, manifest, _merged(defaults), render=[outcome.name],
                           environment=environment)

        outcomes: dict[str, Outcome] = {}
        if tasks:
            progress = Progress(len(tasks), min(request.jobs, len(tasks)), stream=err, live=request.live_progress)
            try:
                outcomes = run_notebooks(longest_first(tasks, manifest), request.jobs, progress, record, request.timeout)
            finally:
                progress.close()
        manifest.save()

        rendered = 0
        if request.html or (out_dir / "index.html").exists():  # keep an existing index truthful
            rendered = write_html(
                out_dir, names, requested, lang, manifest, _merged(defaults), render=None if request.html else (),
                downloads=request.downloads if request.html else None, environment=environment,
            )

    return _summarise(paths, tasks, fresh, outcomes, out_dir, request.html, rendered, started, out, err)


def _plan(paths, sources, per_notebook, defaults, environment: str, manifest: Manifest, out_dir: Path, force: bool):
    """Split the notebooks into tasks to execute and up-to-date ones (whose old failure is forgotten)."""
    tasks, fresh = [], []
    for path in paths:
        name, given = path.stem, per_notebook[path]
        fingerprint = notebook_fingerprint(environment, sources[path], given)
        output = out_dir / f"{name}.ipynb"
        if not force and manifest.is_fresh(name, fingerprint, output):
            fresh.append(path)
            manifest.failures.pop(name, None)
            continue
        figure_dir = given.get("figure_dir", defaults[path].get("figure_dir"))
        tasks.append(
            Task(
                name=name,
                source=str(path),
                source_bytes=sources[path],
                output=str(output.resolve()),  # absolute: kernels run in the notebooks' folder
                cwd=str(path.parent),
                parameters=given,
                fingerprint=fingerprint,
                lang=_lang(given, defaults[path]),
                figure_dir=figure_dir if isinstance(figure_dir, str) else None,
            )
        )
    return tasks, fresh


def _summarise(paths, tasks, fresh, outcomes, out_dir: Path, html: bool, rendered: int, started: float, out, err) -> int:
    """Print what failed (to ``err``), what ran and where the results are (to ``out``); return the exit code."""
    failed = sorted((outcome for outcome in outcomes.values() if not outcome.ok), key=lambda o: o.name)
    for outcome in failed:
        kept = "previous output kept" if (out_dir / f"{outcome.name}.ipynb").exists() else "no output"
        print(f"dalian-data: {outcome.name} failed: {outcome.error} ({kept})", file=err)
    if not tasks:
        extra = f"; rendered {rendered} HTML page{'s' * (rendered != 1)}" if rendered else ""
        print(f"{_plural(len(paths))} up to date, nothing executed{extra}", file=out)
    else:
        print(
            f"{_plural(len(paths))}: {len(tasks) - len(failed)} executed, {len(fresh)} up to date, "
            f"{len(failed)} failed ({time.perf_counter() - started:.1f} s)",
            file=out,
        )
    print(f"results: {out_dir / 'index.html' if html else out_dir}", file=out)
    if failed:
        print(f"failed: {', '.join(o.name for o in failed)}", file=out)
    return 1 if failed else 0


def longest_first(tasks: list, manifest: Manifest) -> list:
    """Order tasks by how long they took last time, longest first, unknown ones before all.

    With more notebooks than kernels, starting the long ones first keeps a
    long notebook from running alone at the end while the other slots idle.
    """

    def last_seconds(task) -> float:
        seconds = manifest.notebooks.get(task.name, {}).get("seconds")
        return float(seconds) if isinstance(seconds, (int, float)) else float("inf")

    return sorted(tasks, key=last_seconds, reverse=True)


def _merged(defaults: dict[Path, dict[str, Any]]) -> dict[str, Any]:
    """Every notebook's default parameters in one mapping (notebooks agree on shared names)."""
    merged: dict[str, Any] = {}
    for values in defaults.values():
        merged.update(values)
    return merged


def _plural(count: int) -> str:
    return f"{count} notebook{'s' * (count != 1)}"


def write_html(out_dir: Path, notebooks: Sequence[str], parameters: dict[str, Any], lang: str, manifest: Manifest,
               defaults: dict[str, Any], render: Sequence[str] | None = None,
               downloads: Callable[[Path, dict[str, Any]], object] | None = None, environment: str = "") -> int:
    """Every HTML the report writes: the missing or stale pages of ``render`` (None: all) and ``index.html``.

    ``notebooks`` are the names run now; the index also lists those recorded
    by earlier runs into the same folder. ``parameters`` are those the user
    gave, ``defaults`` the notebooks' own. Pages are rendered from the
    notebooks in ``out_dir`` and their sha256 recorded in ``manifest``, so an
    unchanged rerun renders nothing. ``downloads``, when given, writes the
    data files the index offers (see :attr:`ReportRequest.downloads`).
    When every page is fresh and the index was made from the same inputs
    (``environment``, the notebooks' entries, the parameters) and is still
    on disk with the downloads it lists, nothing is rendered or written: an
    unchanged ``report --html`` costs no more than one without it. Returns the number of pages rendered.
    """
    names = sorted(set(notebooks) | set(manifest.notebooks) | set(manifest.failures))
    if _index_is_fresh(out_dir, names, parameters, lang, manifest, defaults, render, downloads, environment):
        return 0

    import nbformat

    from dalian_data.run.html_pages import (
        OVERVIEW,
        IndexEntry,
        downloads_in,
        notebook_title,
        read_highlights,
        render_index,
        render_notebook_html,
        summary_html,
    )

    siblings = tuple(sorted(set(notebooks) | set(manifest.notebooks)))
    rendered, entries = 0, []
    for name in names:
        entry = manifest.notebooks.get(name)
        output = out_dir / f"{name}.ipynb"
        has_notebook = bool(entry) and output.exists()
        stale = (render is None or name in render) and not manifest.html_is_fresh(name, out_dir / f"{name}.html")
        if has_notebook and (stale or "title" not in entry):
            nb = nbformat.read(output, as_version=4)
            entry["title"] = notebook_title(nb, name)
            if stale:
                page = render_notebook_html(nb, entry["title"], lang, siblings, name=name)
                write_text_atomic(out_dir / f"{name}.html", page)
                entry["html_sha256"] = hashlib.sha256(page.encode("utf-8")).hexdigest()
                rendered += 1
        entries.append(
            IndexEntry(
                name=name,
                title=(entry or {}).get("title") or name,
                has_html=has_notebook and manifest.html_is_fresh(name, out_dir / f"{name}.html"),
                has_notebook=has_notebook,
                error=manifest.failures.get(name),
                highlights=read_highlights(out_dir / f"{name}.ipynb", lang) if has_notebook else None,
            )
        )
    summary = summary_html(out_dir / f"{OVERVIEW}.ipynb") if OVERVIEW in manifest.notebooks else None
    written = [Path(p) for p in downloads(out_dir, {**defaults, **parameters}) or ()] if downloads is not None else []
    page = render_index(entries, parameters, lang, summary, defaults=defaults, downloads=downloads_in(out_dir, lang))
    index = out_dir / "index.html"
    if not index.exists() or index.read_text(encoding="utf-8") != page:
        write_text_atomic(index, page)
    manifest.index = {
        "key": _index_key(names, parameters, lang, manifest, defaults, environment),
        "sha256": hashlib.sha256(page.encode("utf-8")).hexdigest(),
        "downloads": {p.relative_to(out_dir).as_posix(): file_sha256(p) for p in written if p.is_file()},
    }
    manifest.save()
    return rendered


def _index_key(names: Sequence[str], parameters: dict[str, Any], lang: str, manifest: Manifest,
               defaults: dict[str, Any], environment: str) -> str:
    """What ``index.html`` and the downloads are made from, as one sha256."""
    inputs = {"names": list(names), "parameters": parameters, "lang": lang, "defaults": defaults,
              "notebooks": manifest.notebooks, "failures": manifest.failures, "environment": environment}
    return hashlib.sha256(canonical_json(inputs).encode("utf-8")).hexdigest()


def _index_is_fresh(out_dir: Path, names: Sequence[str], parameters: dict[str, Any], lang: str, manifest: Manifest,
                    defaults: dict[str, Any], render: Sequence[str] | None, downloads: Callable | None,
                    environment: str) -> bool:
    """Whether a run would write every HTML file and download as it is: then there is nothing to do."""
    recorded = manifest.index
    if not environment or recorded.get("key") != _index_key(names, parameters, lang, manifest, defaults, environment):
        return False
    if file_sha256(out_dir / "index.html") != recorded.get("sha256"):
        return False
    pages = [name for name in names if name in manifest.notebooks and (render is None or name in render)]
    if not all(manifest.html_is_fresh(name, out_dir / f"{name}.html") for name in pages):
        return False
    files = recorded.get("downloads") or {}
    if downloads is not None and not files:
        return False
    return all(file_sha256(out_dir / relative) == sha for relative, sha in files.items())


def refresh(
    names: Sequence[str], jobs: int, out: IO[str], err: IO[str], notebooks_override=None, live_progress=None,
    timeout: float = DEFAULT_TIMEOUT,
) -> int:
    """Run ``dalian-data refresh``: re-execute notebooks in place with default parameters (both languages kept)."""
    from dalian_data.run.engine import run_notebooks
    from dalian_data.run.progress import Progress

    started = time.perf_counter()
    folder = notebooks_dir(notebooks_override)
    paths = select_notebooks(names, folder)
    check_seed()
    tasks = [
        Task(name=p.stem, source=str(p), source_bytes=p.read_bytes(), output=str(p), cwd=str(p.parent))
        for p in paths
    ]
    with folder_lock(folder, err):
        progress = Progress(len(tasks), min(jobs, len(tasks)), stream=err, live=live_progress)
        try:
            outcomes = run_notebooks(tasks, jobs, progress, timeout=timeout)
        finally:
            progress.close()
    failed = sorted((o for o in outcomes.values() if not o.ok), key=lambda o: o.name)
    for outcome in failed:
        print(f"dalian-data: {outcome.name} failed: {outcome.error} (notebook left as it was)", file=err)
    changed = [t for t in tasks if outcomes[t.name].ok and Path(t.output).read_bytes() != t.source_bytes]
    print(
        f"refreshed {len(paths) - len(failed)} of {_plural(len(paths))} in {folder} "
        f"({len(changed)} changed, {time.perf_counter() - started:.1f} s)",
        file=out,
    )
    if failed:
        print(f"failed: {', '.join(o.name for o in failed)}", file=out)
    return 1 if failed else 0
