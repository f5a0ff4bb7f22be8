"""``pii``: validated personal data and secrets, masked findings, redactions that round-trip.

Real data: the Chinook customer and employee tables (MIT; fictitious people in real formats), the
SMS Spam Collection and Twitter US Airline Sentiment (see tests/data/real/README.md). Planted
cases pair each entity with the hard negatives that look like it (order numbers, dates, version
strings, prices, hashes and numbers that fail their checksums).
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import family_result, write

import curate
from curate.cli import main
from curate.corrections import read_corrections
from curate.pii_detectors import DETECTORS, detect, redact

REAL = Path(__file__).parent / "data" / "real"


def check(root: Path, tmp_path: Path, params: str = "{}", dataset: str = ""):
    suite = write(tmp_path / "pii.yaml", f"dataset: {{{dataset}}}\nchecks:\n  - pii: {params}\n")
    return family_result(curate.check(root, suite=suite), "pii")


def tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def fix_and_apply(root: Path, suite: Path, tmp_path: Path, *extra: str):
    """``curate fix`` then ``curate apply`` of every proposed correction; both outputs must agree."""
    runner = CliRunner()
    out = tmp_path / "fix"
    result = runner.invoke(main, ["fix", str(root), "--suite", str(suite), "--out", str(out), "--bundle", "none",
                                  "--no-progress", *extra])
    assert result.exit_code == 0, result.output
    applied = tmp_path / "applied"
    result = runner.invoke(main, ["apply", str(root), str(out / "corrections.jsonl"), "--include-proposed",
                                  "--out", str(applied)])
    assert result.exit_code == 0, result.output
    data = [p for p in tree(out / "data") if not p.endswith(".yaml")]
    assert {p: tree(out / "data")[p] for p in data} == {p: tree(applied)[p] for p in data}
    return list(read_corrections(out / "corrections.jsonl")), out / "data"


# =========================================================================== real data


def test_chinook_customer_emails_and_international_phones(tmp_path: Path) -> None:
    result = check(REAL / "chinook_kaggle", tmp_path)
    customers = pd.read_csv(REAL / "chinook_kaggle" / "Customer.csv", dtype=str)
    by_cell = {(f.split, f.column, f.row): f for f in result.findings}
    emails = [i for i, v in customers["Email"].items() if isinstance(v, str)]
    assert len(emails) == 59 and all(("Customer", "Email", i) in by_cell for i in emails)
    # every international-format phone that phonenumbers validates is found, none of the others
    import phonenumbers

    def valid(v: str) -> bool:
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(v, None))
        except phonenumbers.NumberParseException:
            return False

    for i, v in customers["Phone"].items():
        assert (("Customer", "Phone", i) in by_cell) == (isinstance(v, str) and v.startswith("+") and valid(v)), v
    assert result.metrics["entities.email"] == 59 + 8  # customers and employees
    # names, addresses, postcodes, dates and prices are not personal-data findings here
    assert {f.column for f in result.findings} <= {"Email", "Phone", "Fax"}


def test_reports_never_print_the_values(tmp_path: Path) -> None:
    root = REAL / "chinook_kaggle"
    suite = write(tmp_path / "s.yaml", "checks:\n  - pii: {}\n")
    customers = pd.read_csv(root / "Customer.csv", dtype=str)
    values = set(customers["Email"].dropna()) | set(customers["Phone"].dropna())
    for fmt in ("console", "json", "markdown", "junit", "github", "sarif", "pr-comment"):
        out = tmp_path / f"report.{fmt}"
        result = CliRunner().invoke(main, ["check", str(root), "--suite", str(suite), "--format", fmt,
                                           "--output", str(out), "--no-progress"])
        assert result.exit_code == 1, result.output
        text = out.read_text(encoding="utf-8")
        assert "pii" in text
        leaked = [v for v in values if v in text.replace("\\/", "/")]
        # the JSON report carries the redacted suggestion, never the value
        assert not leaked, (fmt, leaked[:3])


def sms_folder(tmp_path: Path) -> Path:
    """The SMS Spam Collection as a CSV (read with plain Python: tab-separated, quotes are text)."""
    lines = (REAL / "sms_spam_collection" / "SMSSpamCollection").read_text(encoding="utf-8").split("\n")
    rows = [line.split("\t", 1) for line in lines if line]
    root = tmp_path / "sms"
    root.mkdir(parents=True)
    pd.DataFrame(rows, columns=["label", "text"]).to_csv(root / "train.csv", index=False)
    return root


def test_sms_spam_national_numbers_need_a_region(tmp_path: Path) -> None:
    root = sms_folder(tmp_path)
    without = check(root, tmp_path)
    with_gb = check(root, tmp_path, "{regions: [GB]}")
    assert with_gb.metrics["entities.phone"] > 30 > without.metrics["entities.phone"]
    finding = next(f for f in with_gb.findings if f.row == 136)
    assert finding.message == "email [21:38] y***@***.com"
    assert finding.suggestion["text"] == "I only haf msn. It's [EMAIL]"
    frame = pd.read_csv(root / "train.csv")
    assert frame["text"][136] == "I only haf msn. It's yijue@hotmail.com"
    # the national numbers found are in spam, as a reader of the rows sees
    phones = [f for f in with_gb.findings if "phone" in f.message]
    assert sum(frame["label"][f.row] == "spam" for f in phones) / len(phones) > 0.95
    # the spam's premium-rate (09…), shared-cost (087…) and freephone (080…) numbers are services',
    # while a recipient's own mobile number in the message ("Your 2003 Account Statement for 07…") is found
    service = frame["text"].str.contains(r"\b0(?:9\d{9}|87\d{8}|80\d{8})\b", regex=True)
    assert service.sum() > 300
    spans = [frame["text"][f.row][slice(*map(int, f.message.split("[")[1].split("]")[0].split(":")))] for f in phones]
    assert all(not re.fullmatch(r"0(?:9|87|80)\d+", span.replace(" ", "")) for span in spans)
    assert any(frame["text"][f.row].startswith("PRIVATE! Your 2003 Account Statement for 07") for f in phones)


def test_tweets_emails_are_found_and_ids_in_scientific_notation_are_not(tmp_path: Path) -> None:
    result = check(REAL / "twitter_airline_sentiment", tmp_path)
    # users also put their email address in the free-text location field
    assert {f.column for f in result.findings} == {"text", "tweet_location"}
    tweets = pd.read_csv(REAL / "twitter_airline_sentiment" / "Tweets.csv.gz")
    # the airlines' own desks (info@, customer.relations@, noreply@) are organisations, not people
    role = tweets["text"].str.contains(r"\b(?:info|eservice|customer\.relations|noreply)@", regex=True, na=False)
    assert role.sum() >= 5
    for column in ("text", "tweet_location"):
        with_at = tweets[column].str.contains(r"\w@\w+\.(?:com|ca|net)\b", regex=True, na=False)
        personal = with_at & ~role if column == "text" else with_at
        found = {f.row for f in result.findings if f.message.startswith("email") and f.column == column}
        assert found == set(personal[personal].index)
    assert not any(f.column == "tweet_id" for f in result.findings)
    ip = next(f for f in result.findings if "ip_address" in f.message)
    assert "[IP_ADDRESS] but USAirways SPF" in ip.suggestion["text"]


# =========================================================================== planted truth and hard negatives

POSITIVE = {
    "email": "write to jane.doe+news@example.co.uk today",
    "phone": "call me on +44 20 7946 0958 after six",
    "credit_card": "my card is 4539 1488 0343 6467 exp 04/27",
    "iban": "pay to DE89 3704 0044 0532 0130 00 please",
    "ip_address": "the request came from 81.2.69.160 twice",
    "us_ssn": "SSN 536-90-4399 on file",
    "secret": "aws_access_key_id = AKIA4QWERTYZ7UIOPASD",
}
NEGATIVE = [
    "Just show msg+ticket@kiosk.Valid 4-7/12",  # real SMS spam: prose around an @, no such suffix
    "order 4539148803436467 shipped on 2021-03-04",  # a Luhn-valid number after 'order'
    "card 4539 1488 0343 6468 was declined",  # fails Luhn
    "IBAN DE89 3704 0044 0532 0130 01 is a typo",  # fails mod-97
    "upgrade to version 10.2.3.4 or v1.12.0.7",
    "router at 192.168.1.254, loopback 127.0.0.1, docs 203.0.113.7",
    "costs $1,234.56 or 1234.56 EUR, ref 2023-11-05",
    "sha1 3a7fe2c38dc373d2ca8e687d6226a82e0f1c2b3d and md5 2d25ad87214fbfc81aca5cddd3115c52",
    "SSN 000-12-3456 and 666-45-1234 are never issued",
    "coordinates 118.4062472, -33.9416",
    "ISBN 978-3-16-148410-0, invoice 2125551234",
    "email me at name at example dot com",
    "token = aaaaaaaaaaaaaaaaaaaaaaaa",
    "logo@2x.png and user@localhost",
    "Queries to customersqueries@netvision.uk.com",  # real SMS: role words run together
    "tddnewsletter@emc1.co.uk (More games from TheDailyDraw)",  # real SMS: a brand prefix and a role
    "call +449071512431 or +44 800 123 4567 or +1 800 433 7300",  # premium rate and toll free
]


@pytest.mark.parametrize("entity", sorted(POSITIVE))
def test_each_entity_is_found_validated_and_redacted(entity: str) -> None:
    text = POSITIVE[entity]
    matches = detect(text, DETECTORS)
    assert [m.entity for m in matches] == [entity]
    redacted = redact(text, matches)
    assert "[" in redacted and matches[0].value not in redacted
    assert redacted.replace(matches[0].placeholder, matches[0].value) == text  # nothing else changed


@pytest.mark.parametrize(
    "text",
    ["mail annanews@example.com", "eva.marketing@acme.com", "joe@united.com", "on +44 7797 706009"],
)
def test_personal_contacts_near_the_role_and_service_rules_are_kept(text: str) -> None:
    # a name with a short role word, a person in a department, a mobile number: personal data
    assert len(detect(text, DETECTORS)) == 1


@pytest.mark.parametrize("text", NEGATIVE)
def test_hard_negatives_are_not_personal_data(text: str) -> None:
    assert detect(text, DETECTORS, ("US", "GB")) == []


def test_private_key_blocks_and_tokens() -> None:
    text = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7\n-----END RSA PRIVATE KEY-----\nbye"
    (m,) = detect(text, DETECTORS)
    assert m.entity == "private_key" and redact(text, [m]) == "key:\n[PRIVATE_KEY]\nbye"
    token = "ghp_" + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"
    assert [m.entity for m in detect(f"export GITHUB_TOKEN={token}", DETECTORS)] == ["secret"]


def test_planted_table_round_trips_through_fix_and_apply(tmp_path: Path) -> None:
    root = tmp_path / "data"
    rows = [(f"r{i}", text) for i, text in enumerate(list(POSITIVE.values()) + NEGATIVE)]
    rows += [(f"c{i}", f"sentence {i}, nothing personal in it") for i in range(60)]  # under fix's 10% limit
    root.mkdir()
    with open(root / "train.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([("id", "text")] + rows)
    suite = write(tmp_path / "s.yaml", "dataset: {key: id}\nchecks:\n  - pii: {regions: [US]}\n")
    corrections, fixed = fix_and_apply(root, suite, tmp_path)
    assert {c.key: c.new for c in corrections} == {
        f"r{i}": redact(text, detect(text, DETECTORS, ("US",))) for i, text in enumerate(POSITIVE.values())
    }
    original = (root / "train.csv").read_bytes().split(b"\n")
    after = (fixed / "train.csv").read_bytes().split(b"\n")
    changed = {c.row + 1 for c in corrections}
    assert [line for i, line in enumerate(after) if i not in changed] == [
        line for i, line in enumerate(original) if i not in changed]
    assert all(b"[" in after[i] for i in changed)


def test_region_from_the_card_and_bad_parameters(tmp_path: Path) -> None:
    root = tmp_path / "hf"
    write(root / "README.md", "---\nlanguage:\n- en-GB\n---\n# d\n")
    write(root / "train.csv", "id,text\n1,ring 020 7946 0958 now\n2,call 0800 123 4567\n")
    assert check(root, tmp_path).metrics["entities.phone"] >= 1
    (root / "README.md").write_text("---\nlanguage:\n- en\n---\n# d\n")
    assert check(root, tmp_path).metrics["entities.phone"] == 0
    suite = write(tmp_path / "bad.yaml", "checks:\n  - pii: {regions: [UK]}\n")
    result = CliRunner().invoke(main, ["check", str(root), "--suite", str(suite)])
    assert result.exit_code == 2 and "unknown phone region 'UK'" in result.output
    suite = write(tmp_path / "bad2.yaml", "checks:\n  - pii: {entities: [passport]}\n")
    result = CliRunner().invoke(main, ["check", str(root), "--suite", str(suite)])
    assert result.exit_code == 2 and "unknown entity 'passport'" in result.output


def test_no_pii_passes(tmp_path: Path) -> None:
    root = tmp_path / "clean"
    write(root / "train.csv", "id,text\n1,a quiet afternoon\n2,version 2.1.0.3 released on 2020-01-02\n")
    result = check(root, tmp_path)
    assert result.status.value == "pass" and result.findings == []
    assert json.loads(json.dumps(result.to_dict()))["metrics"]["cells"] == 2
    shutil.rmtree(root)
