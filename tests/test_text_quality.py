"""``text_quality`` on real corpora (SMS Spam Collection, Sentiment Labelled Sentences, the
hate-speech tweets, airline tweets; tests/data/real/README.md) and on real sentences with planted
damage; its fixes round-trip through ``curate fix`` / ``curate apply``."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
from conftest import write
from test_pii import fix_and_apply, sms_folder

import curate

REAL = Path(__file__).parent / "data" / "real"
SENTENCES = REAL / "sentiment_labelled_sentences"


def check(root: Path, tmp_path: Path, params: str = "{}", dataset: str = "text: text"):
    suite = write(tmp_path / "tq.yaml", f"dataset: {{{dataset}}}\nchecks:\n  - text_quality: {params}\n")
    return curate.check(root, suite=suite).result("text_quality")


def by_problem(result, problem: str) -> dict[int, object]:
    return {f.row: f for f in result.findings if problem in f.message}


def sentences() -> list[str]:
    out = []
    for name in ("amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"):
        for line in (SENTENCES / name).read_text(encoding="utf-8").split("\n"):
            if "\t" in line:
                out.append(line.rsplit("\t", 1)[0])
    return out


def test_sms_windows_1252_apostrophes_are_restored(tmp_path: Path) -> None:
    root = sms_folder(tmp_path)
    frame = pd.read_csv(root / "train.csv")
    result = check(root, tmp_path)
    controls = by_problem(result, "control characters")
    want = {i for i, t in frame["text"].items() if re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", t)}
    assert want and set(controls) == want
    assert frame["text"][18].startswith("Fine if that\x92s the way")
    assert controls[18].suggestion["text"].startswith("Fine if that\u2019s the way")
    # the SMS corpus escapes its own placeholders: &lt;#&gt; is an HTML remnant, unescaped as <#>
    entities = by_problem(result, "HTML entities")
    assert all("&lt;" not in f.suggestion["text"] for f in entities.values())


def test_imdb_nel_is_an_ellipsis(tmp_path: Path) -> None:
    root = tmp_path / "sent"
    root.mkdir()
    texts = sentences()
    pd.DataFrame({"text": texts}).to_csv(root / "train.csv", index=False)
    result = check(root, tmp_path)
    with_nel = {i for i, t in enumerate(texts) if "\x85" in t}
    assert with_nel and with_nel <= set(by_problem(result, "control characters"))
    for i in with_nel:
        fixed = by_problem(result, "control characters")[i].suggestion["text"]
        assert "\x85" not in fixed and fixed == texts[i].replace("\x85", "\u2026").replace("\x96", "\u2013")


def test_hate_speech_tweets_carry_html_entities(tmp_path: Path) -> None:
    root = REAL / "hate_speech_offensive_hf"
    tweets = pq.read_table(root / "data" / "train-00000-of-00001.parquet").column("tweet").to_pylist()
    result = check(root, tmp_path, dataset="text: tweet")
    entity = re.compile(r"&(?:[a-zA-Z]{2,8}|#[0-9]{2,7}|#[xX][0-9a-fA-F]{2,6});")
    want = {i for i, t in enumerate(tweets) if entity.search(t)}
    found = by_problem(result, "HTML entities")
    assert set(found) == want
    example = next(i for i in sorted(want) if "&#128514;" in tweets[i])
    assert found[example].suggestion["tweet"] == entity.sub(lambda m: html.unescape(m.group(0)), tweets[example])
    assert "\U0001F602" in found[example].suggestion["tweet"]


def test_airline_tweets_addressees_are_not_boilerplate(tmp_path: Path) -> None:
    result = check(REAL / "twitter_airline_sentiment", tmp_path)
    tweets = pd.read_csv(REAL / "twitter_airline_sentiment" / "Tweets.csv.gz")["text"]
    assert tweets.str.startswith("@AmericanAir").mean() > 0.15  # the raw fact
    assert not by_problem(result, "boilerplate")
    assert set(by_problem(result, "HTML entities")) == set(tweets.index[tweets.str.contains(r"&(?:amp|lt|gt);")])


def test_a_stock_comment_repeated_whole_is_not_boilerplate(tmp_path: Path) -> None:
    """Palmer penguins' field notes: a third of the rows carry the same whole comment ('Nest
    never observed with full clutch.'): a recorded value, not text around other content."""
    root = REAL / "palmer_penguins_raw"
    comments = pd.read_csv(root / "penguins_raw.csv")["Comments"].dropna()
    stock = comments.value_counts()
    assert stock.iloc[0] / len(comments) > 0.3 and stock.index[0].startswith("Nest never")  # the raw fact
    result = check(root, tmp_path, dataset="text: Comments")
    assert not by_problem(result, "boilerplate")


def test_two_texts_opening_alike_are_not_boilerplate(tmp_path: Path) -> None:
    """In a split of four reviews, one shared opening is a quarter of the texts but no evidence of
    a scraper; boilerplate needs ten different texts carrying it."""
    root = tmp_path / "small"
    texts = [f"{s} review number {i}" for i, s in enumerate(sentences()[:9])]
    write(root / "train.csv", "text\n" + "".join(f'"a good film, {t}"\n' for t in texts[:2])
          + "".join(f'"{t}"\n' for t in texts[2:]))
    assert not by_problem(check(root, tmp_path), "boilerplate")
    write(root / "train.csv", "text\n" + "".join(f'"{t} …Expand"\n' for t in texts + ["one more", "and more"]))
    assert len(by_problem(check(root, tmp_path), "boilerplate suffix")) == 11


