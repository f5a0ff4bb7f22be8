"""Hostile and malformed datasets: encodings, table shapes, compression, layouts, confinement.

Each case builds a dataset folder ``ds`` (and, beside it, an ``outside`` folder holding a secret
that must never be read), runs ``curate check`` on it, and asserts the common properties of
tests/hostile.py plus its own: the exit code and the located error it names.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import re
import zipfile
from pathlib import Path
from typing import Callable

import pytest
from hostile import SUITE_DUPLICATES, assert_outcome, build, cli, sms_rows, snapshot, to_csv, to_jsonl

OK = (0, 1)  # the checks ran (pass or fail); the point is that loading worked
SECRET = "TOPSECRET-7f3a"
ROWS = sms_rows()
CSV = to_csv(ROWS)
LATIN1 = to_csv(ROWS[:6] + [{"id": "m99", "label": "ham", "text": "café crème brûlée"}]).encode("latin-1")


def _parquet(rows: list[dict]) -> bytes:
    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame(rows).to_parquet(buffer)
    return buffer.getvalue()


def _parquet_bad_row_group(rows: list[dict]) -> bytes:
    """Real rows in row groups of 4, uncompressed, with bytes in the middle of the data overwritten:
    the footer reads, a row group does not decode."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False), buffer, row_group_size=4,
                   compression="none")
    data = bytearray(buffer.getvalue())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xff" * 64
    return bytes(data)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _card(yaml_text: str) -> str:
    return f"---\n{yaml_text}\n---\n# a card\n"


def _kaggle(resources: object, **extra: object) -> str:
    return json.dumps({"title": "t", "id": "someone/data", "resources": resources, **extra})


def _bomb_yaml(levels: int = 7) -> str:
    text = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n"
    return text


