"""Loading dataset folders: layouts, splits, keys, row locations, and agreement with `datasets`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import EXAMPLES, write

from curate.dataset import load_dataset
from curate.errors import CurateError


def test_hf_card_configs_define_splits(hf_folder: Path) -> None:
    ds = load_dataset(hf_folder)
    assert ds.layout.kind == "huggingface"
    assert {name: len(s) for name, s in ds.splits.items()} == {"train": 4, "test": 2}
    assert ds.key_column == "id" and ds.key_source == "inferred"
    assert list(ds.splits["test"].keys) == ["b1", "b2"]
    assert ds.layout.features["label"].names == ("neg", "pos")


def test_split_names_from_file_names(tmp_path: Path) -> None:
    write(tmp_path / "training.csv", "x,y\n1,2\n3,4\n")
    write(tmp_path / "dev.csv", "x,y\n5,6\n")
    write(tmp_path / "eval.csv", "x,y\n7,8\n9,10\n11,12\n")
    ds = load_dataset(tmp_path)
    assert ds.layout.kind == "files"
    assert {n: len(s) for n, s in ds.splits.items()} == {"train": 2, "validation": 1, "test": 3}


def test_split_folders_with_several_shards(tmp_path: Path) -> None:
    for i in range(2):
        write(tmp_path / f"data/train/shard_{i}.jsonl", "".join(json.dumps({"v": i * 10 + j}) + "\n" for j in range(3)))
    write(tmp_path / "data/test/shard_0.jsonl", '{"v": 100}\n')
    ds = load_dataset(tmp_path)
    train = ds.splits["train"]
    assert len(train) == 6 and [f.rows for f in train.files] == [3, 3]
    assert train.files[1].first_row == 3
    path, line = train.locate(4)  # second row of the second shard
    assert path.name == "shard_1.jsonl" and line == 2


def test_single_loose_file_is_train(tmp_path: Path) -> None:
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(tmp_path / "table.parquet")
    ds = load_dataset(tmp_path)
    assert list(ds.splits) == ["train"] and len(ds.splits["train"]) == 3
    assert ds.locate("train", 1) == ("table.parquet", None)  # binary formats have no lines


def test_tsv_and_json_array(tmp_path: Path) -> None:
    write(tmp_path / "a/train.tsv", "x\ty\n1\thello, world\n")
    ds = load_dataset(tmp_path / "a")
    assert ds.splits["train"].frame.loc[0, "y"] == "hello, world"
    write(tmp_path / "b/train.json", json.dumps([{"x": 1}, {"x": 2}]))
    assert len(load_dataset(tmp_path / "b").splits["train"]) == 2


def test_content_hash_keys_are_stable_and_unique(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "text,label\nhello,1\nworld,0\nhello,1\n")
    first = load_dataset(tmp_path).splits["train"].keys.tolist()
    again = load_dataset(tmp_path).splits["train"].keys.tolist()
    assert first == again
    assert len(set(first)) == 3
    assert first[2] == first[0] + "~1"  # the exact duplicate keeps its original's hash plus a suffix


def test_declared_key_and_repeated_values(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "code,v\nx,1\ny,2\nx,3\n")
    ds = load_dataset(tmp_path, key="code")
    assert ds.splits["train"].keys.tolist() == ["x", "y", "x~1"]
    assert any("repeats" in note for note in ds.notes)
    with pytest.raises(CurateError, match="key column 'cod' not found.*did you mean 'code'"):
        load_dataset(tmp_path, key="cod")


@pytest.mark.parametrize("collide", [False, True])
def test_repeat_suffixes_are_those_of_grouping_every_key(monkeypatch, collide: bool) -> None:
    """Suffixes counted among the keys whose hashes repeat are those of counting every key in row
    order, also when every hash collides (distinct keys sharing a hash stay unsuffixed)."""
    import numpy as np

    import curate.dedup
    from curate.dataset import suffix_repeats

    if collide:
        monkeypatch.setattr(curate.dedup, "string_hashes", lambda arr, **_: np.zeros(len(arr), np.uint64))
    rng = np.random.default_rng(3)
    base = pd.Series([f"k{v}" for v in rng.integers(0, 400, 1000)] + ["é", "é", ""], dtype=str)
    repeat = base.groupby(base, sort=False).cumcount()
    expected = base.where(repeat == 0, base + "~" + repeat.astype(str))
    notes: list[str] = []
    assert suffix_repeats(base, "id", "train", notes).tolist() == expected.tolist()
    assert notes == [f"split 'train': key column 'id' repeats {int((repeat > 0).sum())} value(s); repeats were suffixed '~N'"]
    unique = pd.Series([f"u{i}" for i in range(50)], dtype=str)
    assert suffix_repeats(unique, "id", "train", notes).tolist() == unique.tolist() and len(notes) == 1


def test_csv_line_numbers_follow_multiline_quoted_fields(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", 'id,text\n1,"one\nline two"\n\n2,plain\n')
    ds = load_dataset(tmp_path)
    assert len(ds.splits["train"]) == 2
    assert ds.locate("train", 0) == ("train.csv", 2)
    assert ds.locate("train", 1) == ("train.csv", 5)


def test_kaggle_layout_uses_metadata_resources(tmp_path: Path) -> None:
    write(tmp_path / "people.csv", "pid,age\n1,30\n2,40\n")
    write(tmp_path / "orders.csv", "oid,pid\n1,1\n")
    write(tmp_path / "notes.csv", "ignored\n1\n")
    meta = {
        "title": "t",
        "id": "me/t",
        "resources": [
            {"path": "people.csv", "schema": {"fields": [{"name": "pid", "type": "integer"}, {"name": "age", "type": "integer"}]}},
            {"path": "orders.csv"},
        ],
    }
    write(tmp_path / "dataset-metadata.json", json.dumps(meta))
    ds = load_dataset(tmp_path)
    assert ds.layout.kind == "kaggle"
    assert {n: len(s) for n, s in ds.splits.items()} == {"orders": 1, "people": 2}  # tables stay separate
    assert ds.layout.features["age"].dtype == "integer"


def test_several_configs_need_a_choice(tmp_path: Path) -> None:
    write(
        tmp_path / "README.md",
        """
        ---
        configs:
        - config_name: en
          data_files: en/*.csv
        - config_name: fr
          data_files: fr/*.csv
        ---
        """,
    )
    write(tmp_path / "en/train.csv", "t\nhello\n")
    write(tmp_path / "fr/train.csv", "t\nbonjour\nsalut\n")
    with pytest.raises(CurateError, match="several configs"):
        load_dataset(tmp_path)
    assert len(load_dataset(tmp_path, config="fr").splits["train"]) == 2
    with pytest.raises(CurateError, match="did you mean 'fr'"):
        load_dataset(tmp_path, config="frr")


def test_one_format_per_folder_like_datasets(tmp_path: Path) -> None:
    """A stray JSON file next to CSV shards is not read as rows (datasets picks the commonest format)."""
    write(tmp_path / "part1.csv", "x\n1\n")
    write(tmp_path / "part2.csv", "x\n2\n")
    write(tmp_path / "stats.json", '{"rows": 2}')
    write(tmp_path / "curate.lock.json", '{"curate_lock": 1}')
    ds = load_dataset(tmp_path)
    assert [f.path.name for f in ds.splits["train"].files] == ["part1.csv", "part2.csv"]


# --------------------------------------------------------------------------- reading options and misreadings

import gzip  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import curate  # noqa: E402
from curate.readers import ReadOptions  # noqa: E402
from curate.suite import parse_suite  # noqa: E402

DATA = Path(__file__).parent / "data"
REAL = DATA / "real"
ADULT_NAMES = (
    "age, workclass, fnlwgt, education, education-num, marital-status, occupation, relationship, race, sex, "
    "capital-gain, capital-loss, hours-per-week, native-country, income"
)


def adult_folder(tmp_path: Path, dataset: str) -> Path:
    """UCI Adult as distributed: a headerless ``adult.data``, with a curate.yaml ``dataset:`` section."""
    folder = tmp_path / "adult"
    folder.mkdir()
    (folder / "adult.data").write_bytes(gzip.decompress((DATA / "adult.data.gz").read_bytes()))
    # its identical rows look like distinct people to curate.coincidence: taken as copies here, to have corrections
    write(folder / "curate.yaml", f"dataset:\n{dataset}checks:\n  - duplicates: {{coincidence: false}}\n")
    return folder


def sms_folder(tmp_path: Path, dataset: str) -> Path:
    """The UCI SMS Spam Collection as distributed: ``SMSSpamCollection``, label TAB message, no header."""
    folder = tmp_path / "sms"
    folder.mkdir(parents=True)
    shutil.copyfile(REAL / "sms_spam_collection" / "SMSSpamCollection", folder / "SMSSpamCollection")
    # its identical rows look like distinct people to curate.coincidence: taken as copies here, to have corrections
    write(folder / "curate.yaml", f"dataset:\n{dataset}checks:\n  - duplicates: {{coincidence: false}}\n")
    return folder


def _load(folder: Path):
    from curate.runner import load_suite_and_dataset

    return load_suite_and_dataset(folder, None, None)[1]


def test_headerless_data_file_reads_with_files_format_header_and_names(tmp_path: Path) -> None:
    folder = adult_folder(tmp_path, f"  files: adult.data\n  format: csv\n  header: false\n  names: [{ADULT_NAMES}]\n")
    ds = _load(folder)
    frame = ds.splits["train"].frame
    assert len(frame) == 32_561  # every record of the UCI file, the first one included
    assert list(frame.columns)[:3] == ["age", "workclass", "fnlwgt"] and frame.shape[1] == 15
    assert frame.loc[0, "age"] == 39 and frame.loc[0, "workclass"].strip() == "State-gov"
    assert not [n for n in ds.notes if "header" in n]
    assert ds.locate("train", 0) == ("adult.data", 1)  # no header line before the first record


def test_headerless_file_read_with_a_header_gets_a_note(tmp_path: Path) -> None:
    ds = _load(adult_folder(tmp_path, "  files: adult.data\n  format: csv\n"))
    assert len(ds.splits["train"]) == 32_560  # the first record became the header …
    notes = [n for n in ds.notes if "header row looks like data" in n]
    assert len(notes) == 1 and notes[0].startswith("adult.data: ") and "header: false" in notes[0]  # … and we say so
    assert not [n for n in ds.notes if "duplicate header" in n]  # its repeated ' 0' is the same misreading


def test_values_after_a_comma_and_space_get_a_note_and_skip_initial_space_reads_them(tmp_path: Path) -> None:
    options = f"  files: adult.data\n  format: csv\n  header: false\n  names: [{ADULT_NAMES}]\n"
    (tmp_path / "spaced").mkdir()
    (tmp_path / "read").mkdir()
    ds = _load(adult_folder(tmp_path / "spaced", options))
    notes = [n for n in ds.notes if "starting with a space" in n]
    assert len(notes) == 1 and "9 of 9 text columns" in notes[0] and "skip_initial_space: true" in notes[0]
    assert ds.splits["train"].frame.loc[0, "sex"] == " Male"
    ds = _load(adult_folder(tmp_path / "read", options + "  skip_initial_space: true\n"))
    frame = ds.splits["train"].frame
    assert not [n for n in ds.notes if "starting with a space" in n] and len(frame) == 32_561
    assert frame.loc[0, "sex"] == "Male" and frame.loc[0, "age"] == 39
    assert (frame["workclass"] == "?").sum() == 1_836  # UCI's missing marker, now without its space


def test_a_text_column_that_starts_with_spaces_alone_gets_no_note(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "id,text,label\n" + "".join(f"{i}, indented line {i},a\n" for i in range(50)))
    assert not [n for n in _load(tmp_path).notes if "starting with a space" in n]  # one column: its own content


def test_without_files_a_data_file_is_refused_with_the_options_to_set(tmp_path: Path) -> None:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "adult.data").write_bytes(gzip.decompress((DATA / "adult.data.gz").read_bytes()))
    with pytest.raises(CurateError, match=r"found \.data.*'files:' and 'format:'"):
        load_dataset(folder)


def test_unbalanced_quotes_swallow_records_and_the_note_says_quoting_none(tmp_path: Path) -> None:
    lines = (REAL / "sms_spam_collection" / "SMSSpamCollection").read_text(encoding="utf-8").split("\n")[:-1]
    assert len(lines) == 5_574  # one message per line
    ds = _load(sms_folder(tmp_path, "  files: SMSSpamCollection\n  format: tsv\n  header: false\n  names: [label, text]\n"))
    assert len(ds.splits["train"]) == 5_572  # pandas' default quoting joins records …
    notes = [n for n in ds.notes if "swallow" in n]
    assert len(notes) == 1 and notes[0].startswith("SMSSpamCollection: ") and "quoting: none" in notes[0]
    assert "5,574 rows, not 5,572" in notes[0]  # … and the note measures it

    fixed = _load(sms_folder(tmp_path / "b", "  files: SMSSpamCollection\n  format: tsv\n  header: false\n"
                                             "  names: [label, text]\n  quoting: none\n"))
    frame = fixed.splits["train"].frame
    assert len(frame) == 5_574 and set(frame["label"]) == {"ham", "spam"}
    assert frame["text"].tolist() == [line.split("\t", 1)[1] for line in lines]  # every message, byte for byte
    assert not [n for n in fixed.notes if "swallow" in n]
    assert fixed.locate("train", 5_573) == ("SMSSpamCollection", 5_574)


def test_quoted_multiline_fields_that_are_real_get_no_note(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", 'id,text\n1,"first line\nsecond, with a comma"\n2,"a ""quoted"" word"\n')
    ds = load_dataset(tmp_path)
    assert len(ds.splits["train"]) == 2 and not [n for n in ds.notes if "swallow" in n]


def test_duplicate_header_names_are_reported_from_the_raw_header(tmp_path: Path) -> None:
    write(tmp_path / "train.csv", "id,score,score,name\n1,2,3,a\n2,4,5,b\n")
    ds = load_dataset(tmp_path)
    assert list(ds.splits["train"].frame.columns) == ["id", "score", "score.1", "name"]  # pandas' silent rename
    notes = [n for n in ds.notes if "duplicate header" in n]
    assert notes == [
        "train.csv: duplicate header names 'score' ×2 (pandas renames the repeats 'score.1', …); "
        "set 'names: [...]' under dataset: in curate.yaml to name every column"
    ]
    renamed = load_dataset(tmp_path, options=ReadOptions(names=("id", "score_a", "score_b", "name")))
    assert list(renamed.splits["train"].frame.columns) == ["id", "score_a", "score_b", "name"]
    assert len(renamed.splits["train"]) == 2 and not [n for n in renamed.notes if "duplicate header" in n]


def test_ids_in_scientific_notation_are_reported_with_collisions(tmp_path: Path) -> None:
    ids = ["5.70306E+17", "5.70306E+17", "5.70301E+17", "5.70306E+17", "5.70295E+17"]
    write(tmp_path / "train.csv", "tweet_id,text\n" + "".join(f"{i},tweet {n}\n" for n, i in enumerate(ids)))
    notes = [n for n in load_dataset(tmp_path).notes if "scientific notation" in n]
    assert len(notes) == 1 and "column 'tweet_id'" in notes[0] and "5.70306E+17" in notes[0]
    assert "2 row(s) share a value" in notes[0]  # 5 rows, 3 distinct values
    write(tmp_path / "ok" / "train.csv", "tweet_id,text\n570306133677760513,a\n570301130888122368,b\n")
    assert not [n for n in load_dataset(tmp_path / "ok").notes if "scientific" in n]


def test_real_headers_are_not_taken_for_data(tmp_path: Path) -> None:
    """Year columns and column numbers are headers; so is every bundled real table's header."""
    write(tmp_path / "a" / "train.csv", "country,1990,1991\nFrance,1.5,2.5\nChile,3.5,4.5\n")
    write(tmp_path / "b" / "train.csv", "0,1,2\n5.1,3.5,1.4\n4.9,3.0,1.4\n")
    real = [REAL / "palmer_penguins_raw", REAL / "chinook_kaggle", REAL / "twitter_airline_sentiment",
            REAL / "comma_survey_538"]  # the survey's headers are long questions above a few answers
    for folder in (tmp_path / "a", tmp_path / "b", *real, EXAMPLES / "hf_news"):
        assert not [n for n in load_dataset(folder).notes if "looks like data" in n], folder


def test_reading_options_are_validated_with_locations() -> None:
    def error(section: str) -> CurateError:
        with pytest.raises(CurateError) as info:
            parse_suite(f"dataset:\n{section}checks: []\n", "suite.yaml")
        return info.value

    err = error("  format: tvs\n")
    assert err.line == 2 and "did you mean 'tsv'" in err.message
    err = error("  quoting: non\n")
    assert err.line == 2 and "did you mean 'none'" in err.message
    err = error("  names: [a, b, a]\n")
    assert err.line == 2 and "'a' is listed twice" in err.message
    assert "did you mean 'header'" in error("  headers: false\n").message
    assert error("  sep: ''\n").line == 2


def test_files_errors_point_at_the_suite(tmp_path: Path) -> None:
    write(tmp_path / "d" / "adult.data", "1,2\n")
    write(tmp_path / "d" / "curate.yaml", "dataset:\n  format: csv\n  files: [adult.dat]\nchecks: []\n")
    with pytest.raises(CurateError) as info:
        _load(tmp_path / "d")
    assert info.value.line == 3 and "matches no file (did you mean 'adult.data'?)" in info.value.message
    write(tmp_path / "d" / "curate.yaml", "dataset:\n  format: csv\n  header: false\n  names: [a, b, c]\n"
                                          "  files: adult.data\nchecks: []\n")
    with pytest.raises(CurateError, match="'names' lists 3 column.*2 field"):
        _load(tmp_path / "d")


def test_files_mapping_gives_splits_and_overrides_discovery(tmp_path: Path) -> None:
    write(tmp_path / "raw" / "part1.txt", "a|b\n1|x\n2|y\n")
    write(tmp_path / "raw" / "part2.txt", "a|b\n3|z\n")
    write(tmp_path / "raw" / "holdout.txt", "a|b\n4|w\n")
    write(tmp_path / "train.csv", "ignored\n1\n")
    write(tmp_path / "curate.yaml", "dataset:\n  files: {train: 'raw/part*.txt', test: [raw/holdout.txt]}\n"
                                    "  format: csv\n  sep: '|'\nchecks: []\n")
    ds = _load(tmp_path)
    assert {n: len(s) for n, s in ds.splits.items()} == {"train": 3, "test": 1}
    assert [f.path.name for f in ds.splits["train"].files] == ["part1.txt", "part2.txt"]
    assert ds.splits["test"].frame.loc[0, "b"] == "w"


# --------------------------------------------------------------------------- multi-table Kaggle folders

CHINOOK = REAL / "chinook_kaggle"


def test_builtin_suite_runs_on_a_real_multi_table_kaggle_folder() -> None:
    """Chinook as Kaggle ships it: 11 unrelated tables. Each is checked on its own, keyed by its own id."""
    report = curate.check(CHINOOK)
    tables = report.to_dict()["dataset"]["tables"]
    assert len(tables) == 11 and sum(t["rows"] for t in tables.values()) == 15_607  # every record of every file
    assert tables["Track"]["key"] == "TrackId" and tables["Album"]["key"] == "AlbumId"
    assert tables["PlaylistTrack"]["key"] is None  # a link table: no column of its own is unique
    assert {r.table for r in report.results} == set(tables)
    assert all(r.name == f"{r.check}[{r.table}]" for r in report.results)
    assert all(r.status == "skip" for r in report.results if r.check in ("leakage", "drift"))  # one split each
    playlist = report.result("duplicates[Playlist]")
    assert playlist.status == "fail" and len(playlist.findings) == 4  # 'Music', 'Movies', … listed twice
    out = subprocess.run([sys.executable, "-m", "curate", "check", str(CHINOOK), "--no-progress"],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "duplicates[Playlist]" in out.stdout, out.stderr  # a finding, not exit 2
    one = subprocess.run([sys.executable, "-m", "curate", "check", str(CHINOOK), "--table", "Genre",
                          "--format", "json", "--no-progress"], capture_output=True, text=True)
    data = json.loads(one.stdout)
    assert list(data["dataset"]["splits"]) == ["Genre"] and {r["name"] for r in data["results"]} >= {"duplicates"}
    bad = subprocess.run([sys.executable, "-m", "curate", "check", str(CHINOOK), "--table", "Albums"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown table 'Albums' (did you mean 'Album'" in bad.stderr


@pytest.fixture
def mixed_kaggle(tmp_path: Path) -> Path:
    """Real tables side by side in a Kaggle folder: penguins (free-text Comments) and two Chinook tables."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copyfile(REAL / "palmer_penguins_raw" / "penguins_raw.csv", folder / "penguins_raw.csv")
    for name in ("Album.csv", "Artist.csv"):
        shutil.copyfile(CHINOOK / name, folder / name)
    (folder / "dataset-metadata.json").write_text(json.dumps({"title": "mixed", "id": "me/mixed"}))
    return folder


def test_roles_are_inferred_per_table(mixed_kaggle: Path, suite_file) -> None:
    """Before tables, the text column inferred from one table was required of all (exit 2)."""
    tweets = pd.read_csv(REAL / "twitter_airline_sentiment" / "Tweets.csv.gz", nrows=300)
    tweets[["tweet_id", "airline_sentiment", "text"]].to_csv(mixed_kaggle / "Tweets.csv", index=False)
    report = curate.check(mixed_kaggle, suite=suite_file("checks:\n  - leakage: {}\n  - near_duplicates: {}\n"))
    tables = report.to_dict()["dataset"]["tables"]
    assert tables["Tweets"]["roles"]["text"] == "text"
    assert tables["Album"]["roles"]["text"] is None and tables["Artist"]["roles"]["text"] is None
    assert "; text; word 2-grams" in report.result("near_duplicates[Tweets]").message  # the table's own text column
    assert {r.status for r in report.results if r.check == "leakage"} == {"skip"}


def test_a_long_answer_from_a_list_is_not_inferred_as_free_text(mixed_kaggle: Path, suite_file) -> None:
    """Penguins' Comments average 36 characters but are 10 distinct remarks on 54 rows ("Nest never
    observed with full clutch."): not free text, so no text family reads them unasked; the note says why."""
    report = curate.check(mixed_kaggle, suite=suite_file("checks:\n  - near_duplicates: {}\n"), table="penguins_raw")
    assert report.to_dict()["dataset"]["roles"]["text"] is None
    assert any(n.startswith("text not inferred: 'Comments' averages 36 characters") for n in report.notes), report.notes
    declared = curate.check(mixed_kaggle, suite=suite_file("dataset:\n  text: Comments\nchecks:\n  - near_duplicates: {}\n"),
                            table="penguins_raw")
    assert declared.to_dict()["dataset"]["roles"]["text"] == "Comments"


def test_declared_roles_apply_to_the_tables_that_have_them(mixed_kaggle: Path, suite_file) -> None:
    suite = suite_file("dataset:\n  text: Comments\nchecks:\n  - near_duplicates: {column: Title}\n"
                       "  - duplicates: {}\n")
    report = curate.check(mixed_kaggle, suite=suite)
    for table in ("penguins_raw", "Artist"):
        result = report.result(f"near_duplicates[{table}]")
        assert result.status == "skip" and f"does not apply to table '{table}'" in result.message
    assert report.result("near_duplicates[Album]").status in ("pass", "warn", "fail")
    assert report.to_dict()["dataset"]["tables"]["Album"]["roles"]["text"] is None  # declared, but not its column
    typo = suite_file("dataset: {}\nchecks:\n  - near_duplicates: {column: Titel}\n", "typo.yaml")
    with pytest.raises(CurateError, match="Titel"):  # applies to no table: a suite error
        curate.check(mixed_kaggle, suite=typo)


# --------------------------------------------------------------------------- the corpus's own suites and files


def test_headerless_iris_data_file_reads_with_the_corpus_suite() -> None:
    ds = _load(REAL / "uci_iris")
    frame = ds.splits["train"].frame
    assert len(frame) == 150 and frame.columns[-1] == "class" and frame["class"].value_counts().tolist() == [50] * 3
    assert not [n for n in ds.notes if "looks like data" in n]


def test_iris_read_with_a_header_gets_the_header_note(tmp_path: Path) -> None:
    write(tmp_path / "iris" / "curate.yaml", "dataset:\n  files: iris.data\n  format: csv\nchecks: []\n")
    shutil.copyfile(REAL / "uci_iris" / "iris.data", tmp_path / "iris" / "iris.data")
    ds = _load(tmp_path / "iris")
    assert len(ds.splits["train"]) == 149
    assert [n for n in ds.notes if n.startswith("iris.data: the header row looks like data (5.1, 3.5, 1.4, 0.2, …)")]


def test_a_headerless_file_of_sentences_gets_the_header_note(tmp_path: Path) -> None:
    """The corpus' Amazon sentences read as a TSV with a header: the first sentence and its label
    become the names, and a sentence as long as the (almost all distinct) sentences below it reads
    as data."""
    folder = tmp_path / "amazon"
    folder.mkdir()
    shutil.copyfile(REAL / "sentiment_labelled_sentences" / "amazon_cells_labelled.txt", folder / "reviews.tsv")
    ds = load_dataset(folder)
    assert len(ds.splits["train"]) == 999
    notes = [n for n in ds.notes if "the header row looks like data" in n]
    assert notes and notes[0].startswith("reviews.tsv: the header row looks like data (So there is no way for me to plug it in…, 0, …)")


def test_sentence_files_whose_quotes_are_text(tmp_path: Path) -> None:
    """UCI sentiment sentences: imdb_labelled.txt loads 748 of 1,000 lines with default quoting."""
    ds = _load(REAL / "sentiment_labelled_sentences")
    assert [f.rows for f in ds.splits["train"].files] == [1_000, 1_000, 1_000]
    folder = tmp_path / "quoted"
    shutil.copytree(REAL / "sentiment_labelled_sentences", folder)
    suite = (folder / "curate.yaml").read_text(encoding="utf-8").replace("  quoting: none\n", "")
    (folder / "curate.yaml").write_text(suite, encoding="utf-8")
    ds = _load(folder)
    assert [f.rows for f in ds.splits["train"].files][1] == 748
    notes = [n for n in ds.notes if "swallow" in n]
    assert len(notes) == 1 and notes[0].startswith("imdb_labelled.txt: ") and "1,000 rows, not 748" in notes[0]


def test_spreadsheet_mangled_tweet_ids_are_reported() -> None:
    ds = load_dataset(REAL / "twitter_airline_sentiment")
    notes = [n for n in ds.notes if "scientific notation" in n]
    assert len(notes) == 1 and notes[0].startswith("Tweets.csv.gz: column 'tweet_id'")
    assert "(5.70306E+17)" in notes[0] and "12,206 row(s) share a value" in notes[0]  # 14,640 rows, 2,434 ids
    assert ds.key_column != "tweet_id"


# --------------------------------------------------------------------------- plain folders without `datasets`


def _plain_folders(tmp: Path) -> list[Path]:
    """Bundled and real folders, plus flat layouts on the edges of the fast path."""
    cases = {
        "keywords": {"train.csv": "x\n1\n2\n", "valid.csv": "x\n3\n", "testing.csv": "x\n4\n5\n"},
        "shards": {"train-00000-of-00002.jsonl": '{"t": 1}\n', "train-00001-of-00002.jsonl": '{"t": 2}\n',
                   "test-0.jsonl": '{"t": 3}\n'},
        "prefixed": {"sales_train.csv": "x\n1\n", "sales_test.csv": "x\n2\n"},
        "unnamed": {"a.csv": "x\n1\n", "b.csv": "x\n2\n"},
        "contest": {"contest.csv": "x\n1\n", "attest.csv": "x\n2\n"},  # 'test' inside a word is no split
        "mixed": {"train.csv": "x\n1\n", "extra.csv": "x\n2\n"},  # datasets ignores extra.csv
        "upper": {"Train.csv": "x\n1\n", "Test.csv": "x\n2\n"},
    }
    out = []
    for name, files in cases.items():
        for rel, text in files.items():
            write(tmp / name / rel, text)
        out.append(tmp / name)
    bundled = [p for p in EXAMPLES.iterdir() if p.is_dir()]
    return out + bundled + [REAL / "palmer_penguins_raw", REAL / "hate_speech_offensive_hf"]


def _splits(folder: Path) -> dict[str, list[Path]]:
    from curate.layout import resolve_layout

    try:
        return resolve_layout(folder).splits
    except CurateError as exc:
        return {"error": [Path(str(exc))]}


def test_plain_folders_resolve_as_datasets_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path for flat folders gives exactly the files datasets' resolver gives."""
    import curate.layout as layout

    folders = _plain_folders(tmp_path)
    fast = {f: _splits(f) for f in folders}
    used = [f.name for f in folders if layout._plain_splits(f) is not None]
    assert {"products_v1", "products_v2", "keywords", "shards", "unnamed", "contest"} <= set(used)
    assert "mixed" not in used and "upper" not in used and "hf_news" not in used
    monkeypatch.setattr(layout, "_plain_splits", lambda root: None)
    assert {f: _splits(f) for f in folders} == fast


def test_checking_a_plain_folder_does_not_import_datasets() -> None:
    code = ("import sys; from pathlib import Path; from curate.layout import resolve_layout; "
            f"resolve_layout(Path({str(EXAMPLES / 'products_v1')!r})); resolve_layout(Path({str(REAL / 'chinook_kaggle')!r})); "
            "print('datasets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_split_keywords_are_datasets_own() -> None:
    from datasets.data_files import SPLIT_KEYWORDS

    from curate.layout import SPLIT_KEYWORDS as ours

    assert {str(k): list(v) for k, v in SPLIT_KEYWORDS.items()} == {k: list(v) for k, v in ours.items()}