def test_a_shared_opening_that_runs_into_the_sentence_is_not_boilerplate(tmp_path: Path) -> None:
    """Templated openings ('Built for ' on a third of product descriptions) are part of the
    sentence: stripping them would break it. A scraper's 'Posted by admin: ' is set apart."""
    root = tmp_path / "openings"
    texts = sentences()[:60]
    write(root / "train.csv", "text\n" + "".join(f'"Built for {t}"\n' if i % 3 == 0 else f'"{t}"\n'
                                              for i, t in enumerate(texts)))
    assert not by_problem(check(root, tmp_path), "boilerplate")
    write(root / "train.csv", "text\n" + "".join(f'"Posted by admin: {t}"\n' if i % 3 == 0 else f'"{t}"\n'
                                              for i, t in enumerate(texts)))
    found = by_problem(check(root, tmp_path), "boilerplate prefix")
    assert set(found) == set(range(0, 60, 3))
    assert found[3].suggestion["text"] == texts[3]


def planted_frame(share: float) -> tuple[pd.DataFrame, dict[str, set[int]]]:
    texts = sentences()[:1000]
    truth: dict[str, set[int]] = {"boilerplate": set(), "mojibake": set(), "empty": set(), "tags": set()}
    out = []
    for i, text in enumerate(texts):
        if i % 100 == 3:
            text, kind = "   ", "empty"
        elif i % 97 == 5:
            text, kind = f"{text[:-1]} caf\u00e9 \u2019na\u00efve\u2019".encode("utf-8").decode("cp1252", "replace"), "mojibake"
        elif i % 89 == 7:
            text, kind = f"{text}<br /><br />", "tags"
        elif i < int(share * len(texts)):
            text, kind = f"{text.rstrip()} \u2026Expand", "boilerplate"
        else:
            kind = None
        if kind:
            truth[kind].add(i)
        out.append((f"t{i}", text))
    return pd.DataFrame(out, columns=["id", "text"]), truth


def test_planted_damage_on_real_sentences(tmp_path: Path) -> None:
    frame, truth = planted_frame(0.425)
    root = tmp_path / "planted"
    root.mkdir()
    frame.to_csv(root / "train.csv", index=False)
    result = check(root, tmp_path, dataset="key: id, text: text")
    assert set(by_problem(result, "boilerplate suffix")) == truth["boilerplate"]
    assert "…Expand'" in next(iter(by_problem(result, "boilerplate suffix").values())).message
    assert set(by_problem(result, "mojibake")) == truth["mojibake"]
    assert set(by_problem(result, "empty text")) == truth["empty"]
    assert set(by_problem(result, "HTML tags")) == truth["tags"]
    for row in truth["mojibake"]:
        assert "caf\u00e9 \u2019na\u00efve\u2019" in by_problem(result, "mojibake")[row].suggestion["text"]
    row = min(truth["boilerplate"])
    assert by_problem(result, "boilerplate")[row].suggestion["text"] == sentences()[row].rstrip()


def test_fixes_round_trip(tmp_path: Path) -> None:
    frame, truth = planted_frame(0.06)
    root = tmp_path / "planted"
    root.mkdir()
    frame.to_csv(root / "train.csv", index=False)
    suite = write(tmp_path / "s.yaml", "dataset: {key: id, text: text}\nchecks:\n  - text_quality: {min_share: 0.05}\n")
    corrections, fixed = fix_and_apply(root, suite, tmp_path)
    real_entities = set(frame.index[frame["text"].str.contains(r"&(?:amp|lt|gt|quot);")])  # in the real text
    assert {c.row for c in corrections} == truth["boilerplate"] | truth["mojibake"] | real_entities
    after = pd.read_csv(fixed / "train.csv", keep_default_na=False)
    assert not after["text"].str.endswith("Expand").any()
    before_lines = (root / "train.csv").read_bytes().split(b"\n")
    after_lines = (fixed / "train.csv").read_bytes().split(b"\n")
    changed = {c.row + 1 for c in corrections}
    assert [b for i, b in enumerate(before_lines) if i not in changed] == [
        a for i, a in enumerate(after_lines) if i not in changed]


def test_skips_without_a_text_column(tmp_path: Path) -> None:
    root = tmp_path / "tab"
    write(root / "train.csv", "a,b\n1,2\n3,4\n")
    result = check(root, tmp_path, dataset="")
    assert result.status.value == "skip" and "no text column" in result.message


def test_entities_that_spell_a_tag_are_reported_not_unescaped(tmp_path: Path) -> None:
    """Wire stories as AG News carries them: an escaped link around a ticker (``&lt;A HREF=…&gt;``)
    would become an HTML tag if unescaped, so it is reported with no fix; a bracketed ticker
    (``&lt;DELL.O&gt;``) and ``&amp;`` are unescaped as before."""
    link = ('Medtronic Inc. &lt;A HREF="http://www.investor.reuters.com/FullQuote.aspx?ticker=MDT.N"&gt;'
            'MDT.N&lt;/A&gt; said on Tuesday its quarterly profit rose.')
    ticker = "Dell Inc. &lt;DELL.O&gt;, the world's largest PC maker, left the low-end market."
    both = "AT&amp;T and Medtronic &lt;a href=\"x\"&gt;MDT.N&lt;/a&gt; traded higher."
    frame = pd.DataFrame({"id": range(4), "text": [link, ticker, both, "A plain sentence about markets today."]})
    root = tmp_path / "news"
    root.mkdir()
    frame.to_csv(root / "train.csv", index=False)
    found = by_problem(check(root, tmp_path, dataset="key: id, text: text"), "HTML entities")
    assert set(found) == {0, 1, 2}
    assert found[0].suggestion is None and "left escaped" in found[0].message
    assert found[2].suggestion is None
    assert found[1].suggestion["text"] == "Dell Inc. <DELL.O>, the world's largest PC maker, left the low-end market."
