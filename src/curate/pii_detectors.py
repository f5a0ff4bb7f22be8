"""Detectors of personal data and secrets in text: candidate patterns, then real validation.

Each :class:`Detector` pairs a cheap *prefilter* (an RE2-compatible pattern run over a whole
column by pyarrow, so only rows that could hold an entity reach Python) with a ``find`` that
extracts candidates with a regular expression and keeps only those a validator accepts:
``phonenumbers`` for phone numbers, ``python-stdnum`` for IBANs (ISO 13616 mod-97 and country
lengths), US SSNs (SSA structure rules) and Luhn, ``ipaddress`` for IP addresses. Precision is
the point: a number that merely looks like an entity (an order number, a date, a version string,
a price, a hash) must fail validation.

Choices, documented here because they decide what is reported:

* IP addresses: only globally routable ones (``ipaddress``' ``is_global``); private, loopback,
  link-local, documentation and reserved ranges identify nobody. A dotted quad inside a longer
  dotted run (``1.2.3.4.5``), after ``v``/``version``/``release``, or with every part a single
  digit (``2.0.1.3``) is read as a version string.
* Phone numbers: without ``regions``, only numbers written in international format (``+44 …``)
  that ``phonenumbers`` says are valid; with regions, national-format numbers valid in one of
  them too. Premium-rate, toll-free, shared-cost and universal-access numbers are services'. Dates, decimals and numbers after ``order``/``invoice``/``#``-like words are not phones.
* Payment cards: 12-19 digits, ungrouped or grouped 4-4-4-4(-3) / 4-6-4(5) with one separator,
  a known issuer range (IIN) and a valid Luhn check digit.
* Emails: the domain must end in a real public suffix (the Public Suffix List that
  ``publicsuffixlist`` ships, read offline): prose glued around an ``@`` ("msg+ticket@kiosk.Valid")
  is not an address. Role mailboxes (``info@``, ``customer.relations@``, ``customersqueries@``) are an
  organisation's. An address at the company a tweet is addressed to is still reported: it may be an
  employee's (``joe@united.com``), which is personal data.
* Secrets: published token formats (AWS, GitHub, GitLab, Slack, Stripe, Google, OpenAI, npm,
  PyPI, JWT), PEM private-key blocks, and high-entropy values assigned to key-like names
  (``api_key = …``, ``"password": …``). ``detect-secrets`` was considered: its token plugins are
  the same kind of regex table, but it reports no spans and its entropy plugins flag any quoted
  high-entropy string (hashes, ids), so it is not used.
"""

from __future__ import annotations

import functools
import ipaddress
import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterable

# ---------------------------------------------------------------------------- matches


@dataclass(frozen=True)
class Match:
    """One validated entity in one text: its type and character span ``[start, end)``."""

    entity: str
    start: int
    end: int
    value: str

    @property
    def placeholder(self) -> str:
        return f"[{PLACEHOLDERS.get(self.entity, self.entity.upper())}]"


PLACEHOLDERS = {
    "email": "EMAIL",
    "phone": "PHONE",
    "credit_card": "CREDIT_CARD",
    "iban": "IBAN",
    "ip_address": "IP_ADDRESS",
    "us_ssn": "US_SSN",
    "secret": "SECRET",
    "private_key": "PRIVATE_KEY",
}


def mask(match: Match) -> str:
    """The value with most characters hidden: reports show this, never the value itself."""
    v = match.value
    if match.entity in ("credit_card", "iban"):
        digits = re.sub(r"[\s-]", "", v)
        return "*" * (len(digits) - 4) + digits[-4:]
    if match.entity == "private_key":
        return "-----BEGIN … PRIVATE KEY----- (hidden)"
    if match.entity == "email" and "@" in v:
        local, _, domain = v.partition("@")
        tld = domain.rsplit(".", 1)[-1]
        return f"{local[:1]}***@***.{tld}"
    if match.entity == "secret":
        return v[:4] + "*" * max(len(v) - 4, 4)
    if len(v) <= 4:
        return "*" * len(v)
    return v[:2] + "*" * (len(v) - 4) + v[-2:]


def redact(text: str, matches: Iterable[Match]) -> str:
    """``text`` with every match replaced by its placeholder (all other characters kept)."""
    out, last = [], 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start < last:  # overlapping: the earlier match already covers it
            continue
        out += [text[last : m.start], m.placeholder]
        last = m.end
    out.append(text[last:])
    return "".join(out)


# ---------------------------------------------------------------------------- detectors


@dataclass(frozen=True)
class Detector:
    entity: str
    prefilter: str  # RE2 pattern (pyarrow) that every text holding an entity matches
    find: Callable[[str, tuple[str, ...]], list[Match]]  # (text, regions) → validated matches