# (id, files of ds, exit code(s), text the error must contain)
CASES: list[tuple[str, dict[str, bytes | str], int | tuple[int, ...], str | None]] = [
    # ---------------------------------------------------------------- encodings
    ("latin1_csv", {"train.csv": LATIN1}, 2, "cannot decode byte 0x"),
    ("latin1_jsonl", {"train.jsonl": to_jsonl(ROWS[:5]).encode() + '{"id": "x", "text": "caf\xe9"}\n'.encode("latin-1")},
     2, "cannot decode"),
    ("latin1_json", {"train.json": json.dumps([{"id": "a", "text": "é"}], ensure_ascii=False).encode("latin-1")},
     2, "cannot decode"),
    ("latin1_declared", {"train.csv": LATIN1, "curate.yaml": "dataset: {encoding: latin-1}\n" + SUITE_DUPLICATES},
     OK, None),
    ("cp1252_declared", {"train.csv": to_csv([{"id": "1", "text": "\u201cquoted\u201d"}] * 2).encode("cp1252"),
                         "curate.yaml": "dataset: {encoding: cp1252}\n" + SUITE_DUPLICATES}, OK, None),
    ("unknown_encoding", {"train.csv": CSV, "curate.yaml": "dataset: {encoding: klingon-8}\n" + SUITE_DUPLICATES},
     2, "unknown encoding 'klingon-8'"),
    ("utf16_bom", {"train.csv": CSV.encode("utf-16")}, 2, "cannot decode"),
    ("utf8_bom", {"train.csv": b"\xef\xbb\xbf" + CSV.encode()}, OK, None),
    ("overlong_utf8", {"train.csv": b"id,text\n1,\xc0\xaf\n"}, 2, "cannot decode byte 0xc0"),
    ("surrogate_utf8", {"train.csv": b"id,text\n1,\xed\xa0\x80\n"}, 2, "cannot decode"),
    ("bad_header_byte", {"train.csv": b"id,t\xffxt\n1,a\n"}, 2, ":1:"),
    ("latin1_gz", {"train.csv.gz": gzip.compress(LATIN1)}, 2, "cannot decode"),
    ("nul_bytes", {"train.csv": b"id,text\n1,a\x00b\n2,c\n"}, OK, None),
    ("cr_only_lines", {"train.csv": CSV.replace("\n", "\r")}, OK, None),
    ("control_chars_in_cells", {"train.csv": to_csv([{"id": "1", "text": "\x1b[2Jx\x07"}] * 3)}, OK, None),
    # ---------------------------------------------------------------- table shapes
    ("empty_file", {"train.csv": b""}, 2, "file is empty"),
    ("whitespace_only", {"train.csv": b"\n\n  \n"}, 2, "empty"),
    ("header_only", {"train.csv": "id,label,text\n"}, (0, 1, 2), None),
    ("ragged_rows", {"train.csv": "id,text\n1,a\n2,b,c,d\n"}, 2, "malformed CSV"),
    ("unterminated_quote", {"train.csv": 'id,text\n1,"abc\n2,d\n'}, (0, 1, 2), None),
    ("duplicate_headers", {"train.csv": "id,text,text\n1,a,b\n2,a,b\n"}, OK, None),
    ("single_column", {"train.csv": "text\n" + "".join(r["text"].replace('"', "") + "\n" for r in ROWS[:8])}, OK, None),
    ("wide_table", {"train.csv": ",".join(f"c{i}" for i in range(300)) + "\n" + ",".join("1" * 300) + "\n"}, OK, None),
    ("long_cell", {"train.csv": "id,text\n1," + "x" * 1_000_000 + "\n2,y\n"}, OK, None),
    ("quoted_newlines", {"train.csv": 'id,text\n1,"a\nb"\n2,"c\n\nd"\n'}, OK, None),
    ("json_scalar", {"train.json": "42"}, 2, "expected a list of JSON objects"),
    ("json_list_of_ints", {"train.json": "[1, 2, 3]"}, 2, "expected a list of JSON objects"),
    ("json_truncated", {"train.json": '[{"id": 1}, {"id": '}, 2, "malformed JSON"),
    ("json_deep", {"train.json": "[" * 100_000 + "]" * 100_000}, 2, "nested too deeply"),
    ("jsonl_array_line", {"train.jsonl": '{"id": 1}\n[1, 2]\n'}, 2, "expected a JSON object on each line"),
    ("jsonl_syntax_line3", {"train.jsonl": '{"id": 1}\n{"id": 2}\n{"id": \n'}, 2, ":3:"),
    ("jsonl_blank_lines", {"train.jsonl": '\n{"id": 1, "text": "a"}\n\n{"id": 2, "text": "a"}\n\n'}, OK, None),
    ("parquet_garbage", {"train.parquet": b"PAR1 not really"}, 2, "not a readable Parquet file"),
    ("parquet_truncated", {"train.parquet": _parquet(ROWS)[:300]}, 2, "not a readable Parquet file"),
    ("parquet_bad_row_group", {"train.parquet": _parquet_bad_row_group(ROWS)}, 2, "not a readable Parquet file"),
    # ---------------------------------------------------------------- compression
    ("gz_valid", {"train.csv.gz": gzip.compress(CSV.encode())}, OK, None),
    ("bz2_valid", {"train.csv.bz2": bz2.compress(CSV.encode())}, OK, None),
    ("xz_jsonl_valid", {"train.jsonl.xz": lzma.compress(to_jsonl(ROWS).encode())}, OK, None),
    ("gz_json_valid", {"train.json.gz": gzip.compress(json.dumps(ROWS).encode())}, OK, None),
    ("zip_valid", {"train.csv.zip": _zip({"train.csv": CSV.encode()})}, OK, None),
    ("gz_not_gzip", {"train.csv.gz": CSV.encode()}, 2, "cannot decompress"),
    ("gz_truncated", {"train.csv.gz": gzip.compress(CSV.encode())[:-30]}, 2, "cannot decompress"),
    ("gz_jsonl_truncated", {"train.jsonl.gz": gzip.compress(to_jsonl(ROWS).encode())[:-30]}, 2, "cannot decompress"),
    ("bz2_garbage", {"train.csv.bz2": b"BZh9 garbage garbage"}, 2, "cannot decompress"),
    ("xz_garbage", {"train.csv.xz": b"\xfd7zXZ\x00garbage"}, 2, "cannot decompress"),
    ("zst_without_codec", {"train.csv.zst": b"\x28\xb5\x2f\xfd garbage"}, 2, "zstandard"),
    ("zip_two_members", {"train.csv.zip": _zip({"a.csv": b"id\n1\n", "b.csv": b"id\n2\n"})}, 2, "exactly one file"),
    ("zip_empty", {"train.csv.zip": _zip({})}, 2, "exactly one file"),
    ("zip_garbage", {"train.csv.zip": b"PK\x03\x04 garbage"}, 2, "cannot decompress"),
    ("gz_ratio_bomb", {"train.csv.gz": gzip.compress(b"id\n" + b"1\n" * 20_000_000)}, 2, "decompresses to more than"),
    # ---------------------------------------------------------------- Hugging Face layouts
    ("card_data_files_parent", {"README.md": _card("configs:\n- config_name: default\n  data_files: ../outside/*.csv")},
     2, "outside the dataset folder"),
    ("card_data_files_split_parent", {"README.md": _card(
        "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: ../outside/secret.csv"),
        "train.csv": CSV}, 2, "outside the dataset folder"),
    ("card_data_files_url", {"README.md": _card(
        "configs:\n- config_name: default\n  data_files: https://example.invalid/x.csv")}, 2, "URL"),
    ("card_data_files_hf_url", {"README.md": _card(
        "configs:\n- config_name: default\n  data_files: hf://datasets/someone/else/x.csv")}, 2, "URL"),
    ("card_data_files_chain", {"README.md": _card(
        "configs:\n- config_name: default\n  data_files: zip://x.csv::data.zip"), "data.zip": _zip({"x.csv": b"a\n1\n"})},
     2, "chained"),
    ("card_data_dir_parent", {"README.md": _card("configs:\n- config_name: default\n  data_dir: ../outside"),
                              "train.csv": CSV}, 2, "outside the dataset folder"),
    ("card_yaml_bomb", {"README.md": _card(_bomb_yaml()), "train.csv": CSV}, 2, "alias bomb"),
    ("card_yaml_deep", {"README.md": _card("a: " + "[" * 3000 + "]" * 3000), "train.csv": CSV}, 2, "deeper than"),
    ("card_yaml_invalid", {"README.md": _card("configs: [unclosed"), "train.csv": CSV}, 2, "card"),
    ("card_not_utf8", {"README.md": "---\nlicense: caf\xe9\n---\n".encode("latin-1"), "train.csv": CSV}, 2, "UTF-8"),
    ("card_two_configs_no_default", {"README.md": _card(
        "configs:\n- config_name: a\n  data_files: a.csv\n- config_name: b\n  data_files: b.csv"),
        "a.csv": CSV, "b.csv": CSV}, 2, "several configs"),
    ("card_python_tag", {"README.md": _card("x: !!python/object/apply:os.system ['echo pwned']"), "train.csv": CSV},
     2, "card"),
    ("no_data_files", {"notes.txt": "hello"}, 2, None),
    ("images_only", {"a.png": b"\x89PNG", "b.jpg": b"\xff\xd8"}, 2, None),
    # ---------------------------------------------------------------- Kaggle layouts
    ("kaggle_parent_path", {"dataset-metadata.json": _kaggle([{"path": "../outside/secret.csv"}])},
     2, "outside the dataset folder"),
    ("kaggle_absolute_path", {"dataset-metadata.json": _kaggle([{"path": "/etc/hostname"}])},
     2, "outside the dataset folder"),
    ("kaggle_url_path", {"dataset-metadata.json": _kaggle([{"path": "https://example.invalid/x.csv"}])}, 2, "URL"),
    ("kaggle_chain_path", {"dataset-metadata.json": _kaggle([{"path": "a.csv::b"}])}, 2, "chained"),
    ("kaggle_path_not_string", {"dataset-metadata.json": _kaggle([{"path": 42}])}, 2, "must be a string"),
    ("kaggle_path_missing", {"dataset-metadata.json": _kaggle([{"path": "nope.csv"}])}, 2, "does not exist"),
    ("kaggle_resource_no_path", {"dataset-metadata.json": _kaggle([{}])}, 2, "has no 'path'"),
    ("kaggle_resources_dict", {"dataset-metadata.json": _kaggle({"path": "a.csv"}), "a.csv": CSV}, 2, "must be a list"),
    ("kaggle_schema_list", {"dataset-metadata.json": _kaggle([{"path": "a.csv", "schema": ["id"]}]), "a.csv": CSV},
     2, "schema must be an object"),
    ("kaggle_fields_dict", {"dataset-metadata.json": _kaggle([{"path": "a.csv", "schema": {"fields": {"a": 1}}}]),
                            "a.csv": CSV}, 2, "schema must be an object"),
    ("kaggle_metadata_array", {"dataset-metadata.json": "[]", "a.csv": CSV}, 2, "expected a JSON object"),
    ("kaggle_metadata_invalid", {"dataset-metadata.json": '{"title": "t",\n "id": }', "a.csv": CSV}, 2, ":2:"),
    ("kaggle_metadata_latin1", {"dataset-metadata.json": '{"title": "caf\xe9"}'.encode("latin-1"), "a.csv": CSV},
     2, "UTF-8"),
    ("kaggle_ok", {"dataset-metadata.json": _kaggle([{"path": "train.csv"}]), "train.csv": CSV}, OK, None),
    ("kaggle_schema_ok", {"dataset-metadata.json": _kaggle(
        [{"path": "train.csv", "schema": {"fields": [{"name": "id", "type": "string"}]}}]), "train.csv": CSV}, OK, None),
]


