"""Hostile corrections files, command-line misuse, data safety and bounded memory.

Corrections files come from strangers (a contributor's `curate fix` output); the command-line
flags are the user's own, but a mistake with them (``--output`` onto the data, a second
``--in-place`` with the same ``--backup-dir``, a full disk) must never lose data or crash.
Memory limits are enforced with ``resource.setrlimit`` in a child process.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hostile import SUITE_DUPLICATES, assert_outcome, build, cli, sms_rows, snapshot, to_csv

ROWS = sms_rows(40)
SRC = Path(__file__).resolve().parents[1] / "src"


def _dataset(tmp_path: Path) -> Path:
    return build(tmp_path / "ds", {"train.csv": to_csv(ROWS + ROWS[:2]), "curate.yaml": SUITE_DUPLICATES})


def _corrections(tmp_path: Path, root: Path) -> Path:
    """Real corrections for ``root``: `curate fix`'s own, every line accepted."""
    out = tmp_path / "fixed"
    assert_outcome(cli("fix", root, "--out", out, "--bundle", "none", "--no-progress"), 0)
    lines = [json.loads(line) for line in (out / "corrections.jsonl").read_text().splitlines()]
    assert lines, "the planted duplicates give corrections"
    path = tmp_path / "accepted.jsonl"
    path.write_text("".join(json.dumps({**c, "status": "accepted"}) + "\n" for c in lines))
    return path


# ---------------------------------------------------------------- hostile corrections files


def _line(**changes: object) -> str:
    base = {"id": "c1", "check": "duplicates", "split": "train", "row": 40, "key": "m0", "op": "delete",
            "column": None, "old": ROWS[0], "new": None, "confidence": 1.0, "reason": "r", "status": "accepted"}
    return json.dumps({**base, **changes}) + "\n"


CORRECTIONS: list[tuple[str, str | bytes, str | None]] = [
    ("not_json", "this is not json\n", None),
    ("json_array", "[1, 2, 3]\n", None),
    ("truncated_line", _line()[:40] + "\n", None),
    ("not_utf8", _line(reason="caf\xe9").encode("latin-1"), None),
    ("deep_json", "[" * 100_000 + "]" * 100_000 + "\n", None),
    ("unknown_op", _line(op="drop_table"), None),
    ("missing_fields", '{"id": "c1"}\n', None),
    ("unknown_split_esc", _line(split="\x1b[2Jtrain"), None),
    ("unknown_key_command", _line(key="::set-env name=A::b"), None),
    ("unknown_column_newline", _line(op="update", column="text\n::error::x", old="a", new="b"), None),
    ("stale_old", _line(old={"id": "m0", "label": "spam", "text": "changed"}), None),
    ("confidence_string", _line(confidence="high"), None),
    ("status_bogus", _line(status="<script>"), None),
    ("path_traversal_key", _line(key="../../outside"), None),
]


@pytest.mark.parametrize("name, content, error", CORRECTIONS, ids=[c[0] for c in CORRECTIONS])
def test_hostile_corrections_file(tmp_path: Path, name: str, content: str | bytes, error: str | None) -> None:
    root = _dataset(tmp_path)
    corrections = tmp_path / "c.jsonl"
    corrections.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = {root: snapshot(root)}
    for mode in (["--out", tmp_path / "copy"], ["--in-place"]):
        result = cli("apply", root, corrections, *mode)
        assert_outcome(result, 2, roots=before, error=error)
    assert not (tmp_path / "copy").exists()


