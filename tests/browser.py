"""Browser machinery for the end-to-end tests: JupyterLab, Chromium, page checks.

Nothing here touches the repository or the home directory: the JupyterLab
server gets temporary config/data/runtime/settings/workspace directories and
serves a temporary root directory, and Chromium is Debian's (Playwright's own
browser download cannot work on this network).

Use from a test module (pytest puts ``tests/``, which has no ``__init__.py``,
on sys.path; importing the fixtures into the module's namespace makes them
available to its tests)::

    from browser import assert_page_renders, browser_page, chromium_browser  # noqa: F401

    def test_report_index(browser_page, tmp_path):
        assert_page_renders(
            browser_page,
            REPORT_DIR / "index.html",      # a Path, a file:// URI or an http(s) URL
            min_images=1,
            min_tables=1,
            screenshot=tmp_path / "index.png",
        )

Public API:

- :func:`find_chromium`, :func:`chromium_executable` -- locate Chromium; the
  latter skips (outside CI) or fails (``CI=true``) when it is missing.
- :func:`launch_chromium` -- context manager yielding a Playwright ``Browser``.
- fixtures :func:`chromium_browser` (module scope) and :func:`browser_page`
  (a fresh context and page per test, requests off this machine blocked).
- :func:`assert_page_renders` -- open any URL / local HTML file and check its
  images decode, its tables have rows and its text is Chinese.
- :func:`running_jupyter_lab` -- context manager yielding a :class:`LabServer`.
- :func:`notebook_expectations` -- what a stored ``.ipynb`` should render.
- :func:`open_notebook`, :func:`assert_notebook_renders` -- show a notebook in
  JupyterLab and check its stored outputs render.
- :func:`page_errors` -- uncaught JavaScript errors of a page (for messages).
- :func:`watch_page` -- record a page's console errors and requests to other hosts.
- :func:`assert_report_page` -- open a page of the HTML report and check it
  stands alone offline: no console error or outside request, no code, images
  described, Chinese drawn with the font the page embeds, print rules.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CJK = re.compile(r"[\u4e00-\u9fff]")
FALLBACK_CHROMIUM = "/usr/bin/chromium"
MISSING_CHROMIUM = "Chromium not found: apt-get install chromium to run the browser test"

# Without the background-networking switches Chromium keeps trying to reach
# Google services, which this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}

# Mime types JupyterLab renders as <img>, and those it prefers over them for an
# untrusted notebook (lower rank wins; SVG and JavaScript are unsafe and are
# skipped for untrusted outputs, so a PNG next to them still renders).
RASTER_MIMETYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp")
PREFERRED_OVER_IMAGES = ("text/html", "text/markdown", "text/latex")

_TABLE_TAG = re.compile(r"<table\b", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_STYLE_OR_SCRIPT = re.compile(r"<(style|script)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)]*\)")


# --------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------


def find_chromium() -> str | None:
    """Path of Debian's Chromium (``chromium`` on PATH, else /usr/bin/chromium), or None."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.path.isfile(FALLBACK_CHROMIUM) and os.access(FALLBACK_CHROMIUM, os.X_OK):
        return FALLBACK_CHROMIUM
    return None


def chromium_executable() -> str:
    """Chromium's path; skip the test when it is missing, except in CI where that fails."""
    path = find_chromium()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return path


@contextmanager
def launch_chromium(executable: str | None = None) -> Iterator[Any]:
    """Yield a headless Playwright ``Browser`` running Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    executable = executable or chromium_executable()
    # Playwright gives Chromium a temporary profile, but crashpad and dconf
    # still write under XDG_CONFIG_HOME (~/.config/chromium): point it away.
    with tempfile.TemporaryDirectory(prefix="e2e-chromium-") as home, sync_playwright() as playwright:
        env = {**os.environ, "XDG_CONFIG_HOME": home, "XDG_CACHE_HOME": home}
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, env=env, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _is_local(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme in ("file", "data", "blob", "about"):
        return True
    return parts.hostname in ("127.0.0.1", "localhost", "::1")


def block_external_requests(context: Any) -> None:
    """Abort every request leaving this machine, so a page waits on no CDN it cannot reach."""

    def handle(route: Any) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    context.route("**/*", handle)


def page_errors(page: Any) -> list[str]:
    """The page's uncaught JavaScript exceptions so far (starts collecting on first call)."""
    errors = getattr(page, "_e2e_errors", None)
    if errors is None:
        errors = page._e2e_errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """One headless Chromium per test module (skips, or fails in CI, without Chromium)."""
    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def browser_page(chromium_browser: Any) -> Iterator[Any]:
    """A page in a fresh browser context; requests off this machine are blocked.

    Uncaught JavaScript exceptions are collected (see :func:`page_errors`)
    and shown in failure messages.
    """
    context = chromium_browser.new_context(viewport=VIEWPORT, service_workers="block")
    block_external_requests(context)
    page = context.new_page()
    page_errors(page)
    try:
        yield page
    finally:
        context.close()


