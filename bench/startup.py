"""Start-up cost of the command line: what `curate --version`, `--help` and a small `curate check` import,
and how long the whole process takes, warm and cold, next to its yardsticks.

Yardsticks (issue 13): `--version` against `python -c "import click"` (target ≤ 3×), and
`curate check example_datasets/products_v1` against pandas alone importing itself and reading the
same files (target ≤ 2×).

Warm: every file already in the page cache (one untimed run first). Cold: before each run the page
cache is emptied *for the files the command reads* (every imported module's file and shared
library, found by a first run) with posix_fadvise(DONTNEED), so the kernel must read them again;
other programs' cached files are left alone. On a machine whose storage is fast, cold and warm differ
little; it is still the honest figure for a fresh CI runner, which starts with an empty cache.

Paired (``--pairs N``): the command and its yardstick run in turn, A B A B ..., and the A/B ratio is
taken pair by pair (median of pairs), for CPU seconds (user + system, the kernel's accounting of each
finished child) and wall seconds; on a shared machine whose speed drifts this is the figure to trust.
``--before SRC`` adds `curate check products_v1` against the same command with ``PYTHONPATH=SRC`` (an
older checkout's ``src``), and `--only` without `drift` shows what the drift check costs.

curate's own modules are byte-compiled first (`compileall`, what `pip install` does), so an editable
checkout on a machine that sets PYTHONDONTWRITEBYTECODE is not timed compiling them on every run.

Usage: python bench/startup.py [--runs 7] [--pairs 5 [--before OLD/src]]   (run it on a quiet machine)
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PRODUCTS = REPO / "example_datasets" / "products_v1"
HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "sklearn", "great_expectations", "datasets", "fairlearn", "cleanlab",
         "rich", "pydantic", "yaml")
PY = sys.executable

READ_PRODUCTS = (
    "import pandas as pd, sys; "
    f"[pd.read_json(p, lines=True) for p in ({str(PRODUCTS / 'train.jsonl')!r}, {str(PRODUCTS / 'test.jsonl')!r})]"
)

COMMANDS = {
    "python -c 'import click'": [PY, "-c", "import click"],
    "curate --version": [PY, "-m", "curate", "--version"],
    "curate --help": [PY, "-m", "curate", "--help"],
    "pandas: import + read products_v1": [PY, "-c", READ_PRODUCTS],
    "curate check products_v1": [PY, "-m", "curate", "check", str(PRODUCTS), "--no-progress", "--no-cache"],
}
NO_DRIFT = ("schema,duplicates,conflicting_labels,leakage,near_duplicates,balance,label_errors,class_imbalance,"
            "column_quality,text_quality,pii")  # the default suite less drift


def imported(command: list[str]) -> tuple[float, list[str], list[tuple[int, str]]]:
    """(total import seconds, heavy top-level packages imported, top 8 modules by cumulative µs) via -X importtime."""
    proc = subprocess.run([command[0], "-X", "importtime", *command[1:]], capture_output=True, text=True, cwd=REPO)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        rows.append((int(cumulative), name.rstrip()))
    top_level = [(us, name.strip()) for us, name in rows if name.startswith(" ") and not name.startswith("  ")]
    total = sum(us for us, _ in top_level) / 1e6
    names = {name.strip() for _, name in rows}
    heavy = [h for h in HEAVY if h in names]
    return total, heavy, sorted(top_level, reverse=True)[:8]


def files_read(command: list[str]) -> list[str]:
    """Every module file and shared library the command has open or mapped at exit."""
    probe = (
        "import atexit, sys, runpy\n"
        "def _dump():\n"
        "    files = {getattr(m, '__file__', None) for m in list(sys.modules.values())}\n"
        "    with open('/proc/self/maps') as fh:\n"
        "        files |= {l.split()[-1] for l in fh if '/' in l}\n"
        "    sys.__stderr__.write('\\nFILES ' + repr(sorted(f for f in files if f)) + '\\n')\n"
        "atexit.register(_dump)\n"
    )
    if command[1] == "-m":
        code = probe + f"sys.argv = {['curate', *command[3:]]!r}\nrunpy.run_module({command[2]!r}, run_name='__main__')\n"
    else:
        code = probe + command[2]
    proc = subprocess.run([command[0], "-c", code], capture_output=True, text=True, cwd=REPO)
    line = [l for l in proc.stderr.splitlines() if l.startswith("FILES ")]
    return json.loads(line[-1][6:].replace("'", '"')) if line else []


def evict(files: list[str]) -> None:
    for path in files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def timed(command: list[str], runs: int, cold: bool) -> float:
    files = files_read(command) if cold else []
    subprocess.run(command, capture_output=True, cwd=REPO)  # untimed warm-up
    times = []
    for _ in range(runs):
        if cold:
            evict(files)
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one whole run of ``command``."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}")
    return usage.ru_utime + usage.ru_stime, wall


def paired(a: list[str], b: list[str], pairs: int, env_a: dict[str, str], env_b: dict[str, str]) -> dict[str, float]:
    """Medians of A's and B's cpu/wall seconds and of the per-pair A/B ratios (one untimed pair first)."""
    run_once(a, env_a), run_once(b, env_b)
    rows = []
    for _ in range(pairs):
        (a_cpu, a_wall), (b_cpu, b_wall) = run_once(a, env_a), run_once(b, env_b)
        rows.append((a_cpu, b_cpu, a_cpu / b_cpu, a_wall, b_wall, a_wall / b_wall))
    names = ("A cpu", "B cpu", "A/B cpu", "A wall", "B wall", "A/B wall")
    return {name: statistics.median(row[i] for row in rows) for i, name in enumerate(names)}


def paired_table(pairs: int, before: str | None) -> None:
    env = dict(os.environ)
    check = COMMANDS["curate check products_v1"]
    rows = [("curate check products_v1", "pandas: import + read products_v1", check,
             COMMANDS["pandas: import + read products_v1"], env),
            ("curate check products_v1", "the same --only (default suite less drift)", check,
             [*check, "--only", NO_DRIFT], env)]
    if before:
        rows.append(("curate check products_v1", f"the same with PYTHONPATH={before}", check, check,
                     {**env, "PYTHONPATH": before}))
    print(f"\n## paired whole-process runs, {pairs} pairs, medians\n")
    print("| A | B | A cpu s | B cpu s | A/B cpu | A/B wall |\n|---|---|---:|---:|---:|---:|")
    for a_label, b_label, a, b, env_b in rows:
        r = paired(a, b, pairs, env, env_b)
        print(f"| {a_label} | {b_label} | {r['A cpu']:.2f} | {r['B cpu']:.2f} | {r['A/B cpu']:.2f}× | "
              f"{r['A/B wall']:.2f}× |")


def compile_sources(*folders: Path | str) -> None:
    """Bytecode for curate's modules, as `pip install` writes it. Without it an editable checkout on a
    machine with PYTHONDONTWRITEBYTECODE set (this one) compiles every curate module from source on
    every run, a cost no installed copy pays; the installed libraries (pandas, click, ...) have theirs."""
    for folder in folders:
        compileall.compile_dir(str(folder), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pairs", type=int, default=0, help="only the paired A/B table, with this many pairs")
    parser.add_argument("--before", help="src folder of an older checkout, for --pairs")
    args = parser.parse_args()
    compile_sources(REPO / "src", *([args.before] if args.before else []))
    if args.pairs:
        paired_table(args.pairs, args.before)
        return

    print("## imports (python -X importtime)\n")
    for label, command in COMMANDS.items():
        if not label.startswith("curate"):
            continue
        total, heavy, top = imported(command)
        print(f"{label}: {total:.3f} s of imports; heavy packages: {', '.join(heavy) or 'none'}")
        for us, name in top[:5]:
            print(f"    {us / 1e6:7.3f} s  {name.strip()}")
    print(f"\n## whole process, median of {args.runs} (seconds)\n")
    print(f"| command | warm | cold |\n|---|---:|---:|")
    results = {}
    for label, command in COMMANDS.items():
        results[label] = (timed(command, args.runs, False), timed(command, args.runs, True))
        print(f"| {label} | {results[label][0]:.3f} | {results[label][1]:.3f} |")
    for a, b, target in (("curate --version", "python -c 'import click'", 3),
                         ("curate check products_v1", "pandas: import + read products_v1", 2)):
        for i, kind in enumerate(("warm", "cold")):
            ratio = results[a][i] / results[b][i]
            print(f"{a} / {b} ({kind}): {ratio:.2f}× (target ≤ {target}×)")


if __name__ == "__main__":
    main()
