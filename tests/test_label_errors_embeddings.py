"""``label_errors: {embedding_model: …}``: the text encoded by a local sentence-transformers model.

The model is built here (a one-layer BERT with random weights and a word-level vocabulary, saved
to a temporary folder): nothing is downloaded, and the test fails if anything tries to connect.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import write

from curate.cli import main

pytest.importorskip("sentence_transformers", reason="the curate[embeddings] extra (.ci/run installs it)")

TOPICS = {
    "sport": "match goal team coach score league player season cup win".split(),
    "weather": "rain cloud storm wind sunny forecast cold snow heat fog".split(),
}
FLIPPED = [i for i in range(200) if i % 40 in (0, 21)]  # 10 of 200 rows get the other topic's label, 5 each way


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    """A sentence-transformers model folder: random one-layer BERT + mean pooling, 64 dimensions."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("model")
    words = sorted({w for ws in TOPICS.values() for w in ws}) + ["the", "a", "today", "we", "saw"]
    bert = root / "bert"
    bert.mkdir()
    (bert / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]) + "\n")
    BertTokenizerFast.from_pretrained(str(bert)).save_pretrained(str(bert))  # reads vocab.txt (transformers 4 and 5)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=5 + len(words), hidden_size=64, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=128, max_position_embeddings=64)
    BertModel(config).save_pretrained(str(bert))
    SentenceTransformer(str(bert), device="cpu").save(str(root / "tiny-st"))  # adds mean pooling
    return root / "tiny-st"


def topic_rows(n: int = 200, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        topic = ["sport", "weather"][i % 2]
        text = " ".join(["today", "we", "saw", *rng.choice(TOPICS[topic], 8)])
        label = ["weather", "sport"][i % 2] if i in FLIPPED else topic
        rows.append({"id": f"r{i}", "text": text, "label": label})
    return rows


@pytest.fixture()
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("label_errors tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def check_report(tmp_path: Path, rows: list[dict], params: str, *extra: str):
    root = tmp_path / "data"
    root.mkdir(parents=True, exist_ok=True)
    (root / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    suite = write(tmp_path / "suite.yaml", f"dataset: {{key: id, label: label, text: text}}\nchecks:\n  - label_errors: {params}\n")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["check", str(root), "--suite", str(suite), "--no-cache", "--format", "json",
                                       "--output", str(out), *extra])
    return result, (json.loads(out.read_text()) if out.is_file() else None)


def test_embedding_model_is_used_end_to_end(tmp_path: Path, tiny_model: Path, no_network) -> None:
    rows = topic_rows()
    result, report = check_report(tmp_path, rows, f"{{embedding_model: '{tiny_model}', max_share: 1.0}}")
    assert result.exit_code in (0, 1), result.output
    (check,) = [r for r in report["results"] if r["check"] == "label_errors"]
    assert f"sentence-transformers model '{tiny_model}' on 'text' (64 dims)" in check["message"]
    found = {f["row"] for f in check["findings"]}
    assert len(found & set(FLIPPED)) >= 8 and len(found - set(FLIPPED)) <= 3, check["message"]

    # the same vectors given as a column: the same model, so the same findings
    from sentence_transformers import SentenceTransformer

    vectors = SentenceTransformer(str(tiny_model), device="cpu").encode([r["text"] for r in rows])
    with_column = [{**r, "emb": v.tolist()} for r, v in zip(rows, vectors)]
    _, column_report = check_report(tmp_path / "column", with_column, "{embeddings: emb, max_share: 1.0}")
    (column_check,) = [r for r in column_report["results"] if r["check"] == "label_errors"]
    assert [f["row"] for f in column_check["findings"]] == [f["row"] for f in check["findings"]]


def test_a_relative_folder_is_found_under_the_dataset(tmp_path: Path, tiny_model: Path, no_network) -> None:
    import shutil

    shutil.copytree(tiny_model, tmp_path / "data" / "models" / "mini")
    result, report = check_report(tmp_path, topic_rows(), "{embedding_model: models/mini, max_share: 1.0}")
    assert result.exit_code in (0, 1), result.output
    assert "sentence-transformers model 'models/mini'" in report["results"][0]["message"]


@pytest.mark.parametrize(
    "model, fragment",
    [
        ("no-such-owner/no-such-model", "embedding model 'no-such-owner/no-such-model' is neither a folder nor in the local model cache"),
        ("./models/nothere", "embedding model folder './models/nothere' not found"),
    ],
)
def test_a_model_not_on_this_machine_is_a_one_line_error(tmp_path: Path, model: str, fragment: str, no_network) -> None:
    result, report = check_report(tmp_path, topic_rows(), f"{{embedding_model: '{model}'}}")
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and report is None and "Traceback" not in result.output
    assert len(lines) == 1 and fragment in lines[0] and "suite.yaml:3" in lines[0], result.output


def test_a_folder_that_is_not_a_model_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "data" / "broken").mkdir(parents=True)
    write(tmp_path / "data" / "broken" / "config.json", "{not json")
    result, _ = check_report(tmp_path, topic_rows(), "{embedding_model: broken}")
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "cannot load the embedding model in" in lines[0], result.output


def test_missing_library_is_a_one_line_error(tmp_path: Path, tiny_model: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails as if not installed
    result, _ = check_report(tmp_path, topic_rows(), f"{{embedding_model: '{tiny_model}'}}")
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert "needs the sentence-transformers library, which is not installed: pip install 'curate[embeddings]'" in lines[0]


@pytest.mark.parametrize(
    "params, fragment",
    [
        ("{embedding_model: m, embeddings: emb}", "embedding_model encodes the text column"),
        ("{embedding_model: m, features: [id]}", "embedding_model encodes the text column"),
        ("{embedding_model: m, pred_probs: p.npy}", "pred_probs replaces the built-in model"),
    ],
)
def test_embedding_model_with_another_model_is_a_suite_error(tmp_path: Path, params: str, fragment: str) -> None:
    result, _ = check_report(tmp_path, topic_rows(), params)
    assert result.exit_code == 2 and fragment in result.output


def test_the_datasets_own_suite_cannot_name_a_model_outside_the_dataset(tmp_path: Path, tiny_model: Path, no_network) -> None:
    """A dataset's curate.yaml is untrusted: an absolute or climbing model path is refused before loading."""
    root = tmp_path / "data"
    root.mkdir()
    (root / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in topic_rows()))
    expected = {str(tiny_model): "outside the dataset folder", "../outside": "outside the dataset folder",
                "~/models/x": "embedding model folder '~/models/x' not found"}  # ~ is not the user's home here
    for model, fragment in expected.items():
        (tmp_path / "outside").mkdir(exist_ok=True)
        write(root / "curate.yaml", f"dataset: {{key: id, label: label, text: text}}\nchecks:\n  - label_errors: {{embedding_model: '{model}'}}\n")
        result = CliRunner().invoke(main, ["check", str(root), "--no-cache", "--no-progress"])
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 2 and len(lines) == 1 and "Traceback" not in result.output, result.output
        assert fragment in lines[0] and "curate.yaml:3" in lines[0], lines
    # the same absolute folder from a suite the user passes with --suite is trusted
    result, report = check_report(tmp_path / "trusted", topic_rows(), f"{{embedding_model: '{tiny_model}', max_share: 1.0}}")
    assert result.exit_code in (0, 1), result.output