def _prepare(tmp_path: Path, files: dict[str, bytes | str]) -> tuple[Path, Path]:
    outside = build(tmp_path / "outside", {"secret.csv": f"id,text\n1,{SECRET}\n2,{SECRET}\n"})
    root = build(tmp_path / "ds", files)
    suite = tmp_path / "suite.yaml"
    suite.write_text(SUITE_DUPLICATES)
    return root, outside


def _case(tmp_path: Path, name: str, files: dict) -> tuple[list, dict[str, str] | None, dict[Path, dict[str, bytes]]]:
    """A hostile case's folder: the command's arguments, its environment, and the folders' bytes before."""
    root, outside = _prepare(tmp_path, files)
    before = {root: snapshot(root), outside: snapshot(outside)}
    args = ["check", root, "--no-cache", "--no-progress", "--format", "github"]
    if not (root / "curate.yaml").exists():
        args += ["--suite", tmp_path / "suite.yaml"]
    env = {"CURATE_MAX_DECOMPRESSED": str(64 * 1024 * 1024)} if name == "gz_ratio_bomb" else None
    return args, env, before


@pytest.mark.parametrize("name, files, code, error", CASES, ids=[c[0] for c in CASES])
def test_hostile_dataset(tmp_path: Path, name: str, files: dict, code: int | tuple[int, ...], error: str | None) -> None:
    args, env, before = _case(tmp_path, name, files)
    result = cli(*args, env=env)
    assert_outcome(result, code, roots=before, error=error)
    assert SECRET not in result.stdout + result.stderr  # nothing outside the folder was read


