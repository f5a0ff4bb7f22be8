"""``curate diff OLD NEW``: schema, drift and row changes between two versions of a dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES

from curate.dataset import load_dataset
from curate.diff import diff_datasets, diff_rows
from curate.report import render


def write_version(folder: Path, splits: dict[str, pd.DataFrame]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in splits.items():
        frame.to_json(folder / f"{name}.jsonl", orient="records", lines=True)
    return folder


def frame(ids: list[int], **overrides: dict[int, object]) -> pd.DataFrame:
    """Rows keyed id=k with deterministic values; overrides[column][k] replaces one value."""
    data = {
        "id": [f"k{i}" for i in ids],
        "name": [f"item {i}" for i in ids],
        "size": [i % 5 for i in ids],
        "price": [float(10 + i) for i in ids],
    }
    out = pd.DataFrame(data)
    for column, changes in overrides.items():
        for key, value in changes.items():
            out.loc[out["id"] == f"k{key}", column] = value
    return out


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old = write_version(tmp_path / "old", {"train": frame(list(range(10))), "test": frame([20, 21, 22])})
    new_train = frame([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11], name={2: "item two"}, price={5: 99.5, 2: 1.5})
    new = write_version(tmp_path / "new", {"train": new_train, "test": frame([20, 21, 22])})
    return old, new


def test_rows_added_removed_changed_by_key(versions: tuple[Path, Path]) -> None:
    report = diff_datasets(*versions)
    rows = report.result("rows")
    assert rows.status == "warn" and rows.severity == "warning"
    m = rows.metrics
    assert (m["train.added"], m["train.removed"], m["train.changed"], m["train.unchanged"]) == (2, 1, 2, 7)
    assert (m["test.added"], m["test.removed"], m["test.changed"], m["test.unchanged"]) == (0, 0, 0, 3)
    assert (m["added"], m["removed"], m["changed"], m["unchanged"]) == (2, 1, 2, 10)
    assert (m["train.changed.name"], m["train.changed.price"]) == (1, 2)
    assert "matched by key 'id'" in rows.message

    removed = [f for f in rows.findings if f.message.startswith("row removed")]
    # the report describes NEW: a removed row has no row there (annotations would point at the wrong line)
    assert [(f.split, f.row, f.key) for f in removed] == [("train", None, "k3")]
    assert "row 3 of split 'train' in the OLD version" in removed[0].message
    added = [f for f in rows.findings if f.message.startswith("row added")]
    assert [(f.row, f.key) for f in added] == [(9, "k10"), (10, "k11")]
    assert all("NEW version" in f.message for f in added)
    changed = {f.key: f for f in rows.findings if f.message.startswith("row changed")}
    assert set(changed) == {"k2", "k5"}
    assert (changed["k2"].row, changed["k2"].column) == (2, "name")
    assert "2 column(s): name, price" in changed["k2"].message
    assert "'item 2' → 'item two'" in changed["k2"].message and "12.0 → 1.5" in changed["k2"].message
    assert (changed["k5"].row, changed["k5"].column) == (4, "price")  # position in NEW

    assert report.result("schema").status == "pass"
    assert report.dataset["path"] == str(versions[1])
    assert report.dataset["old"]["path"] == str(versions[0]) and report.dataset["new"]["path"] == str(versions[1])


def test_identical_versions_pass(versions: tuple[Path, Path]) -> None:
    report = diff_datasets(versions[0], versions[0])
    assert all(r.status == "pass" for r in report.results), [(r.name, r.message) for r in report.results]
    assert report.result("rows").findings == []
    assert report.exit_code("warning") == 0


def test_renamed_and_retyped_columns_are_compared_by_value(tmp_path: Path) -> None:
    ids = list(range(40))
    old = write_version(tmp_path / "old", {"train": frame(ids)})
    new_frame = frame(ids).rename(columns={"price": "price_usd"})
    new_frame["size"] = new_frame["size"].astype(str)  # 3 → "3" is not a change
    new_frame.loc[7, "size"] = "N/A"  # but this is
    new = write_version(tmp_path / "new", {"train": new_frame})
    report = diff_datasets(old, new)
    schema = report.result("schema")
    kinds = sorted((f.message.split(":")[0], f.column) for f in schema.findings)
    assert kinds == [("column renamed", "price_usd"), ("type changed", "size")]
    rows = report.result("rows")
    assert rows.metrics["train.changed"] == 1 and rows.metrics["train.changed.size"] == 1
    (changed,) = rows.findings
    assert (changed.key, changed.column) == ("k7", "size") and "2 → 'N/A'" in changed.message


def test_content_hash_keys_say_changes_look_like_remove_and_add(tmp_path: Path) -> None:
    old_frame = pd.DataFrame({"text": ["a", "b", "c"], "n": [1, 2, 3]})
    new_frame = pd.DataFrame({"text": ["a", "b", "c"], "n": [1, 2, 4]})
    old = write_version(tmp_path / "old", {"train": old_frame})
    new = write_version(tmp_path / "new", {"train": new_frame})
    rows = diff_datasets(old, new).result("rows")
    assert "content hash" in rows.message and "one removed plus one added" in rows.message
    assert (rows.metrics["added"], rows.metrics["removed"], rows.metrics["changed"]) == (1, 1, 0)
    # the same data with an explicit key tells the change apart
    keyed = diff_datasets(old, new, key="text").result("rows")
    assert (keyed.metrics["added"], keyed.metrics["removed"], keyed.metrics["changed"]) == (0, 0, 1)


def test_diff_rows_directly(tmp_path: Path) -> None:
    old = load_dataset(write_version(tmp_path / "old", {"train": frame([1, 2, 3])})).splits["train"]
    new = load_dataset(write_version(tmp_path / "new", {"train": frame([3, 2, 4], size={2: 9})})).splits["train"]
    diff = diff_rows(old, new)
    assert list(diff.added) == [2] and list(diff.removed) == [0]
    assert diff.changed == [(1, 1, [("size", "size")])] and diff.unchanged == 1


def test_every_renderer_takes_a_diff_report(versions: tuple[Path, Path]) -> None:
    report = diff_datasets(*versions)
    data = json.loads(render(report, "json"))
    assert set(data["dataset"]) >= {"old", "new", "path"}
    assert [r["check"] for r in data["results"]][-1] == "rows"
    for fmt in ("console", "markdown", "junit", "github"):
        assert render(report, fmt)
    removed = [line for line in render(report, "github").splitlines() if "row removed" in line]
    added = [line for line in render(report, "github").splitlines() if "row added" in line]
    assert removed and all("line=" not in line for line in removed)  # no position in NEW's files
    assert added and all("line=" in line for line in added)


# --------------------------------------------------------------------------- the bundled example


@pytest.mark.skipif(not (EXAMPLES / "planted" / "products.json").is_file(), reason="example datasets not generated")
def test_products_v1_to_v2_finds_the_planted_changes() -> None:
    planted = json.loads((EXAMPLES / "planted" / "products.json").read_text(encoding="utf-8"))
    report = diff_datasets(EXAMPLES / "products_v1", EXAMPLES / "products_v2")
    rows = report.result("rows")
    assert "matched by key 'sku'" in rows.message
    for split, truth in planted["rows"].items():
        by_kind: dict[str, set[str]] = {"removed": set(), "added": set()}
        renamed, recategorised = set(), set()
        for f in rows.findings:
            if f.split != split:
                continue
            kind = f.message.split(":")[0].removeprefix("row ")
            if kind in by_kind:
                by_kind[kind].add(f.key)
            elif "name" in f.message.split(" — ")[0].split(": ", 2)[-1].split(", "):
                renamed.add(f.key)
            if kind == "changed" and "category:" in f.message:
                recategorised.add(f.key)
        assert by_kind["removed"] == set(truth["dropped_skus"])
        assert by_kind["added"] == set(truth["added_skus"])
        assert renamed == {r["sku"] for r in truth["renamed"]}
        assert recategorised == {r["sku"] for r in truth["recategorized"]}
        assert rows.metrics[f"{split}.removed"] == len(truth["dropped_skus"])
        assert rows.metrics[f"{split}.added"] == len(truth["added_skus"])
        assert rows.metrics[f"{split}.changed.name"] == len(truth["renamed"])
        assert rows.metrics[f"{split}.changed"] + rows.metrics[f"{split}.unchanged"] == truth["v1_rows"] - len(
            truth["dropped_skus"]
        )
    assert "price_usd" not in {c.split(".")[-1] for c in rows.metrics if ".changed." in c}  # same values

    drift = planted["drift"]
    schema = report.result("schema")
    found = {(f.message.split(":")[0], f.column) for f in schema.findings}
    assert found == {
        *(("column renamed", r["to"]) for r in drift["renamed_columns"]),
        *(("column removed", c) for c in drift["removed_columns"]),
        *(("column added", c) for c in drift["added_columns"]),
        *(("type changed", t["column"]) for t in drift["type_changes"]),
        *(("new category", c["column"]) for c in drift["new_category_values"]),
        *(("null rate jump", c["column"]) for c in drift["null_rate_changes"]),
    }
    assert schema.status == "fail" and report.exit_code("error") == 1

    names = [r.name for r in report.results]
    if "drift" in names:  # computed by curate.checks.drift
        drifted = {f.column for f in report.result("drift").findings}
        assert {s["column"] for s in drift["distribution_shifts"]} <= drifted
        assert "rating_count" not in drifted and "price_usd" not in drifted
