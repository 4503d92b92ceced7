"""Benchmark ``dalian-data report`` and the package's start-up and extractor; write bench/RESULTS.md.

Run from the repository root (it is never a timed test)::

    .venv/bin/python bench/report.py                 # the committed notebooks
    .venv/bin/python bench/report.py --repeat 3      # more rounds, steadier medians
    .venv/bin/python bench/report.py --notebooks-dir /tmp/standins --results /tmp/R.md

Each comparison is measured side by side in one run, alternating the two
contenders round by round, so a busy machine slows both alike:

1. a cold ``dalian-data report --force`` of all notebooks against three
   ways of running papermill without dalian-data: ``papermill.execute_notebook``
   in a pool of 2 processes (goal <= 1.00x), ``xargs -P 2 papermill`` and a
   sequential loop of ``papermill -k python3 NB OUT`` (goal <= 0.40x);
2. an unchanged rerun against the cold run (goal <= 0.05x);
3. ``python -c "import dalian_data; dalian_data.figures()"`` against
   ``python -c "import pandas"``, medians of several runs (goal <= 1.15x);
4. ``dalian_data.quantities`` throughput on the report repeated to >= 10 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GOALS = {"pool": 1.00, "report": 0.40, "rerun": 0.05, "startup": 1.15}
#: Processes of the parallel baselines: the 2 of the 2-core machine the goals were set on.
BASELINE_PROCESSES = 2

#: ``papermill.execute_notebook`` in a process pool: what thirty lines of Python get you.
POOL_SCRIPT = """
import sys
from multiprocessing import Pool
from pathlib import Path

import papermill

def run(pair):
    source, output = pair
    papermill.execute_notebook(source, output, kernel_name="python3", progress_bar=False, cwd=str(Path(source).parent))

if __name__ == "__main__":
    out, sources = sys.argv[1], sys.argv[3:]
    with Pool(int(sys.argv[2])) as pool:
        pool.map(run, [(s, str(Path(out) / Path(s).name)) for s in sources], chunksize=1)
"""


def timed(command: list[str], cwd: Path | None = None, env: dict | None = None) -> float:
    """Wall-clock seconds of one command, which must succeed."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"benchmark command failed ({result.returncode}): {' '.join(command)}\n{result.stderr[-2000:]}")
    return elapsed


def naive_papermill(notebooks: list[Path], out: Path) -> float:
    """What a user without dalian-data would do: one papermill process per notebook, one after another."""
    start = time.perf_counter()
    for notebook in notebooks:
        timed([str(VENV_BIN / "papermill"), "-k", "python3", "--no-progress-bar", str(notebook), str(out / notebook.name)], cwd=notebook.parent)
    return time.perf_counter() - start


def xargs_papermill(notebooks: list[Path], out: Path) -> float:
    """``xargs -P 2 papermill``: one papermill process per notebook, two at a time."""
    pairs = "".join(f"{notebook}\n{out / notebook.name}\n" for notebook in notebooks)
    command = ["xargs", "-d", "\n", "-n", "2", "-P", str(BASELINE_PROCESSES),
               str(VENV_BIN / "papermill"), "-k", "python3", "--no-progress-bar"]
    start = time.perf_counter()
    result = subprocess.run(command, input=pairs, text=True, cwd=notebooks[0].parent,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if result.returncode != 0:
        raise SystemExit(f"xargs papermill failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def pool_papermill(notebooks: list[Path], out: Path) -> float:
    """``papermill.execute_notebook`` in a pool of 2 processes, interpreter start-up included."""
    return timed([sys.executable, "-c", POOL_SCRIPT, str(out), str(BASELINE_PROCESSES), *map(str, notebooks)])


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} logical CPUs, "
        f"Python {platform.python_version()}; load average at start: {load}"
    )


def bench_report(notebooks_dir: Path, repeat: int, jobs: int | None) -> dict:
    notebooks = sorted(p for p in notebooks_dir.glob("*.ipynb") if not p.name.startswith("."))
    if not notebooks:
        raise SystemExit(f"no notebooks in {notebooks_dir}")
    env = dict(os.environ, DALIAN_DATA_NOTEBOOKS=str(notebooks_dir))
    cli = [str(VENV_BIN / "dalian-data"), "report"] + (["--jobs", str(jobs)] if jobs else [])
    runs: dict[str, list[float]] = {"naive": [], "xargs": [], "pool": [], "cold": [], "rerun": []}
    with tempfile.TemporaryDirectory(prefix="dalian-bench-") as tmp:
        tmp = Path(tmp)
        baselines = {"naive": naive_papermill, "xargs": xargs_papermill, "pool": pool_papermill}
        for name in baselines:
            (tmp / name).mkdir()
        # one untimed round warms the OS file cache for every contender
        timed(cli + ["--force", "--out", str(tmp / "ours")], env=env)
        for _ in range(repeat):
            for name, baseline in baselines.items():
                runs[name].append(baseline(notebooks, tmp / name))
            runs["cold"].append(timed(cli + ["--force", "--out", str(tmp / "ours")], env=env))
            runs["rerun"].append(timed(cli + ["--out", str(tmp / "ours")], env=env))
    return {"notebooks": [p.stem for p in notebooks], **runs}


def bench_startup(runs: int) -> dict:
    ours = [sys.executable, "-c", "import dalian_data; dalian_data.figures()"]
    base = [sys.executable, "-c", "import pandas"]
    timed(ours), timed(base)  # warm the file cache
    a, b = [], []
    for _ in range(runs):
        a.append(timed(ours))
        b.append(timed(base))
    return {"figures": a, "pandas": b}