@pytest.fixture(scope="module")
def dask_scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


# how each other engine is asked for: streamed splits re-read the files a few rows at a time on every
# pass; the Dask engine's workers read them (a cluster in this process) and send their errors back
ENGINES = {
    "streamed": lambda request: ["--max-partition-rows", "3"],
    "dask": lambda request: ["--engine", "dask", "--scheduler", request.getfixturevalue("dask_scheduler")],
}


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("name, files, code, error", CASES, ids=[c[0] for c in CASES])
def test_hostile_dataset_on_another_engine(request: pytest.FixtureRequest, tmp_path: Path, engine: str, name: str,
                                           files: dict, code: int | tuple[int, ...], error: str | None) -> None:
    """The same promises, and the loaded run's exit code and message, whichever engine reads the files."""
    args, env, before = _case(tmp_path, name, files)
    result = cli(*args, *ENGINES[engine](request), env=env)
    assert_outcome(result, code, roots=before, error=error)
    assert SECRET not in result.stdout + result.stderr
    loaded = cli(*args, env=env)
    shown = re.sub(r" \(row group \d+\)$", "", result.stderr.rstrip("\n")) + "\n" if result.stderr else ""
    assert (result.exit_code, shown) == (loaded.exit_code, loaded.stderr)  # the Dask engine may name the row group


