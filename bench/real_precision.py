"""Reviewed precision of curate's findings on the real-data corpus (tests/data/real/).

Runs every corpus run (each dataset with its own suite or the default one, plus the suites in
tests/data/real/suites/), matches each finding to the reviewed verdicts in
tests/data/real/verdicts.csv (check + split + key + column + the related row's key), and prints
per family: findings, how many are reviewed, precision over the reviewed ones, and the floor.

    python bench/real_precision.py                 # the table (per family, then per dataset)
    python bench/real_precision.py --markdown      # the same as markdown, for bench/RESULTS.md
    python bench/real_precision.py --review RUN CHECK [--n 30]
        # print a seeded sample of unreviewed findings of one run and family, with the rows'
        # content side by side, as draft verdicts.csv lines to judge by reading the rows
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

REAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "real"
sys.path.insert(0, str(REAL))
import real_corpus as rc  # noqa: E402

from curate.errors import CurateError  # noqa: E402


def run_all(scratch: Path) -> tuple[dict, dict[str, str]]:
    reports, failed = {}, {}
    for name, r in rc.RUNS.items():
        try:
            reports[name] = r.report(scratch)
        except CurateError as exc:
            failed[name] = str(exc)
    return reports, failed


def _fmt(p: float | None) -> str:
    return "—" if p is None else f"{p:.3f}"


def print_table(reports: dict, failed: dict, markdown: bool) -> None:
    scores, unreviewed = rc.score(reports, rc.load_verdicts())
    rows = [("family", "findings", "reviewed", "true", "precision", "floor")]
    for family, t in sorted(rc.by_family(scores).items()):
        floor = rc.FLOORS.get(family, rc.DEFAULT_FLOOR)
        rows.append((family, t.findings, t.reviewed, t.true, _fmt(t.precision), f"{floor:.2f}"))
    detail = [("run", "family", "findings", "reviewed", "needed", "true", "precision")]
    for s in sorted(scores, key=lambda s: (s.dataset, s.check)):
        detail.append((s.dataset, s.check, s.findings, s.reviewed, s.needed, s.true, _fmt(s.precision)))
    for table in (rows, detail):
        if markdown:
            print("| " + " | ".join(map(str, table[0])) + " |")
            print("|" + "---|" * len(table[0]))
            for r in table[1:]:
                print("| " + " | ".join(map(str, r)) + " |")
        else:
            widths = [max(len(str(r[i])) for r in table) for i in range(len(table[0]))]
            for r in table:
                print("  ".join(str(v).ljust(w) for v, w in zip(r, widths)))
        print()
    quiet = [n for n in reports if not any(s.dataset == n for s in scores)]
    print(f"runs without findings: {', '.join(quiet) or 'none'}")
    for name, err in failed.items():
        print(f"not loadable: {name}: {err}")
    print(f"unreviewed findings: {len(unreviewed)}")


def _content(report, dataset: str, scratch: Path, split: str, row: int, column: str | None) -> str:
    from curate.runner import load_suite_and_dataset

    key = (dataset, split)
    if key not in _frames:
        _, data = load_suite_and_dataset(rc.folder(dataset, scratch), None, None)
        for s in data.splits:
            _frames[(dataset, s)] = data.split(s).frame
    values = _frames[key].iloc[row]
    if column:
        return str(values[column])
    return " | ".join(f"{k}={v}" for k, v in values.items())


_frames: dict = {}


def review(reports: dict, name: str, check: str, n: int, scratch: Path) -> None:
    verdicts = rc.load_verdicts()
    dataset = rc.RUNS[name].dataset
    found = [f for r in reports[name].results if r.check == check for f in r.findings]
    todo = sorted((f for f in found if rc.finding_id(name, check, f) not in verdicts), key=lambda f: f.key or "")
    random.Random(f"{name}:{check}").shuffle(todo)
    print(f"# {len(todo)} of {len(found)} {check} findings of {name} unreviewed; showing {min(n, len(todo))}")
    writer = csv.writer(sys.stdout, lineterminator="\n")
    for f in todo[:n]:
        rel = f.related[0] if f.related else None
        if f.row is None:  # a column- or group-level finding (column_quality, balance): its message says it all
            print(f"#   {f.message}")
            writer.writerow([*rc.finding_id(name, check, f), "", ""])
            continue
        text = _content(reports[name], dataset, scratch, f.split, f.row, f.column)
        print(f"# row {f.row} score {f.score}: {text!r}")
        if rel:
            other = _content(reports[name], dataset, scratch, rel.split, rel.row, f.column)
            jac = f" jaccard {rc.jaccard(text, other):.3f}" if f.column else ""
            print(f"#   vs {rel.split}:{rel.row}{jac}: {other!r}")
        print(f"#   {f.message}")
        writer.writerow([*rc.finding_id(name, check, f), "", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--review", nargs=2, metavar=("RUN", "CHECK"))
    parser.add_argument("--n", type=int, default=rc.MIN_REVIEWED)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        reports, failed = run_all(Path(tmp))
        if args.review:
            review(reports, *args.review, args.n, Path(tmp))
        else:
            print_table(reports, failed, args.markdown)


if __name__ == "__main__":
    main()
