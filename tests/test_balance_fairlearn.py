"""``balance`` computes its measures from counts; fairlearn is the reference for what they mean.

On the real UCI Adult training file (``tests/data/adult.data.gz``, see ``tests/data/README.md``),
split in two files so that per-split figures are checked too, every share, base rate, ratio and
difference that ``balance`` reports — per attribute, per intersection, for one split and for all rows,
binary and one-vs-rest multi-class, with missing sensitive values as their own group and
unlabelled rows left out — must equal what fairlearn's ``MetricFrame`` (``count``,
``selection_rate``, ``ratio()`` / ``difference()`` between groups) and
``demographic_parity_difference`` / ``_ratio`` give on the same rows, rounded as curate rounds.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import REPO, write
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    selection_rate,
)

import curate
from curate.balance_counts import GroupCounts

ADULT = REPO / "tests" / "data" / "adult.data.gz"
ADULT_MD5 = "5d7c39d7b8804f071cdd1f2a7c460872"
COLUMNS = (
    "age workclass fnlwgt education education-num marital-status occupation relationship race sex "
    "capital-gain capital-loss hours-per-week native-country income"
).split()
CUT = 22_000  # rows of train.csv; the other 10,561 are test.csv
MISSING = "(missing)"
MIN_GROUP = 30  # balance's min_group_size and min_intersection defaults


def sig6(value: float) -> float:
    return float(f"{value:.6g}")


@pytest.fixture(scope="module")
def adult(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    raw = gzip.decompress(ADULT.read_bytes())
    assert hashlib.md5(raw).hexdigest() == ADULT_MD5, "tests/data/adult.data.gz is not UCI's adult.data"
    frame = pd.read_csv(ADULT, header=None, names=COLUMNS, skipinitialspace=True, na_values="?")
    root = tmp_path_factory.mktemp("adult_split")
    frame.iloc[:CUT].to_csv(root / "train.csv", index=False)
    frame.iloc[CUT:].to_csv(root / "test.csv", index=False)
    return root, frame


def run(root: Path, label: str, sensitive: list[str], intersections: str = "2"):
    suite = write(
        root.parent / f"{root.name}-{label}.yaml",
        f"dataset:\n  label: {label}\n  sensitive: [{', '.join(sensitive)}]\n"
        f"checks:\n  - balance: {{bootstrap: 0, intersections: {intersections}}}\n",
    )
    return curate.check(root, suite=suite).result("balance")


def scopes(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """All rows and one split (the train split's figures come from the same code; fairlearn is slow)."""
    return {"all": frame, "test": frame.iloc[CUT:]}


def features(rows: pd.DataFrame, grouping: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The sensitive columns for fairlearn, as integer codes (missing values named as curate names
    them), and each column's names: integer columns spare fairlearn stacking object arrays per group."""
    codes, names = {}, {}
    for a in grouping:
        codes[a], uniques = pd.factorize(rows[a].astype(object).where(rows[a].notna(), MISSING), sort=True)
        names[a] = list(uniques)
    return pd.DataFrame(codes, index=rows.index), names


def group_names(group, grouping: tuple[str, ...], names: dict[str, list[str]]) -> tuple[str, ...]:
    group = group if isinstance(group, tuple) else (group,)
    return tuple(names[a][int(i)] for a, i in zip(grouping, group))


def reported(result) -> set[str]:
    """The metrics with a fairlearn definition (shares, base rates, ratios, differences) of the scopes compared."""
    kinds = ("share.", "base_rate", "ratio.", "ratio[", "difference")
    return {k for k in result.metrics if k.startswith(kinds) or k.startswith(tuple(f"test.{k}" for k in kinds))}


def check_against_fairlearn(result, frame: pd.DataFrame, label: str, classes: list[str], binary: bool) -> set[str]:
    """Assert each share, base rate, ratio and difference equals fairlearn's; return the metrics compared."""
    summary = result.tables["summary"][0]
    groupings = [(a,) for a in summary["sensitive"].split(", ")]
    groupings += [tuple(g.split(" × ")) for g in summary["intersections"].split("; ") if g]
    code = {c: i for i, c in enumerate(frame[label].dropna().astype(str).unique())}
    # labels as integer codes: the same rates, without fairlearn stacking object arrays per group
    rate = {c: (lambda t, p, i=code[c]: selection_rate(t, p, pos_label=i)) for c in classes}
    compared: set[str] = set()

    def same(metric: str, value: float) -> None:
        assert result.metrics[metric] == sig6(value), metric
        compared.add(metric)

    for scope, rows in scopes(frame).items():
        prefix = "" if scope == "all" else f"{scope}."
        for grouping in groupings:
            key = "&".join(grouping)
            sf, names = features(rows, grouping)
            ones = np.ones(len(rows), dtype=int)
            shares = MetricFrame(metrics=count, y_true=ones, y_pred=ones, sensitive_features=sf)
            for group, n in shares.by_group.items():
                n = 0 if np.isnan(n) else n  # fairlearn: nan for an empty combination; curate: no rows
                same(f"{prefix}share.{key}={'&'.join(group_names(group, grouping, names))}", n / len(rows))
            for metric in [m for m in result.metrics if m.startswith(f"{prefix}share.{key}=") and m not in compared]:
                assert result.metrics[metric] == 0.0, metric  # a group of other splits, absent from these rows
                compared.add(metric)
            labelled = rows[rows[label].notna()]
            (sf, names), y = features(labelled, grouping), labelled[label].astype(str).map(code).astype(int)
            mf = MetricFrame(metrics={**rate, "n": count}, y_true=y, y_pred=y, sensitive_features=sf)
            trusted = []
            for group, values in mf.by_group.iterrows():
                group = group_names(group, grouping, names)
                for c in classes:
                    metric = f"{prefix}base_rate{'' if binary else f'[{c}]'}.{key}={'&'.join(group)}"
                    if np.isnan(values["n"]):  # an empty combination has no rate
                        assert metric not in result.metrics, metric
                    else:
                        same(metric, values[c])
                if values["n"] >= MIN_GROUP and MISSING not in group:
                    trusted.append(group)
            if len(trusted) < 2:
                continue
            keep = pd.MultiIndex.from_arrays([np.array(names[a], dtype=object)[sf[a]] for a in grouping]).isin(trusted)
            sub = MetricFrame(metrics=rate, y_true=y[keep], y_pred=y[keep], sensitive_features=sf[keep])
            ratios, differences = sub.ratio(method="between_groups"), sub.difference(method="between_groups")
            for c in classes:
                cls = "" if binary else f"[{c}]"
                same(f"{prefix}ratio{cls}.{key}", ratios[c])
                same(f"{prefix}difference{cls}.{key}", differences[c])
            if not binary:
                continue
            chosen = (y[keep] == code[classes[0]]).astype(int)
            same(f"{prefix}ratio.{key}", demographic_parity_ratio(chosen, chosen, sensitive_features=sf[keep]))
            parity = demographic_parity_difference(chosen, chosen, sensitive_features=sf[keep])
            same(f"{prefix}difference.{key}", parity)
    return compared


def test_binary_income_by_sex_race_and_country_equals_fairlearn(adult):
    root, frame = adult
    result = run(root, "income", ["sex", "race", "native-country"], "[[sex, race], [sex, native-country]]")
    assert result.metrics["rows"] == len(frame) == 32561
    assert any("native-country: 583 rows have no value" in n["note"] for n in result.tables["notes"])
    compared = check_against_fairlearn(result, frame, "income", [">50K"], binary=True)
    assert compared == reported(result) and len(compared) > 500


def test_multiclass_workclass_with_unlabelled_rows_equals_fairlearn(adult):
    root, frame = adult
    result = run(root, "workclass", ["sex", "race"])
    kept = [c for c, n in frame["workclass"].value_counts().items() if n >= MIN_GROUP]
    assert sorted(result.tables["summary"][0]["classes"].split(", ")) == sorted(kept)
    assert any("1836 rows without a workclass value" in n["note"] for n in result.tables["notes"])
    compared = check_against_fairlearn(result, frame, "workclass", kept, binary=False)
    assert compared == reported(result) and len(compared) > 300


def test_counts_of_partitions_add_up_to_the_counts_of_their_rows(adult):
    _, frame = adult
    sex, sex_names = pd.factorize(frame["sex"])
    race, race_names = pd.factorize(frame["race"])
    label, labels = pd.factorize(frame["workclass"])
    names = [list(sex_names), list(race_names)]

    def counts(rows: slice) -> GroupCounts:
        return GroupCounts.count([sex[rows], race[rows]], names, label[rows], list(labels))

    whole = counts(slice(None))
    merged = counts(slice(0, 1000)).merge(counts(slice(1000, 20000))).merge(counts(slice(20000, None)))
    assert merged.groups == whole.groups and merged.labels == whole.labels
    assert np.array_equal(merged.table, whole.table)
    crosstab = pd.crosstab([frame["sex"], frame["race"]], frame["workclass"].fillna(MISSING))
    for (s, r), row in crosstab.iterrows():
        i = whole.groups.index((s, r))
        assert whole.rows[i] == row.sum() and whole.labelled[i] == row.drop(MISSING).sum()
        assert whole.positives("Private")[i] == row["Private"]
    # a partition without some group or label value still merges by name
    columns = list(range(len(labels)))[::-1] + [-1]  # labels reversed, "no label" stays last
    shuffled = GroupCounts(whole.groups[::-1], whole.labels[::-1], whole.table[::-1][:, columns])
    assert np.array_equal(whole.merge(shuffled).table, 2 * whole.table)