# --------------------------------------------------------------------------
# JupyterLab server
# --------------------------------------------------------------------------


# Requests to our own server never go through an HTTP(S)_PROXY from the environment.
_LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class LabServer:
    """A running ``jupyter lab``: base URL, token, served root and log file."""

    base_url: str
    token: str
    root_dir: Path
    log_path: Path

    def url(self, path: str, **query: str) -> str:
        """Absolute URL of ``path`` (e.g. ``api/status``) with the token in the query."""
        params = urllib.parse.urlencode({**query, "token": self.token})
        return f"{self.base_url}/{path.lstrip('/')}?{params}"

    def notebook_url(self, relpath: str, workspace: str | None = None) -> str:
        """URL opening ``relpath`` (relative to the root) in a fresh named workspace."""
        workspace = workspace or f"e2e-{secrets.token_hex(4)}"
        quoted = urllib.parse.quote(relpath)
        return self.url(f"lab/workspaces/{workspace}/tree/{quoted}")

    def get_json(self, path: str) -> Any:
        with _LOCAL.open(self.url(path), timeout=10) as response:
            return json.load(response)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "<no log>"


# User settings for the test server. windowingMode "none" attaches every cell
# to the DOM, so images far below the viewport render too; no autosave, no
# news/update checks (there is no network to fetch them from).
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
}


def _write_lab_settings(settings_dir: Path) -> None:
    for plugin, values in LAB_SETTINGS.items():
        path = settings_dir / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


