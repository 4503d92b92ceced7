"""The ``dalian-data`` command: build the report, refresh the notebooks, extract figures, export data.

Only argparse is imported at module level so ``dalian-data --help`` answers
at once; pandas, papermill and nbconvert are imported by the command that
needs them. Errors in the request (an unknown notebook or parameter, a bad
value, an unreadable file) print one line, ``dalian-data: error: ...``, and
exit with code 2 before anything runs; a notebook that fails exits with 1.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from typing import Sequence

from dalian_data.parameters import LANGUAGES

PROG = "dalian-data"
EXPORT_FORMATS = ("csv", "parquet", "xlsx", "datapackage")

_MAIN_EPILOG = """\
examples:
  dalian-data report --html                 run every notebook, open build/report/default/index.html
  dalian-data report 02_talent -p lang en   one notebook, in English
  dalian-data refresh                       re-execute the committed notebooks in place
  dalian-data extract notes.txt             figures in any Chinese text
  dalian-data export out/ --format csv      tidy tables as files
  dalian-data notebooks my-analysis/        copy the notebooks to open in JupyterLab

'dalian-data COMMAND --help' explains each command.
"""

_REPORT_EPILOG = """\
Each run writes into OUT/<parameters>, e.g. build/report/default or
build/report/lang-en_population-8000000, and keeps a manifest there: a
notebook runs again only when it, its parameters, the package's code or
data or the seed report changed, or a chart it saved went missing (or with
--force). A notebook that fails (an error, a dead kernel, a cell running
longer than --timeout) keeps its previous output and makes the exit code 1.
Ctrl-C or SIGTERM stops the run at once: finished notebooks are kept,
nothing is left half-written, exit code 130 or 143.

Parameter values are converted to the type of the notebook's default
(true/false/1/0 for booleans, None or null for None) and checked before any
kernel starts; a file given with -f is a YAML mapping, and -p overrides it.
Kernels run in the notebooks' folder, as in JupyterLab; a relative
figure_dir is taken relative to the folder you run the command from.

examples:
  dalian-data report
  dalian-data report --html --jobs 2
  dalian-data report 02_talent 05_environment -p lang en -p decimals 2
  dalian-data report -f params.yaml -p population 8000000 --out /tmp/report
  dalian-data report --force 00_overview
"""

_REFRESH_EPILOG = """\
Executes the notebooks in notebooks/ with their default parameters and
writes each back in place (normalised: no timestamps, stable ids), so a
refresh without real changes leaves git clean. A notebook that fails is
left as it was and makes the exit code 1.

examples:
  dalian-data refresh
  dalian-data refresh 03_openness --jobs 1
"""

_EXTRACT_EPILOG = """\
Prints every quantity dalian_data.quantities() finds in a UTF-8 text file
(or standard input, FILE = -): offsets, the quoted text, value, upper bound,
unit, qualifier, kind, period with its first and last day, and base year.
Text in another encoding is refused with the encoding it looks like.

examples:
  dalian-data extract report.txt
  dalian-data extract notes.txt --format csv > figures.csv
  dalian-data extract notes.txt --format json
  pbpaste | dalian-data extract -
"""

_EXPORT_EPILOG = """\
Writes the package's tidy tables (indicators, figures, derived metrics) to
DIR in the chosen formats (default: all of them).

examples:
  dalian-data export out/
  dalian-data export out/ --format csv --format xlsx --lang en
"""

_NOTEBOOKS_EPILOG = """\
Copies the seven notebooks (and their README) that come with the package
into DEST, created when missing, to open and edit in JupyterLab. Files
already there with the same content are left alone; a file you changed is
never replaced unless you pass --force. Running them needs the notebooks
extra: pip install 'dalian-data[notebooks]' (and jupyterlab to open them).

examples:
  dalian-data notebooks my-analysis/
  cd my-analysis && jupyter lab
  dalian-data notebooks my-analysis/ --force   # back to the package's versions