def bench_extractor(target_mb: float = 10.0) -> dict:
    sys.path.insert(0, str(ROOT))
    import dalian_data

    text = dalian_data.report_text()
    copies = int(target_mb * 1e6 // len(text.encode("utf-8"))) + 1
    big = "\n".join([text] * copies)
    size_mb = len(big.encode("utf-8")) / 1e6
    dalian_data.quantities(text)  # compile patterns outside the timing
    times, rows = [], 0
    for _ in range(2):
        start = time.perf_counter()
        rows = len(dalian_data.quantities(big))
        times.append(time.perf_counter() - start)
    return {"mb": size_mb, "seconds": min(times), "rows": rows, "copies": copies}


def verdict(ratio: float, goal: float) -> str:
    return "met" if ratio <= goal else "NOT met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks-dir", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the report comparison (default 2)")
    parser.add_argument("--startup-runs", type=int, default=9, help="runs of each start-up command (default 9)")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for dalian-data report (default: its own)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--skip-report", action="store_true", help="only the start-up and extractor parts")
    args = parser.parse_args(argv)

    started = dt.datetime.now().astimezone()
    lines = [
        "# Benchmark results",
        "",
        f"Written by `bench/report.py` on {started:%Y-%m-%d %H:%M %Z}.",
        "",
        f"Machine: {machine()}.",
        "",
        "Each pair was measured side by side in one run, alternating the contenders;",
        "other processes on the machine slow both alike but still add noise.",
        "",
        "| # | measurement | ours | baseline | ratio | goal | |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes = []
    printed = []

    if not args.skip_report:
        r = bench_report(args.notebooks_dir, args.repeat, args.jobs)
        median = {key: statistics.median(r[key]) for key in ("naive", "xargs", "pool", "cold", "rerun")}
        cold, n = median["cold"], len(r["notebooks"])
        rows = [
            ("1a", f"`dalian-data report --force` vs `papermill.execute_notebook` in a {BASELINE_PROCESSES}-process pool", "pool", GOALS["pool"]),
            ("1b", f"`dalian-data report --force` vs `xargs -P {BASELINE_PROCESSES} papermill`", "xargs", None),
            ("1c", f"`dalian-data report --force` vs sequential `papermill` ({n} notebooks)", "naive", GOALS["report"]),
        ]
        for number, what, key, goal in rows:
            ratio = cold / median[key]
            target = f"<= {goal:.2f}x | {verdict(ratio, goal)}" if goal is not None else "| "
            lines.append(f"| {number} | {what} | {cold:.2f} s | {median[key]:.2f} s | {ratio:.2f}x | {target} |")
            printed.append(f"report cold vs {key}: {ratio:.2f}x" + (f" (goal <= {goal:.2f}x)" if goal is not None else ""))
        ratio2 = median["rerun"] / cold
        lines.append(
            f"| 2 | unchanged rerun vs cold run | {median['rerun']:.3f} s | {cold:.2f} s | {ratio2:.3f}x "
            f"| <= {GOALS['rerun']:.2f}x | {verdict(ratio2, GOALS['rerun'])} |"
        )
        printed.append(f"unchanged rerun vs cold: {ratio2:.3f}x (goal <= 0.05x)")
        where = args.notebooks_dir.resolve()
        where = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
        rounds = "; ".join(f"{key} {', '.join(f'{x:.2f}' for x in r[key])} s" for key in ("pool", "xargs", "naive", "cold", "rerun"))
        notes.append(
            f"Report runs (medians of {args.repeat} rounds, contenders alternating within each round) used the "
            f"notebooks in `{where}`: {', '.join(r['notebooks'])}. Rounds: {rounds}."
        )
    else:
        notes.append("Measurements 1 and 2 were skipped (--skip-report).")

    s = bench_startup(args.startup_runs)
    figures, pandas_ = statistics.median(s["figures"]), statistics.median(s["pandas"])
    ratio3 = figures / pandas_
    lines.append(
        f"| 3 | `import dalian_data; dalian_data.figures()` vs `import pandas` | {figures:.3f} s | {pandas_:.3f} s "
        f"| {ratio3:.2f}x | <= {GOALS['startup']:.2f}x | {verdict(ratio3, GOALS['startup'])} |"
    )
    notes.append(f"Start-up: medians of {args.startup_runs} interleaved runs each.")
    printed.append(f"figures() start-up vs import pandas: {ratio3:.2f}x (goal <= 1.15x)")

    e = bench_extractor()
    throughput = e["mb"] / e["seconds"]
    lines.append(f"| 4 | `dalian_data.quantities` throughput | {throughput:.2f} MB/s | | | | |")
    notes.append(
        f"Extractor: the report repeated {e['copies']} times ({e['mb']:.1f} MB of UTF-8), "
        f"{e['rows']} quantities found in {e['seconds']:.2f} s (best of 2)."
    )
    printed.append(f"extractor throughput: {throughput:.2f} MB/s")

    lines += ["", *[f"- {note}" for note in notes], ""]
    args.results.parent.mkdir(parents=True, exist_ok=True)
    marker = "<!-- extractor benchmark: start -->"  # bench/extract.py's section is kept as it is
    previous = args.results.read_text(encoding="utf-8") if args.results.exists() else ""
    if marker in previous:
        lines.append(previous[previous.index(marker):])
    args.results.write_text("\n".join(lines), encoding="utf-8")
    for line in printed:
        print(line)
    print(f"written {args.results}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