@contextmanager
def running_jupyter_lab(root_dir: Path, work_dir: Path, startup_timeout: float = 60.0) -> Iterator[LabServer]:
    """Run ``jupyter lab`` serving ``root_dir``; every file it writes goes under ``work_dir``.

    Notebooks open without starting a kernel (``LabApp.notebook_starts_kernel``),
    and without autosave, but serve a copy anyway: ``root_dir`` should never be
    the repository's own folder.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    dirs = {
        name: work_dir / name for name in ("config", "data", "runtime", "settings", "workspaces", "ipython", "mpl")
    }
    for path in dirs.values():
        path.mkdir(exist_ok=True)
    _write_lab_settings(dirs["settings"])

    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        JUPYTERLAB_SETTINGS_DIR=str(dirs["settings"]),
        JUPYTERLAB_WORKSPACES_DIR=str(dirs["workspaces"]),
        IPYTHONDIR=str(dirs["ipython"]),
        MPLCONFIGDIR=str(dirs["mpl"]),
    )
    token = secrets.token_hex(24)
    log_path = work_dir / "jupyter-lab.log"
    for attempt in range(3):
        port = free_port()  # the OS's pick; another process may take it before the server binds
        server = LabServer(f"http://127.0.0.1:{port}", token, root_dir, log_path)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                _lab_command(port, token, root_dir), cwd=work_dir, env=env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        try:
            _wait_until_ready(server, proc, startup_timeout)
            break
        except _PortTaken:
            _stop(server, proc)
            if attempt == 2:
                raise
        except BaseException:
            _stop(server, proc)
            raise
    try:
        yield server
    finally:
        _stop(server, proc)


def _lab_command(port: int, token: str, root_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--ServerApp.terminals_enabled=False",
        "--LabApp.notebook_starts_kernel=False",  # notebooks open with no kernel, and ask for none
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # no PyPI queries
        "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, for open_notebook and the checks
    ]


class _PortTaken(RuntimeError):
    """The server could not bind the port free_port() found."""


def _wait_until_ready(server: LabServer, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = server.log_tail()
            error = _PortTaken if "already in use" in log.lower() else RuntimeError
            raise error(f"jupyter lab exited with {proc.returncode} before it was ready; log:\n{log}")
        try:
            with _LOCAL.open(server.url("api/status"), timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            last_error = repr(exc)
        time.sleep(0.2)  # polling interval of a condition wait, not a fixed delay
    raise RuntimeError(
        f"jupyter lab not ready at {server.base_url} after {timeout:.0f} s ({last_error}); log:\n{server.log_tail()}"
    )


def _stop(server: LabServer, proc: subprocess.Popen) -> None:
    """Shut kernels down through the API, SIGTERM the server, SIGKILL its process group.

    The wait after SIGTERM is short on purpose: jupyter_server finishes its
    cleanup at once but its interpreter may then wait forever on an idle anyio
    worker thread (a non-daemon thread nothing stops once the event loop is
    gone), so a graceful exit cannot be relied on. Kernels, which run in their
    own sessions and would survive the SIGKILL, are shut down first.
    """
    if proc.poll() is None:
        try:
            for kernel in server.get_json("api/kernels"):
                request = urllib.request.Request(server.url(f"api/kernels/{kernel['id']}"), method="DELETE")
                _LOCAL.open(request, timeout=30).close()
        except (urllib.error.URLError, OSError, ValueError):
            pass  # the server is unwell; the kill below still ends it
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:  # still unreaped, so its process group id is still ours
        os.killpg(proc.pid, signal.SIGKILL)  # the group we created: the server and its children
        proc.wait(timeout=30)


# --------------------------------------------------------------------------
# What a stored notebook should render
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class NotebookExpectations:
    """Counts and text a stored notebook's outputs should produce in JupyterLab."""

    cell_types: tuple[str, ...]
    images: int  # outputs JupyterLab renders as <img> (raster image, nothing it prefers)
    tables: int  # <table> elements in text/html outputs
    markdown_cjk: dict[int, frozenset[str]] = field(default_factory=dict)  # cell index -> CJK chars shown
    markdown_nonblank: tuple[int, ...] = ()  # indices of markdown cells that render to something
    html_output_cjk: frozenset[str] = frozenset()  # CJK chars in the text of text/html outputs


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def _mime_text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _visible_markdown(source: str) -> str:
    """Markdown source minus what is not shown as text (comments, math, link targets)."""
    for pattern in (_HTML_COMMENT, _MATH, _LINK_TARGET):
        source = pattern.sub(" ", source)
    return source


def html_visible_text(html: str) -> str:
    """Rough visible text of an HTML fragment: no tags, styles or scripts."""
    return _TAG.sub(" ", _STYLE_OR_SCRIPT.sub(" ", _HTML_COMMENT.sub(" ", html)))