def test_apply_in_place_never_overwrites_a_backup(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    original = snapshot(root)
    corrections = _corrections(tmp_path, root)
    backups = tmp_path / "B"
    assert_outcome(cli("apply", root, corrections, "--in-place", "--backup-dir", backups), 0)
    first = snapshot(backups)
    assert first["train.csv"] == original["train.csv"]
    (root / "train.csv").write_bytes(original["train.csv"])  # the owner restores and applies again
    assert_outcome(cli("apply", root, corrections, "--in-place", "--backup-dir", backups), 0)
    after = snapshot(backups)
    assert {k: v for k, v in after.items() if k in first} == first  # the first backup is untouched
    assert len(after) == 2 * len(first)  # the second one went to a new timestamped folder


@pytest.mark.parametrize("backup", ["/proc/curate-backup", "/dev/null/x"])
def test_unwritable_backup_dir_is_a_located_error(tmp_path: Path, backup: str) -> None:
    root = _dataset(tmp_path)
    corrections = _corrections(tmp_path, root)
    before = {root: snapshot(root)}
    result = cli("apply", root, corrections, "--in-place", "--backup-dir", backup)
    assert_outcome(result, 2, roots=before, error="cannot write the backup")
    assert not list(root.glob(".curate-tmp-*"))


# ---------------------------------------------------------------- --output and --report safety


def test_output_onto_a_data_file_is_refused(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    before = {root: snapshot(root)}
    for args in (["--output", root / "train.csv"], ["--report", f"json={root / 'train.csv'}"],
                 ["--output", root / "report.md"], ["--output", root / "sub" / "r.json"]):
        assert_outcome(cli("check", root, "--no-cache", *args), 2, roots=before, error="inside the dataset folder")


def test_output_inside_the_folder_with_force(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    data = (root / "train.csv").read_bytes()
    assert_outcome(cli("check", root, "--no-cache", "--force", "--format", "json", "--output", root / "r.json"), 1)
    assert json.loads((root / "r.json").read_text())["results"] and (root / "train.csv").read_bytes() == data


def test_output_onto_a_single_file_dataset_is_refused_even_with_force(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    before = {root: snapshot(root)}
    result = cli("check", root / "train.csv", "--no-cache", "--force", "--output", root / "train.csv")
    assert_outcome(result, 2, roots=before, error="the dataset file itself")
    result = cli("check", root / "train.csv", "--no-cache", "--suite", root / "curate.yaml", "--output", tmp_path / "r.txt")
    assert_outcome(result, 1, roots=before)


def test_diff_output_into_either_version_is_refused(tmp_path: Path) -> None:
    old = build(tmp_path / "old", {"train.csv": to_csv(ROWS)})
    new = build(tmp_path / "new", {"train.csv": to_csv(ROWS[:-1])})
    before = {old: snapshot(old), new: snapshot(new)}
    for target in (old / "train.csv", new / "train.csv"):
        assert_outcome(cli("diff", old, new, "--output", target), 2, roots=before, error="inside the dataset folder")


MISUSE: list[tuple[str, list[str], str | None]] = [
    ("missing_dataset", ["check", "{tmp}/nope"], "no such file or directory"),
    ("missing_suite", ["check", "{root}", "--suite", "{tmp}/nope.yaml"], "suite file not found"),
    ("unknown_builtin", ["check", "{root}", "--suite", "builtin:nope"], "unknown built-in suite"),
    ("bad_format", ["check", "{root}", "--format", "html5"], None),
    ("bad_report_pair", ["check", "{root}", "--report", "nonsense"], None),
    ("only_unknown", ["check", "{root}", "--only", "dupes"], "unknown check"),
    ("unsupported_file", ["check", "{root}/curate.yaml"], "unsupported file type"),
    ("fix_out_is_data", ["fix", "{root}", "--out", "{root}"], None),
    ("apply_both_modes", ["apply", "{root}", "{tmp}/c.jsonl", "--out", "{tmp}/o", "--in-place"], None),
    ("apply_missing_corrections", ["apply", "{root}", "{tmp}/none.jsonl", "--in-place"], None),
]


@pytest.mark.parametrize("name, args, error", MISUSE, ids=[m[0] for m in MISUSE])
def test_cli_misuse_is_one_line(tmp_path: Path, name: str, args: list[str], error: str | None) -> None:
    root = _dataset(tmp_path)
    (tmp_path / "c.jsonl").write_text("")
    before = {root: snapshot(root)}
    result = cli(*[a.format(tmp=tmp_path, root=root) for a in args])
    assert_outcome(result, 2, roots=before, error=error)


# ---------------------------------------------------------------- subprocesses: a full stdout, memory limits


def _run(args: list[str], *, memory: int | None = None, stdout: object = subprocess.PIPE,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    def limit() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    full_env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", **(env or {}))
    return subprocess.run([sys.executable, "-m", "curate", *args], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, preexec_fn=limit, env=full_env, timeout=600)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_stdout_is_a_one_line_error(tmp_path: Path) -> None:
    root = _dataset(tmp_path)
    with open("/dev/full", "w") as full:
        done = _run(["check", str(root), "--no-cache", "--format", "json"], stdout=full)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "No space left on device" in done.stderr, done.stderr
    assert done.stderr.startswith("curate: error:") and "internal error" not in done.stderr, done.stderr


MEMORY = 1024**3  # the child's address space; an unbounded read of the inputs below needs several times more


def test_gzip_bomb_is_refused_within_a_memory_limit(tmp_path: Path) -> None:
    """256 MiB of CSV in ~250 KB of gzip: unbounded, pandas would need far more than MEMORY."""
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"1,2\n" * (1 << 20)
    data = pack.compress(b"a,b\n") + b"".join(pack.compress(chunk) for _ in range(64)) + pack.flush()
    root = build(tmp_path / "ds", {"train.csv.gz": data, "curate.yaml": SUITE_DUPLICATES})
    assert len(data) < 1024 * 1024 and len(gzip.decompress(data)) == 256 * 1024 * 1024 + 4
    done = _run(["check", str(root), "--no-cache", "--no-progress"], memory=MEMORY)
    assert done.returncode == 2, done.stderr
    assert "decompresses to more than" in done.stderr and done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize("where", ["suite", "card"])
def test_yaml_bomb_is_refused_within_a_memory_limit(tmp_path: Path, where: str) -> None:
    bomb = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 10):
        bomb += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n"
    files = {"train.csv": to_csv(ROWS)}
    files.update({"curate.yaml": bomb} if where == "suite" else {"README.md": f"---\n{bomb}---\n"})
    root = build(tmp_path / "ds", files)
    done = _run(["check", str(root), "--no-cache", "--no-progress"], memory=MEMORY)
    assert done.returncode == 2 and "alias bomb" in done.stderr and done.stderr.count("\n") == 1, done.stderr