_NEGATIVE_CONTEXT = re.compile(
    r"(?:\b(?:order|invoice|ref(?:erence)?|tracking|account|acct|ticket|case|isbn|id|num(?:ber)?|sku|serial|"
    r"version|ver|v|release|build|patch|model)|\bno\.|#)\s*[.:#-]?\s*$",
    re.IGNORECASE,
)


def _negative_context(text: str, start: int) -> bool:
    """A number right after a word that makes it an identifier, not personal data."""
    return bool(_NEGATIVE_CONTEXT.search(text[max(0, start - 16) : start]))


# --- email

_EMAIL = re.compile(r"(?<![\w.%+-])[^\W_](?:[\w.%+-]{0,62}[\w%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![\w-])")
_FILE_TLDS = {"png", "jpg", "jpeg", "gif", "svg", "webp", "js", "css", "py", "txt", "pdf", "json", "html"}


# Role mailboxes (RFC 2142's, and the service desks companies publish): an organisation's
# address, not a person's. On real airline tweets a quarter of the addresses were these
# (customer.relations@…, info@…), and a redaction of them would remove the help the tweet gives.
_ROLE_WORDS = {
    "abuse", "admin", "billing", "care", "careers", "contact", "customer", "customers", "customercare",
    "customerservice", "desk", "donotreply", "enquiries", "eservice", "feedback", "ftp", "hello", "help",
    "helpdesk", "hostmaster", "info", "inquiries", "jobs", "marketing", "media", "news", "noc", "noreply",
    "no", "office", "postmaster", "press", "privacy", "relations", "reply", "sales", "security", "service",
    "services", "support", "team", "webmaster", "www",
    # the desks and senders of newsletters, bookings and campaigns
    "accounts", "alerts", "bookings", "booking", "complaints", "enquiry", "general", "inquiry", "mail",
    "mailer", "members", "newsletter", "newsletters", "notifications", "offers", "orders", "promo",
    "promotions", "queries", "query", "reception", "reservations", "rewards", "tickets", "updates",
}


def _role_words(word: str) -> bool:
    """``word`` is role words run together (``customersqueries``), by dynamic programming."""
    ends = [True] + [False] * len(word)
    for end in range(1, len(word) + 1):
        ends[end] = any(ends[start] and word[start:end] in _ROLE_WORDS for start in range(max(0, end - 16), end))
    return ends[-1]


def _role_mailbox(local: str) -> bool:
    """``customer.relations``, ``no-reply``, ``customersqueries``, ``tddnewsletter``: every word of
    the local part is made of role words, except at most a short brand prefix (≤ 4 letters) in
    front of a long role part (≥ 6 letters), so ``annanews`` stays a person's."""
    words = [w for w in re.split(r"[._+-]+", local.lower()) if w]

    def role(word: str) -> bool:
        return _role_words(word) or any(
            len(word) - cut >= 6 and _role_words(word[cut:]) for cut in range(1, min(4, len(word) - 6) + 1)
        )

    return bool(words) and all(role(w) for w in words)


@functools.cache
def _suffixes():
    from publicsuffixlist import PublicSuffixList  # loaded on the first email candidate only

    return PublicSuffixList()


def _known_suffix(domain: str) -> bool:
    """``domain`` ends in a suffix of the Public Suffix List (``kiosk.Valid`` does not)."""
    return _suffixes().publicsuffix(domain.lower(), accept_unknown=False) is not None


def _find_email(text: str, regions: tuple[str, ...]) -> list[Match]:
    out = []
    for m in _EMAIL.finditer(text):
        value = m.group(0)
        local, _, domain = value.partition("@")
        if (".." in local or domain.rsplit(".", 1)[-1].lower() in _FILE_TLDS or _role_mailbox(local)
                or not _known_suffix(domain)):
            continue
        out.append(Match("email", m.start(), m.end(), value))
    return out


# --- phone

_PHONE = re.compile(r"(?<![\w+.,/-])(?:\+|00)?\(?\d[\d\s().\-/]{5,20}\d(?!\w|[.,/-]\d)")
_DATE_LIKE = re.compile(r"^\d{1,4}([./-])\d{1,2}\1\d{1,4}$|^\d{4}\s?-\s?\d{2}\s?-\s?\d{2}")
_DECIMAL = re.compile(r"^\d+[.,]\d+$")


@functools.cache
def _service_numbers() -> frozenset:
    """Number types that belong to a service by construction (premium rate, toll free, shared
    cost, universal access): a business line that anyone may call, never a person's number."""
    from phonenumbers import PhoneNumberType as T

    return frozenset({T.PREMIUM_RATE, T.TOLL_FREE, T.SHARED_COST, T.UAN})