def notebook_expectations(path: Path) -> NotebookExpectations:
    """Read an ``.ipynb`` and count what JupyterLab should render from its stored outputs."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    images = tables = 0
    markdown_cjk: dict[int, frozenset[str]] = {}
    markdown_nonblank: list[int] = []
    html_cjk: set[str] = set()
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown":
            if _source(cell).strip():
                markdown_nonblank.append(index)
            chars = frozenset(CJK.findall(_visible_markdown(_source(cell))))
            if chars:
                markdown_cjk[index] = chars
        for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            data = output.get("data", {})
            if any(m in data for m in RASTER_MIMETYPES) and not any(m in data for m in PREFERRED_OVER_IMAGES):
                images += 1
            if "text/html" in data:
                html = _mime_text(data["text/html"])
                tables += len(_TABLE_TAG.findall(html))
                html_cjk.update(CJK.findall(html_visible_text(html)))
    return NotebookExpectations(
        cell_types=tuple(cell["cell_type"] for cell in nb["cells"]),
        images=images,
        tables=tables,
        markdown_cjk=markdown_cjk,
        markdown_nonblank=tuple(markdown_nonblank),
        html_output_cjk=frozenset(html_cjk),
    )


# --------------------------------------------------------------------------
# Page state, read in the browser
# --------------------------------------------------------------------------

# JupyterLab runs with expose_app_in_browser, so `window.jupyterapp` is the
# application: the checks look at the notebook panel the shell shows for the
# path being checked, never at a leftover one.
_APP_READY_JS = "() => !!(window.jupyterapp && window.jupyterapp.shell)"

_OPEN_WITH_COMMAND_JS = """
async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  await app.commands.execute('application:close-all');
  await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
}
"""

_CURRENT_NOTEBOOK_JS = """
const currentNotebook = (path) => {
  const app = window.jupyterapp;
  const w = app && app.shell.currentWidget;
  if (!w || !w.context || w.context.path !== path) return null;
  return w.node.classList.contains('jp-NotebookPanel') ? w.node : null;
};
"""

_NOTEBOOK_READY_JS = "([path, nCells, markdown, nImages, nTables]) => {" + _CURRENT_NOTEBOOK_JS + """
  const nb = currentNotebook(path);
  if (!nb || document.querySelectorAll('.jp-NotebookPanel').length !== 1) return false;
  const cells = nb.querySelectorAll('.jp-Notebook .jp-Cell');
  if (cells.length < nCells) return false;
  // Markdown renders asynchronously: wait until each non-blank cell has content.
  const pending = markdown.some(k => {
    const md = cells[k].querySelector('.jp-RenderedMarkdown');
    return !md || md.childNodes.length === 0;
  });
  if (pending) return false;
  const imgs = [...nb.querySelectorAll('.jp-OutputArea-output img')];
  if (imgs.length < nImages || imgs.some(i => !i.complete)) return false;
  return nb.querySelectorAll('.jp-OutputArea-output table').length >= nTables;
}
"""

_NOTEBOOK_STATE_JS = "async (path) => {" + _CURRENT_NOTEBOOK_JS + """
  const panels = document.querySelectorAll('.jp-NotebookPanel').length;
  const nb = currentNotebook(path);
  if (!nb) {
    const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    return {panels, current: w ? (w.context ? w.context.path : w.title.label) : null};
  }
  if (window.jupyterapp.shell.collapseLeft) window.jupyterapp.shell.collapseLeft();  // for the screenshot
  const kind = c => c.classList.contains('jp-MarkdownCell') ? 'markdown'
                  : c.classList.contains('jp-CodeCell') ? 'code' : 'raw';
  const cells = [...nb.querySelectorAll('.jp-Notebook .jp-Cell')].map(c => {
    const md = c.querySelector('.jp-RenderedMarkdown');
    return {type: kind(c), text: md ? md.innerText : ''};
  });
  const imgEls = [...nb.querySelectorAll('.jp-OutputArea-output img')];
  const decoded = await Promise.all(imgEls.map(i => i.decode().then(() => true, () => false)));
  const images = imgEls.map((i, k) => ({
    src: i.src.slice(0, 60), complete: i.complete, width: i.naturalWidth,
    height: i.naturalHeight, decoded: decoded[k]}));
  if (imgEls.length) imgEls[0].scrollIntoView({block: 'center'});  // show a chart in the screenshot
  const tables = [...nb.querySelectorAll('.jp-OutputArea-output table')].map(t => ({
    rows: t.querySelectorAll('tr').length,
    bodyRows: [...t.querySelectorAll('tr')].filter(r => r.querySelector('td')).length,
    text: t.innerText}));
  const htmlText = [...nb.querySelectorAll('.jp-OutputArea-output.jp-RenderedHTMLCommon')]
    .map(e => e.innerText).join('\\n');
  return {panels, current: path, cells, images, tables, htmlText, text: nb.innerText};
}
"""

_PAGE_STATE_JS = """
async () => {
  const imgEls = [...document.images];
  const decoded = await Promise.all(imgEls.map(i => i.decode().then(() => true, () => false)));
  const images = imgEls.map((i, k) => ({
    src: i.currentSrc.slice(0, 80) || i.src.slice(0, 80), complete: i.complete,
    width: i.naturalWidth, height: i.naturalHeight, decoded: decoded[k]}));
  const tables = [...document.querySelectorAll('table')].map(t => ({
    rows: t.querySelectorAll('tr').length, text: t.innerText}));
  return {images, tables, text: document.body ? document.body.innerText : '', title: document.title};
}
"""


def _screenshot(page: Any, path: Path | None) -> str:
    if path is None:
        return "no screenshot requested"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(path))
    except Exception as exc:  # noqa: BLE001 -- a failed screenshot must not hide the real failure
        return f"screenshot failed: {exc!r}"
    return f"screenshot: {path}"


def _image_problems(images: list[dict]) -> list[str]:
    return [
        f"image #{k} not decoded (naturalWidth={img['width']}, decode()={'ok' if img['decoded'] else 'failed'}, "
        f"src={img['src']!r}...)"
        for k, img in enumerate(images)
        if not (img["complete"] and img["width"] > 0 and img["height"] > 0 and img["decoded"])
    ]


def _fail(what: str, problems: list[str], shot: str, page: Any, extra: str = "") -> None:
    errors = page_errors(page)
    lines = [f"{what}: {len(problems)} problem(s)", *(f"  - {p}" for p in problems), f"  {shot}"]
    if errors:
        lines.append("  page errors: " + " | ".join(errors[:5]))
    if extra:
        lines.append(extra)
    raise AssertionError("\n".join(lines))


@dataclass(frozen=True)
class RenderSummary:
    """What a check saw: counts and the rendered text (for further assertions)."""

    images: int
    tables: int
    text: str
    screenshot: Path | None


def _lab_loaded(page: Any, server: LabServer) -> bool:
    if not page.url.startswith(f"{server.base_url}/lab"):
        return False
    return page.evaluate("() => !!window.jupyterapp && !document.querySelector('.jp-Dialog')")


def open_notebook(page: Any, server: LabServer, relpath: str, *, via: str = "auto") -> str:
    """Show ``relpath`` (relative to the server root) in JupyterLab; return how it was opened.

    ``via="url"`` loads ``/lab/workspaces/<fresh>/tree/<relpath>`` (a full
    application start, ~5 s on 2 cores); ``via="command"`` closes every tab of
    the JupyterLab already loaded in ``page`` and runs ``docmanager:open``
    (what a click in the file browser does, well under a second); ``"auto"``
    uses the command when ``page`` already shows this server's JupyterLab
    with no dialog open, the URL otherwise.
    """
    if via not in ("auto", "url", "command"):
        raise ValueError(f"via must be 'auto', 'url' or 'command', not {via!r}")
    page_errors(page).clear()
    if via == "auto":
        via = "command" if _lab_loaded(page, server) else "url"
    if via == "url":
        page.goto(server.notebook_url(relpath), wait_until="domcontentloaded")
    else:
        page.evaluate(_OPEN_WITH_COMMAND_JS, relpath)
    return via


def assert_notebook_renders(
    page: Any,
    server: LabServer,
    relpath: str,
    expected: NotebookExpectations,
    *,
    via: str = "auto",
    screenshot: Path | None = None,
    min_tables: int = 1,
    timeout_ms: float = 30_000,
) -> RenderSummary:
    """Open ``relpath`` in JupyterLab (see :func:`open_notebook`) and check its stored outputs render.

    Checks: the shell shows one notebook panel, for ``relpath``, with every
    cell; exactly ``expected.images`` ``<img>`` in output areas, each decoded
    (``naturalWidth > 0`` and ``img.decode()`` resolves); exactly
    ``expected.tables`` output tables, at least ``min_tables``, each with a
    row; Chinese text rendered, and every Chinese character of each markdown
    cell and of the HTML outputs present in the rendered text; no U+FFFD
    replacement characters. All problems are reported at once, with the
    screenshot's path.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    problems: list[str] = []
    try:
        how = open_notebook(page, server, relpath, via=via)
    except PlaywrightError as exc:
        problems.append(f"JupyterLab could not open it: {str(exc).splitlines()[0]}")
        _fail(f"{relpath} in JupyterLab", problems, _screenshot(page, screenshot), page)
    what = f"{relpath} in JupyterLab (opened via {how})"
    try:
        page.wait_for_function(
            _NOTEBOOK_READY_JS,
            arg=[relpath, len(expected.cell_types), list(expected.markdown_nonblank), expected.images, expected.tables],
            timeout=timeout_ms,
        )
    except PlaywrightTimeout:
        problems.append(f"notebook did not finish rendering within {timeout_ms / 1000:.0f} s")
    try:
        state = page.evaluate(_NOTEBOOK_STATE_JS, relpath)
    except PlaywrightError as exc:
        state = {"panels": "?", "current": f"<page unusable: {exc}>"}
    shot = _screenshot(page, screenshot)
    if "cells" not in state:
        problems.append(f"no notebook panel for {relpath}: {state['panels']} panel(s), shell shows {state['current']!r}")
        _fail(what, problems, shot, page, f"server log tail:\n{server.log_tail(1500)}")
    if state["panels"] != 1:
        problems.append(f"{state['panels']} notebook panels open, expected 1")

    types = tuple(c["type"] for c in state["cells"])
    if types != expected.cell_types:
        problems.append(f"cells rendered {len(types)} {types!r}, file has {len(expected.cell_types)}")

    images = state["images"]
    if len(images) != expected.images:
        problems.append(f"{len(images)} <img> in output areas, file stores {expected.images} image outputs")
    problems += _image_problems(images)

    tables = state["tables"]
    if len(tables) != expected.tables:
        problems.append(f"{len(tables)} tables in output areas, file stores {expected.tables}")
    if len(tables) < min_tables:
        problems.append(f"expected at least {min_tables} rendered table(s), found {len(tables)}")
    problems += [f"table #{k} has no rows" for k, t in enumerate(tables) if t["rows"] == 0]
    if tables and not any(t["bodyRows"] for t in tables):
        problems.append("no table has a data row (<tr> with <td>)")

    text = state["text"]
    if not CJK.search(text):
        problems.append("no Chinese characters in the rendered notebook")
    if "\ufffd" in text:
        problems.append("rendered text contains U+FFFD replacement characters (an encoding error)")
    if len(types) == len(expected.cell_types):
        for index, chars in expected.markdown_cjk.items():
            missing = sorted(chars - set(state["cells"][index]["text"]))
            if missing:
                problems.append(f"markdown cell {index}: Chinese characters not rendered: {''.join(missing[:40])}")
    missing = sorted(expected.html_output_cjk - set(state["htmlText"]))
    if missing:
        problems.append(f"HTML outputs (tables): Chinese characters not rendered: {''.join(missing[:40])}")

    if problems:
        _fail(what, problems, shot, page)
    return RenderSummary(len(images), len(tables), text, screenshot)