"""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _add_notebook_arguments(command: argparse.ArgumentParser, notebooks_help: str) -> None:
    """The arguments report and refresh share: which notebooks, how many at once, where."""
    command.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help=notebooks_help)
    command.add_argument("-j", "--jobs", type=_positive_int, default=None, metavar="N",
                         help="notebooks run at once (default: CPU count)")
    command.add_argument("--timeout", type=_positive_int, default=600, metavar="SECONDS",
                         help="longest a cell may run before its notebook fails (default: %(default)s)")
    command.add_argument("--notebooks-dir", help=argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    from dalian_data.run.report import DEFAULT_OUT  # standard library only: --help stays fast

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Dalian's 2020 包容普惠创新 results as tidy data and reproducible notebooks.",
        epilog=_MAIN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from dalian_data import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    report = commands.add_parser(
        "report",
        help="execute the notebooks into an output folder (parallel, incremental)",
        description="Execute notebooks with papermill into a folder named after the parameters.",
        epilog=_REPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_notebook_arguments(report, "e.g. 02_talent, 02_talent.ipynb or a path (default: all)")
    report.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"), dest="parameters",
        help="set a notebook parameter (repeatable)",
    )
    report.add_argument("-f", "--parameters-file", metavar="PARAMS.yaml", help="YAML mapping of parameters; -p overrides it")
    report.add_argument("--out", default=str(DEFAULT_OUT), metavar="DIR", help="base output folder (default: %(default)s)")
    report.add_argument("--html", action="store_true", help="also render HTML pages and an index.html")
    report.add_argument("--force", action="store_true", help="execute even notebooks that are up to date")

    refresh = commands.add_parser(
        "refresh",
        help="re-execute the committed notebooks in place with default parameters",
        description="Re-execute notebooks in notebooks/ in place, normalised, in parallel.",
        epilog=_REFRESH_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_notebook_arguments(refresh, "e.g. 02_talent (default: all)")

    extract = commands.add_parser(
        "extract",
        help="print the quantities found in a UTF-8 text file",
        description="Find figures (value, unit, qualifier, kind, period) in Chinese statistical prose.",
        epilog=_EXTRACT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    extract.add_argument("file", metavar="FILE", help="a UTF-8 text file, or - for standard input")
    extract.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format (default: %(default)s)")

    export = commands.add_parser(
        "export",
        help="write the tidy tables to a folder (csv, parquet, xlsx, datapackage)",
        description="Export the package's tidy tables to files.",
        epilog=_EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument("directory", metavar="DIR", help="folder to write into (created if missing)")
    export.add_argument(
        "--format", choices=EXPORT_FORMATS, action="append", dest="formats", metavar="FORMAT",
        help=f"one of {', '.join(EXPORT_FORMATS)}; repeatable (default: all)",
    )
    export.add_argument("--lang", choices=LANGUAGES, default="zh", help="language of labels (default: %(default)s)")
    _add_notebooks_command(commands)
    return parser


def _add_notebooks_command(commands) -> None:
    notebooks = commands.add_parser(
        "notebooks",
        help="copy the notebooks into a folder to open in JupyterLab",
        description="Copy the package's notebooks into a folder of your own.",
        epilog=_NOTEBOOKS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    notebooks.add_argument("destination", metavar="DEST", help="folder to copy into (created if missing)")
    notebooks.add_argument("--force", action="store_true", help="replace files that differ from the package's")


def _cmd_report(args: argparse.Namespace) -> int:
    from dalian_data.extras import require_extra

    require_extra("report", "notebooks")
    from dalian_data.publish.downloads import write_downloads
    from dalian_data.run.engine import default_jobs
    from dalian_data.run.report import ReportRequest, report

    request = ReportRequest(
        notebooks=args.notebooks,
        parameters=[tuple(pair) for pair in args.parameters],
        parameters_file=args.parameters_file,
        out=args.out,
        jobs=args.jobs or default_jobs(),
        html=args.html,
        force=args.force,
        notebooks_dir=args.notebooks_dir,
        timeout=args.timeout,
        downloads=write_downloads,
    )
    return report(request, sys.stdout, sys.stderr)


def _cmd_refresh(args: argparse.Namespace) -> int:
    from dalian_data.extras import require_extra

    require_extra("refresh", "notebooks")
    from dalian_data.run.report import NOTEBOOKS_ENV, UsageError, refresh
    from dalian_data.run.notebook_files import checkout_notebooks

    if not (args.notebooks_dir or os.environ.get(NOTEBOOKS_ENV)) and checkout_notebooks() is None:
        raise UsageError("refresh rewrites the notebooks of a source checkout, and this dalian-data is installed; "
                         "copy them with 'dalian-data notebooks DEST' to run your own")
    from dalian_data.run.engine import default_jobs

    return refresh(args.notebooks, args.jobs or default_jobs(), sys.stdout, sys.stderr, args.notebooks_dir,
                   timeout=args.timeout)


def read_text_file(name: str) -> str:
    """The contents of a UTF-8 text file (``-``: standard input), or a UsageError saying why not."""
    from dalian_data.run.report import UsageError

    label = "standard input" if name == "-" else repr(name)
    try:
        data = sys.stdin.buffer.read() if name == "-" else open(name, "rb").read()
    except FileNotFoundError:
        raise UsageError(f"cannot read {name!r}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"cannot read {name!r}: it is a directory, not a text file") from None
    except OSError as error:
        raise UsageError(f"cannot read {label}: {error.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        guess = guess_encoding(data)
        hint = f"it looks like {guess}; convert it first, e.g. iconv -f {guess} -t UTF-8" if guess else \
            "its encoding is not one of UTF-8, UTF-16, UTF-32, GB18030 or Big5; convert it to UTF-8 first"
        raise UsageError(
            f"{label} is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); {hint}"
        ) from None


def guess_encoding(data: bytes) -> str | None:
    """The encoding ``data`` decodes in: a BOM first, then NUL patterns (UTF-16/32), then GB18030, Big5."""
    import codecs

    boms = ((codecs.BOM_UTF32_LE, "UTF-32LE"), (codecs.BOM_UTF32_BE, "UTF-32BE"),
            (codecs.BOM_UTF16_LE, "UTF-16LE"), (codecs.BOM_UTF16_BE, "UTF-16BE"))
    for bom, name in boms:
        if data.startswith(bom):
            return name
    for name in ("UTF-32LE", "UTF-32BE", "UTF-16LE", "UTF-16BE"):  # no BOM: the text must read as prose
        width = 4 if "32" in name else 2
        if len(data) % width:
            continue
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if text and sum(1 for ch in text if _prose_character(ch)) >= 0.95 * len(text):
            return name
    decoded = {}
    for name in ("GB18030", "Big5"):
        try:
            decoded[name] = data.decode(name)
        except UnicodeDecodeError:
            pass
    if len(decoded) == 2:  # GB18030 decodes nearly any bytes: keep it only if it reads as common characters
        text = decoded["GB18030"]
        common = sum(1 for ch in text if ch.isascii() or _in_gb2312(ch))
        return "GB18030" if common >= 0.95 * len(text) else "Big5"
    return next(iter(decoded), None)


def _prose_character(ch: str) -> bool:
    """Printable ASCII, CJK ideographs, CJK punctuation or full-width forms."""
    code = ord(ch)
    return (32 <= code < 127 or ch in "\n\r\t" or 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F
            or 0xFF00 <= code <= 0xFFEF)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _cmd_extract(args: argparse.Namespace) -> int:
    text = read_text_file(args.file)
    from dalian_data.extract import quantities

    found = quantities(text)
    if args.format == "csv":
        found.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        dates = {c: found[c].dt.strftime("%Y-%m-%d") for c in ("period_start", "period_end")}  # not epoch ms
        sys.stdout.write(found.assign(**dates).to_json(orient="records", force_ascii=False, indent=1) + "\n")
    elif found.empty:
        print(f"no quantities found in {'standard input' if args.file == '-' else args.file}")
    else:
        import pandas as pd

        with pd.option_context("display.unicode.east_asian_width", True, "display.width", 200):
            print(found.to_string(index=False, na_rep="", formatters={"value": _plain_number, "upper": _plain_number}))
    return 0


def _plain_number(value: float) -> str:
    """7.8259e+11 as 782590000000 and 8.2 as 8.2: the figure as the report would write it."""
    if value != value:  # NaN
        return ""
    if float(value).is_integer() and abs(value) < 1e18:
        return str(int(value))
    return repr(float(value))


def _cmd_export(args: argparse.Namespace) -> int:
    from dalian_data.run.report import UsageError, check_seed

    check_seed()  # before the tables are read from it
    from dalian_data import export  # the public API function (dalian_data.publish.files)

    formats = tuple(dict.fromkeys(args.formats)) if args.formats else EXPORT_FORMATS
    try:
        written = export(args.directory, formats=formats, lang=args.lang)
    except (ValueError, NotADirectoryError) as error:
        raise UsageError(str(error)) from None
    for path in written or ():
        print(path)
    return 0


def _cmd_notebooks(args: argparse.Namespace) -> int:
    from dalian_data.run.report import UsageError
    from dalian_data.run.notebook_files import CopyRefused, copy_notebooks

    try:
        result = copy_notebooks(args.destination, force=args.force)
    except CopyRefused as error:
        raise UsageError(str(error)) from None
    for path in result.written:
        print(path)
    kept = f", {len(result.unchanged)} already up to date" if result.unchanged else ""
    print(f"copied {len(result.written)} file(s) into {args.destination}{kept}; open them with: jupyter lab {args.destination}",
          file=sys.stderr)
    return 0


_COMMANDS = {
    "report": _cmd_report,
    "refresh": _cmd_refresh,
    "extract": _cmd_extract,
    "export": _cmd_export,
    "notebooks": _cmd_notebooks,
}


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (``kill``, ``timeout``, a cancelled CI job) unwinds like Ctrl-C: clean up, exit 143."""
    from dalian_data.run.engine import Interrupted

    raise Interrupted(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``dalian-data`` and ``python -m dalian_data``; returns the exit code.

    Exit codes: 0 done, 1 a run failed (a notebook, a full disk, an altered
    seed), 2 a bad request, 130/143 stopped by SIGINT/SIGTERM. Every error
    is one line on stderr.
    """
    args = build_parser().parse_args(argv)
    from dalian_data.run.report import RunError, UsageError
    from dalian_data.extras import MissingExtraError

    try:
        previous = signal.signal(signal.SIGTERM, _terminated)
    except ValueError:  # not the main thread: leave signals alone
        previous = None
    try:
        return _COMMANDS[args.command](args)
    except (UsageError, MissingExtraError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except RunError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as interrupt:
        signum = getattr(interrupt, "signum", signal.SIGINT)
        name = signal.Signals(signum).name
        print(f"{PROG}: interrupted by {name}; what finished is kept, nothing is half-written", file=sys.stderr)
        return 128 + signum
    except BrokenPipeError:
        # `dalian-data extract big.txt | head`: the reader left; exit quietly like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except OSError as error:  # a full or read-only disk, a name too long, a file gone
        where = f"{error.filename}: " if error.filename else ""
        print(f"{PROG}: error: {where}{error.strerror or error}; nothing half-written was left", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    raise SystemExit(main())