# ---------------------------------------------------------------- symbolic links and odd folder names


def _link(tmp_path: Path, layout: str, target: str) -> Path:
    """A dataset whose train.csv (or data/ folder) is a symbolic link to the outside folder."""
    root, outside = _prepare(tmp_path, {"test.csv": CSV})
    if target == "file":
        (root / "train.csv").symlink_to(outside / "secret.csv")
        rel = "train.csv"
    else:
        (root / "data").symlink_to(outside, target_is_directory=True)
        rel = "data/secret.csv"
    if layout == "kaggle":
        (root / "dataset-metadata.json").write_text(_kaggle([{"path": rel}, {"path": "test.csv"}]))
    elif layout == "kaggle_listing":
        (root / "dataset-metadata.json").write_text(json.dumps({"title": "t", "id": "someone/data"}))
    elif layout == "card":
        (root / "README.md").write_text(_card(
            f"configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: {rel}"))
    return root


LINK_CASES = [(layout, target) for layout in ("files", "card", "kaggle", "kaggle_listing") for target in ("file", "dir")]


@pytest.mark.parametrize("layout, target", LINK_CASES, ids=[f"{a}-{b}" for a, b in LINK_CASES])
def test_symlink_out_of_the_folder_is_refused(tmp_path: Path, layout: str, target: str) -> None:
    root = _link(tmp_path, layout, target)
    before = {root: snapshot(root)}
    result = cli("check", root, "--no-cache", "--suite", tmp_path / "suite.yaml")
    if layout in ("files", "kaggle_listing") and target == "dir":  # listings do not descend into a linked folder
        assert_outcome(result, (0, 1, 2), roots=before)
    else:
        assert_outcome(result, 2, roots=before, error="outside the dataset folder")
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("layout", ["files", "kaggle", "card"])
def test_follow_symlinks_reads_the_link(tmp_path: Path, layout: str) -> None:
    root = _link(tmp_path, layout, "file")
    before = {root: snapshot(root)}
    result = cli("check", root, "--no-cache", "--follow-symlinks", "--suite", tmp_path / "suite.yaml",
                 "--format", "json")
    assert_outcome(result, (0, 1), roots=before)
    assert json.loads(result.stdout)["dataset"]["splits"]["train"]["rows"] == 2


@pytest.mark.parametrize("follow", [False, True], ids=["default", "follow_symlinks"])
def test_fix_never_copies_a_link_out_of_the_folder(tmp_path: Path, follow: bool) -> None:
    """`fix` mirrors the dataset into an upload bundle: a linked outside file must never land in it."""
    root = _link(tmp_path, "files", "file")
    before = {root: snapshot(root)}
    out = tmp_path / "out"
    args = ["fix", root, "--out", out, "--bundle", "all", "--no-progress", "--suite", tmp_path / "suite.yaml",
            "--max-change", "1", *(["--follow-symlinks"] if follow else [])]  # the link's rows are duplicates
    assert_outcome(cli(*args), 2, roots=before, error="outside the dataset folder")
    assert not any(SECRET.encode() in p.read_bytes() for p in out.rglob("*") if p.is_file())