def assert_page_renders(
    page: Any,
    url: str | Path,
    *,
    min_images: int = 1,
    min_tables: int = 0,
    require_chinese: bool = True,
    expected_text: tuple[str, ...] = (),
    screenshot: Path | None = None,
    timeout_ms: float = 30_000,
) -> RenderSummary:
    """Open ``url`` (http(s) URL, ``file://`` URI or a local path) and check it renders.

    Waits for the ``load`` event and for every ``<img>`` to finish loading, then
    asserts, reporting all problems at once together with the screenshot's path:

    - at least ``min_images`` ``<img>`` elements, and *every* ``<img>`` on the
      page decoded (``complete``, ``naturalWidth > 0``, ``img.decode()``
      resolves) -- a broken data URI or a missing file fails;
    - at least ``min_tables`` ``<table>`` elements with at least one ``<tr>``;
    - if ``require_chinese``: the page's visible text (``document.body.innerText``)
      contains Chinese characters (U+4E00..U+9FFF);
    - every string of ``expected_text`` occurs in the visible text;
    - no U+FFFD replacement characters (mojibake) in the visible text.

    ``screenshot``: where to save a PNG of the viewport (taken before the
    assertions, so it exists on failure). Use it with the :func:`browser_page`
    fixture, which blocks requests leaving this machine so that a page linking
    a CDN does not wait on the network. Returns a :class:`RenderSummary`.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    target = Path(url).resolve().as_uri() if isinstance(url, Path) or "://" not in str(url) else str(url)
    problems: list[str] = []
    response = page.goto(target, wait_until="load", timeout=timeout_ms)
    if response is not None and not response.ok:
        problems.append(f"HTTP {response.status} for {target}")
    try:
        page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=timeout_ms)
    except PlaywrightTimeout:
        problems.append(f"images still loading after {timeout_ms / 1000:.0f} s")
    shot = _screenshot(page, screenshot)
    state = page.evaluate(_PAGE_STATE_JS)

    images = state["images"]
    if len(images) < min_images:
        problems.append(f"expected at least {min_images} <img>, found {len(images)}")
    problems += _image_problems(images)
    tables = [t for t in state["tables"] if t["rows"] > 0]
    if len(tables) < min_tables:
        problems.append(
            f"expected at least {min_tables} table(s) with a row, found {len(tables)} "
            f"(of {len(state['tables'])} <table>)"
        )
    text = state["text"]
    if require_chinese and not CJK.search(text):
        problems.append("no Chinese characters in the visible text")
    problems += [f"text not found: {s!r}" for s in expected_text if s not in text]
    if "\ufffd" in text:
        problems.append("visible text contains U+FFFD replacement characters (an encoding error)")
    if problems:
        _fail(f"{target} (title {state['title']!r})", problems, shot, page)
    return RenderSummary(len(images), len(tables), text, screenshot)


# --------------------------------------------------------------------------
# Self-contained report pages (dalian-data report --html)
# --------------------------------------------------------------------------


@dataclass
class PageTraffic:
    """What a page did besides rendering: console errors and requests leaving this machine."""

    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)


def watch_page(page: Any) -> PageTraffic:
    """Start recording ``page``'s console errors and its requests to other hosts (once per page)."""
    traffic = getattr(page, "_e2e_traffic", None)
    if traffic is None:
        traffic = page._e2e_traffic = PageTraffic()
        page.on("console", lambda msg: traffic.console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("request", lambda req: None if _is_local(req.url) else traffic.external_requests.append(req.url))
    return traffic


_REPORT_PAGE_JS = """
async ([family, placeholder]) => {
  await document.fonts.ready;
  const han = /[\\u3400-\\u4dbf\\u4e00-\\u9fff]/;
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
                          && getComputedStyle(el).visibility !== 'hidden';
  const imgEls = [...document.images];
  const decoded = await Promise.all(imgEls.map(i => i.decode().then(() => true, () => false)));
  const images = imgEls.map((i, k) => ({
    src: i.src.slice(0, 80), complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,
    decoded: decoded[k], alt: i.getAttribute('alt')}));
  const code = [...document.querySelectorAll(
      '.input, .input_area, .jp-InputArea, .jp-Cell-inputWrapper, .prompt, details[open]')].filter(visible).length;
  const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === family)
                                   .map(f => f.status);
  // Chinese text outside an element marked lang="zh…" (in an English page)
  const unmarked = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!han.test(n.data)) continue;
    const marked = n.parentElement.closest('[lang]');
    if (!marked || !marked.lang.startsWith('zh')) unmarked.push(n.data.trim().slice(0, 30));
  }
  // Glyphs drawn with the embedded font differ from each other and from the
  // missing-glyph box that a font without Chinese gives.
  const ink = (text, font) => {
    const c = document.createElement('canvas'); c.width = 64; c.height = 64;
    const g = c.getContext('2d'); g.font = font; g.textBaseline = 'top'; g.fillText(text, 4, 4);
    return Array.from(g.getImageData(0, 0, 64, 64).data).join(',');
  };
  // two different Chinese characters of the page (the embedded subset holds only those)
  const chars = [...new Set((document.body.innerText.match(/[\u4e00-\u9fff]/g) || []))].slice(0, 2);
  const own = `48px "${family}"`, none = `48px "${placeholder}"`;
  const [a, b] = chars.length === 2 ? chars : ['大', '连'];
  const glyphs = {a: ink(a, own), b: ink(b, own), tofu: ink(a, none), blank: ink('', own)};
  return {
    lang: document.documentElement.lang, title: document.title, text: document.body.innerText,
    images, code, faces, unmarked: unmarked.slice(0, 10),
    chars: chars.join(''),
    fontCheck: document.fonts.check(`16px "${family}"`, chars.join('') || '大连'),
    glyphsDiffer: glyphs.a !== glyphs.b && glyphs.a !== glyphs.tofu && glyphs.a !== glyphs.blank
                  && glyphs.b !== glyphs.blank,
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
  };
}
"""

_PRINT_JS = """
() => ({
  nav: [...document.querySelectorAll('nav')].map(n => getComputedStyle(n).display),
  breaks: [...document.querySelectorAll('section.indicator')].map(s => getComputedStyle(s).breakBefore),
})
"""


def _own_text_nodes(node: dict) -> Iterator[tuple[int, str]]:
    """(nodeId, own text) of every element under a DevTools DOM node, skipping head, style and script."""
    if node.get("nodeName") in ("HEAD", "STYLE", "SCRIPT", "TITLE"):
        return
    children = node.get("children", [])
    if node.get("nodeType") == 1:
        yield node["nodeId"], "".join(c.get("nodeValue", "") for c in children if c.get("nodeType") == 3)
    for child in children + node.get("contentDocument", {}).get("children", []):
        yield from _own_text_nodes(child)


def _cjk_fonts(page: Any, family: str) -> list[str]:
    """Elements whose own Chinese text Chromium drew without the font ``family`` (DevTools' platform fonts)."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("DOM.enable")
        session.send("CSS.enable")
        root = session.send("DOM.getDocument", {"depth": -1, "pierce": False})["root"]
        wrong, checked = [], 0
        for node_id, text in _own_text_nodes(root):
            if not CJK.search(text):
                continue
            checked += 1
            fonts = session.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            if not any(f["familyName"] == family and f.get("isCustomFont") for f in fonts):
                wrong.append(f"{text.strip()[:20]!r} drawn with {[f['familyName'] for f in fonts]}")
        if not checked:
            wrong.append("DevTools found no element with Chinese text")
        return wrong
    finally:
        session.detach()


def assert_report_page(
    page: Any,
    path: Path,
    *,
    lang: str,
    family: str,
    min_images: int = 0,
    screenshot: Path | None = None,
    timeout_ms: float = 30_000,
) -> dict:
    """Open a page of the HTML report (a local file) and check that it stands on its own, offline.

    Checks, reporting all problems at once with the screenshot's path: no
    console errors and no JavaScript exceptions; no request to another host;
    ``<html lang>`` is ``zh-Hans`` or ``en`` for ``lang``; no visible code
    cell; every image decoded and described (``alt`` neither empty nor
    nbconvert's placeholder); the ``@font-face`` named ``family`` loaded,
    ``document.fonts.check`` true for Chinese, its glyphs drawn (each differs
    from the others and from the missing-glyph box) and every element's
    Chinese text drawn with it (DevTools' platform fonts); in English pages
    every Chinese character inside an element marked ``lang="zh…"``; with
    print media, no navigation shown and a page break before each indicator.
    Returns the page state (text, links...).
    """
    traffic = watch_page(page)
    traffic.console_errors.clear()
    traffic.external_requests.clear()
    page_errors(page).clear()
    problems: list[str] = []
    page.goto(Path(path).resolve().as_uri(), wait_until="load", timeout=timeout_ms)
    state = page.evaluate(_REPORT_PAGE_JS, [family, "dalian-data-no-such-font"])
    shot = _screenshot(page, screenshot)
    expected_lang = {"zh": "zh-Hans", "en": "en"}[lang]
    if state["lang"] != expected_lang:
        problems.append(f"<html lang={state['lang']!r}>, expected {expected_lang!r}")
    if not state["title"].strip():
        problems.append("no <title>")
    problems += [f"console error: {e}" for e in traffic.console_errors]
    problems += [f"request to another host: {u}" for u in traffic.external_requests]
    if state["code"]:
        problems.append(f"{state['code']} code cell(s) or open <details> visible")
    images = state["images"]
    if len(images) < min_images:
        problems.append(f"expected at least {min_images} <img>, found {len(images)}")
    problems += _image_problems(images)
    for k, img in enumerate(images):
        alt = (img["alt"] or "").strip()
        if not alt or alt.startswith("No description"):
            problems.append(f"image #{k} has alt {img['alt']!r}")
    if state["faces"] != ["loaded"]:
        problems.append(f"@font-face {family!r}: statuses {state['faces']} (expected one, loaded)")
    if not state["fontCheck"]:
        problems.append(f"document.fonts.check('16px \"{family}\"', {state['chars']!r}) is false")
    if len(state["chars"]) == 2 and not state["glyphsDiffer"]:
        problems.append(f"the embedded font draws {state['chars'][0]} and {state['chars'][1]} alike, "
                        "or like the missing-glyph box")
    if CJK.search(state["text"]):
        problems += _cjk_fonts(page, family)
    if lang != "zh" and state["unmarked"]:
        problems.append(f"Chinese not marked lang=zh: {state['unmarked']}")
    if "\ufffd" in state["text"]:
        problems.append("U+FFFD in the visible text")
    page.emulate_media(media="print")
    printed = page.evaluate(_PRINT_JS)
    page.emulate_media(media="screen")
    if any(display != "none" for display in printed["nav"]):
        problems.append(f"navigation printed: {printed['nav']}")
    if any(b != "page" for b in printed["breaks"]):
        problems.append(f"indicator sections print without a page break before: {printed['breaks']}")
    problems += [f"page error: {e}" for e in page_errors(page)]
    if problems:
        _fail(f"{path} ({lang})", problems, shot, page)
    return state