def _find_phone(text: str, regions: tuple[str, ...]) -> list[Match]:
    out = []
    for m in _PHONE.finditer(text):
        raw = m.group(0).rstrip(" -./(")
        digits = re.sub(r"\D", "", raw)
        if not 7 <= len(digits) <= 15 or _DATE_LIKE.match(raw) or _DECIMAL.match(raw):
            continue
        if raw.count("(") != raw.count(")") or _negative_context(text, m.start()):
            continue
        international = raw.startswith(("+", "00"))
        candidates = [None] if international else list(regions)
        if not international and not regions:
            continue
        import phonenumbers  # only once a candidate needs validating: most runs never load it

        for region in candidates:
            number = "+" + raw[2:] if raw.startswith("00") else raw
            try:
                parsed = phonenumbers.parse(number, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(parsed):
                if phonenumbers.number_type(parsed) in _service_numbers():
                    break
                out.append(Match("phone", m.start(), m.start() + len(raw), raw))
                break
    return out


# --- payment cards

_CARD = re.compile(r"(?<![\w.,-])(?:\d{4}([ -])\d{4}\1\d{4}\1\d{4}(?:\1\d{3})?|\d{4}([ -])\d{6}\2\d{4,5}|\d{12,19})(?!\w|[.,-]\d)")
_IBAN_BEFORE = re.compile(r"[A-Z]{2}\d{2} ?$")  # digits that continue an IBAN-shaped prefix
# (prefix low, prefix high, allowed lengths): Visa, Mastercard, Amex, Discover, JCB, Diners,
# UnionPay, Maestro — the published IIN ranges
_IIN = [
    ("4", "4", (13, 16, 19)),
    ("51", "55", (16,)),
    ("2221", "2720", (16,)),
    ("34", "34", (15,)),
    ("37", "37", (15,)),
    ("6011", "6011", (16, 19)),
    ("644", "649", (16, 19)),
    ("65", "65", (16, 19)),
    ("3528", "3589", (16, 19)),
    ("300", "305", (14, 16, 19)),
    ("36", "36", (14, 16, 19)),
    ("38", "39", (16, 19)),
    ("62", "62", (16, 17, 18, 19)),
    ("50", "50", (12, 13, 14, 15, 16, 17, 18, 19)),
    ("56", "58", (12, 13, 14, 15, 16, 17, 18, 19)),
    ("67", "67", (12, 13, 14, 15, 16, 17, 18, 19)),
]


def _issuer_ok(digits: str) -> bool:
    for low, high, lengths in _IIN:
        prefix = digits[: len(low)]
        if low <= prefix <= high and len(digits) in lengths:
            return True
    return False


def _find_card(text: str, regions: tuple[str, ...]) -> list[Match]:
    from stdnum import luhn

    out = []
    for m in _CARD.finditer(text):
        raw = m.group(0)
        digits = re.sub(r"\D", "", raw)
        if len(set(digits)) < 3 or not _issuer_ok(digits) or not luhn.is_valid(digits):
            continue
        if _negative_context(text, m.start()) or _IBAN_BEFORE.search(text[max(0, m.start() - 5) : m.start()]):
            continue
        out.append(Match("credit_card", m.start(), m.end(), raw))
    return out


# --- IBAN

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])|(?<![A-Za-z0-9])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?![A-Za-z0-9])")


def _find_iban(text: str, regions: tuple[str, ...]) -> list[Match]:
    from stdnum import iban

    out = []
    for m in _IBAN.finditer(text):
        value = m.group(0)
        while value and not iban.is_valid(value):  # a word after the number may have been taken in
            value = value.rsplit(" ", 1)[0] if " " in value else ""
        if value:
            out.append(Match("iban", m.start(), m.start() + len(value), value))
    return out


# --- IP addresses

_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:.])")
_VERSION_BEFORE = re.compile(r"(?:\bv|version|ver|release|build|rev|firmware|ios|android|python|node)\s*[:.]?\s*$", re.IGNORECASE)


def _find_ip(text: str, regions: tuple[str, ...]) -> list[Match]:
    out = []
    for pattern in (_IPV4, _IPV6):
        for m in pattern.finditer(text):
            value = m.group(0)
            try:
                address = ipaddress.ip_address(value)
            except ValueError:
                continue
            if not address.is_global or address.is_multicast:
                continue
            if address.version == 4:
                parts = value.split(".")
                if all(len(p) == 1 for p in parts) or any(len(p) > 1 and p[0] == "0" for p in parts):
                    continue
                if _VERSION_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
                    continue
            elif value.count(":") < 3 and "::" not in value:
                continue
            out.append(Match("ip_address", m.start(), m.end(), value))
    return out