@pytest.mark.parametrize("kind", ["card", "suite"])
def test_linked_card_or_suite_is_refused(tmp_path: Path, kind: str) -> None:
    root, outside = _prepare(tmp_path, {"train.csv": CSV})
    (outside / "curate.yaml").write_text(SUITE_DUPLICATES)
    (outside / "README.md").write_text(_card("license: mit"))
    name = "README.md" if kind == "card" else "curate.yaml"
    (root / name).symlink_to(outside / name)
    result = cli("check", root, "--no-cache")
    assert_outcome(result, 2, roots={root: snapshot(root)}, error="outside the dataset folder")


FOLDER_NAMES = ["x::y", "br[1]", "star*name", "q?mark", "brace{a,b}", "sp ace", "hash#tag", "percent%41", "caf\u00e9"]


@pytest.mark.parametrize("folder", FOLDER_NAMES)
def test_folder_names_are_paths_not_urls_or_globs(tmp_path: Path, folder: str) -> None:
    root = build(tmp_path / folder, {"train.csv": CSV, "test.csv": to_csv(ROWS[:5])})
    before = {root: snapshot(root)}
    result = cli("check", root, "--no-cache", "--suite", build(tmp_path / "s", {"s.yaml": SUITE_DUPLICATES}) / "s.yaml",
                 "--format", "json")
    assert_outcome(result, (0, 1), roots=before)
    splits = json.loads(result.stdout)["dataset"]["splits"]
    assert splits["train"]["rows"] == len(ROWS) and splits["test"]["rows"] == 5


HOSTILE_NAMES = {"esc": "a\x1b[2Jb", "command": "::error::pwned", "newline": "a\n::set-env name=X::1", "osc": "\x1b]0;t\x07"}


@pytest.mark.parametrize("kind", list(HOSTILE_NAMES))
def test_hostile_file_names_are_escaped_in_errors(tmp_path: Path, kind: str) -> None:
    name = HOSTILE_NAMES[kind].replace("/", "_")
    root = build(tmp_path / "ds", {f"{name}.csv": b"id,text\n1,\xff\n"})
    result = cli("check", root, "--no-cache", "--suite", _prepare(tmp_path, {})[0].parent / "suite.yaml")
    # datasets' resolver cannot list names with '::' or a newline: a located error, still escaped
    assert_outcome(result, 2, roots={root: snapshot(root)}, error="cannot decode" if kind in ("esc", "osc") else None)


@pytest.mark.parametrize("kind", list(HOSTILE_NAMES))
def test_hostile_dataset_path_is_escaped(tmp_path: Path, kind: str) -> None:
    result = cli("check", tmp_path / HOSTILE_NAMES[kind], "--no-cache")
    assert_outcome(result, 2, error="no such file or directory")


def _never_called(*args: object, **kwargs: object) -> None:  # pragma: no cover - only runs on a regression
    raise AssertionError("fsspec was asked to open a local path")


def test_local_paths_never_reach_fsspec_url_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder named 'x::y' would be split into a URL chain by fsspec: curate hands it an alias."""
    import fsspec.core

    seen: list[str] = []
    real: Callable = fsspec.core.url_to_fs

    def spy(url: str, *args: object, **kwargs: object) -> object:
        seen.append(str(url))
        return real(url, *args, **kwargs)

    monkeypatch.setattr(fsspec.core, "url_to_fs", spy)
    root = build(tmp_path / "x::y", {"train.csv": CSV})
    result = cli("check", root, "--no-cache", "--suite", _prepare(tmp_path, {})[0].parent / "suite.yaml")
    assert_outcome(result, (0, 1))
    assert not any("::" in url for url in seen), seen
    assert os.path.exists(root / "train.csv")


@pytest.mark.parametrize("name", ["curate.lock.json", "curate.baseline.json"])
def test_linked_lock_or_baseline_is_refused(tmp_path: Path, name: str) -> None:
    root, outside = _prepare(tmp_path, {"train.csv": CSV})
    (outside / name).write_text("{}")
    (root / name).symlink_to(outside / name)
    suite = tmp_path / "s.yaml"
    suite.write_text("checks:\n  - schema: {}\n")
    result = cli("check", root, "--no-cache", "--suite", suite)
    assert_outcome(result, 2, roots={root: snapshot(root)}, error="outside the dataset folder")


# ---------------------------------------------------------------- the suite's `files:` reading option

FILES_ESCAPES = {
    "dotdot": "../outside/secret.csv",
    "absolute": "{outside}/secret.csv",
    "glob_up": "../*/secret.csv",
    "glob_deep_up": "**/../../outside/*.csv",
    "url": "file://{outside}/secret.csv",
    "chain": "simplecache::{outside}/secret.csv",
}


@pytest.mark.parametrize("kind", list(FILES_ESCAPES))
def test_suite_files_outside_the_folder_are_refused(tmp_path: Path, kind: str) -> None:
    """A dataset's own curate.yaml is untrusted: its `files:` paths and globs stay in the folder."""
    root, outside = _prepare(tmp_path, {"train.csv": CSV})
    pattern = FILES_ESCAPES[kind].format(outside=outside)
    (root / "curate.yaml").write_text(f"dataset:\n  files: ['{pattern}']\n" + SUITE_DUPLICATES)
    before = {root: snapshot(root), outside: snapshot(outside)}
    result = cli("check", root, "--no-cache", "--format", "json")
    assert_outcome(result, 2, roots=before, error="files:")
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("target", ["file", "dir"])
def test_suite_files_through_a_link_out_need_follow_symlinks(tmp_path: Path, target: str) -> None:
    root, outside = _prepare(tmp_path, {"train.csv": CSV})
    if target == "file":
        (root / "data.txt").symlink_to(outside / "secret.csv")
        pattern = "*.txt"
    else:
        (root / "linked").symlink_to(outside, target_is_directory=True)
        pattern = "linked/*.csv"
    (root / "curate.yaml").write_text(f"dataset:\n  files: ['{pattern}']\n  format: csv\n" + SUITE_DUPLICATES)
    before = {root: snapshot(root), outside: snapshot(outside)}
    refused = cli("check", root, "--no-cache", "--format", "json")
    assert_outcome(refused, 2, roots=before, error="outside the dataset folder")
    assert SECRET not in refused.stdout + refused.stderr
    followed = cli("check", root, "--no-cache", "--format", "json", "--follow-symlinks")
    assert_outcome(followed, (0, 1), roots=before)
    assert json.loads(followed.stdout)["dataset"]["splits"]["train"]["rows"] == 2


def test_suite_files_glob_never_reaches_fsspec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Suite globs are matched with pathlib inside the root, never parsed as URLs."""
    import fsspec.core

    monkeypatch.setattr(fsspec.core, "url_to_fs", _never_called)
    root = build(tmp_path / "x::y", {"part-1.data": CSV, "part-2.data": to_csv(ROWS[:5])})
    (root / "curate.yaml").write_text("dataset:\n  files: ['part-*.data']\n  format: csv\n" + SUITE_DUPLICATES)
    result = cli("check", root, "--no-cache", "--format", "json")
    assert_outcome(result, (0, 1), roots={root: snapshot(root)})
    assert json.loads(result.stdout)["dataset"]["splits"]["train"]["rows"] == len(ROWS) + 5


def test_suite_files_compressed_bomb_is_bounded(tmp_path: Path) -> None:
    """A file named by `files:` (any extension) is decompressed with the same expansion limit."""
    bomb = gzip.compress(b"id,text\n" + b"1,aaaaaaaaaaaaaaaa\n" * (4 * 1024 * 1024))
    root, outside = _prepare(tmp_path, {"rows.data.gz": bomb})
    (root / "curate.yaml").write_text("dataset:\n  files: rows.data.gz\n  format: csv\n" + SUITE_DUPLICATES)
    result = cli("check", root, "--no-cache", env={"CURATE_MAX_DECOMPRESSED": str(1024 * 1024)})
    assert_outcome(result, 2, roots={root: snapshot(root)}, error="decompresses to more than")