# --- US Social Security numbers

_SSN = re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])")


def _find_ssn(text: str, regions: tuple[str, ...]) -> list[Match]:
    from stdnum.us import ssn

    out = []
    for m in _SSN.finditer(text):
        if ssn.is_valid(m.group(0).replace(" ", "-")) and not _negative_context(text, m.start()):
            out.append(Match("us_ssn", m.start(), m.end(), m.group(0)))
    return out


# --- secrets

_TOKENS = re.compile(
    "|".join(
        [
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",  # AWS access key id
            r"\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b",  # GitHub
            r"\bgithub_pat_[A-Za-z0-9_]{82}\b",
            r"\bglpat-[A-Za-z0-9_\-]{20}\b",  # GitLab
            r"\bxox[abposr]-[0-9A-Za-z\-]{10,72}\b",  # Slack tokens
            r"https://hooks\.slack\.com/services/T[A-Z0-9]{8,}/B[A-Z0-9]{8,}/[A-Za-z0-9]{24}",
            r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{24,99}\b",  # Stripe secret / restricted keys
            r"\bAIza[0-9A-Za-z_\-]{35}(?![0-9A-Za-z_\-])",  # Google API key
            r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{20,}T3BlbkFJ[A-Za-z0-9_\-]{20,}\b",  # OpenAI
            r"\bnpm_[A-Za-z0-9]{36}\b",
            r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}",
            r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{20,}",  # JWT
        ]
    )
)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|$)")
_KEYLIKE = re.compile(
    r"(?i)\b(?:api[_-]?key|apikey|secret(?:[_-]?key)?|client[_-]?secret|access[_-]?token|auth[_-]?token|token|"
    r"passw(?:or)?d|pwd|private[_-]?key|access[_-]?key)[\"']?\s*(?::=|=>|[:=])\s*[\"']?([A-Za-z0-9+/_\-.=!@#$%^&*]{12,})"
)


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def _find_secret(text: str, regions: tuple[str, ...]) -> list[Match]:
    out = [Match("private_key", m.start(), m.end(), m.group(0)) for m in _PRIVATE_KEY.finditer(text)]
    out += [Match("secret", m.start(), m.end(), m.group(0)) for m in _TOKENS.finditer(text)]
    for m in _KEYLIKE.finditer(text):
        value = m.group(1).rstrip(".")
        classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
        hexlike = re.fullmatch(r"[0-9a-fA-F]+", value) is not None
        if (hexlike and len(value) >= 32 and entropy(value) >= 3.0) or (classes >= 3 and entropy(value) >= 3.5):
            start = m.start(1)
            if not any(o.start <= start < o.end for o in out):
                out.append(Match("secret", start, start + len(value), value))
    return out


DETECTORS: dict[str, Detector] = {
    d.entity: d
    for d in [
        Detector("email", r"@[A-Za-z0-9-]+\.", _find_email),
        Detector("phone", r"\d[\d\s().\-/]{5,20}\d", _find_phone),
        Detector("credit_card", r"\d(?:[ -]?\d){11,18}", _find_card),
        Detector("iban", r"[A-Z]{2}\d{2} ?[A-Z0-9]{4}", _find_iban),
        Detector("ip_address", r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}", _find_ip),
        Detector("us_ssn", r"\d{3}[- ]\d{2}[- ]\d{4}", _find_ssn),
        Detector(
            "secret",
            r"PRIVATE KEY|AKIA|ASIA|ABIA|ACCA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|hooks\.slack\.com|"
            r"[sr]k_(?:live|test)_|AIza|T3BlbkFJ|npm_|pypi-|eyJ|(?i:key|secret|token|passw|pwd)",
            _find_secret,
        ),
    ]
}
# which detector keeps a span two of them claim (checksummed and specific formats first)
PRIORITY = ["secret", "iban", "credit_card", "us_ssn", "email", "ip_address", "phone"]
# the phone prefilter when no region is configured: only international numbers can match
INTERNATIONAL_PHONE = r"(?:\+|\b00)\(?\d"


def detect(text: str, entities: Iterable[str], regions: tuple[str, ...] = ()) -> list[Match]:
    """Every validated match of the given entity types in ``text``, by position."""
    found: list[Match] = []
    for entity in sorted(entities, key=PRIORITY.index):
        for match in DETECTORS[entity].find(text, regions):
            if not any(match.start < f.end and f.start < match.end for f in found):
                found.append(match)
    return sorted(found, key=lambda m: m.start)


__all__ = ["DETECTORS", "INTERNATIONAL_PHONE", "Match", "detect", "entropy", "mask", "redact"]
