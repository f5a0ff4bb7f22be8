"""Regenerate the bundled example datasets (deterministic, offline).

    python example_datasets/make_examples.py

Creates hf_news/ (Hugging Face layout), kaggle_loans/ (Kaggle layout),
products_v1/ + products_v2/ (plain JSON-lines files with schema drift), the
curate.yaml suites of hf_news/ and kaggle_loans/, the index README.md, and
ground truth in planted/*.json. Ground truth lives
outside the dataset folders so that loaders scanning a folder never see it.

Every problem is planted on purpose and recorded; everything else is generated
so that real detectors find nothing: hf_news texts are sampled with rejection
so that no two unplanted texts have word-set Jaccard >= 0.45, and the script
re-checks all pairs at the end. Only stdlib + numpy are used, with fixed seeds
and no set iteration, so output is byte-identical whatever PYTHONHASHSEED is.
"""
import csv
import io
import json
import math
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
SEED = 20240611
TOKEN_RE = re.compile(r"\w+")
JACCARD_DEF = "word-set Jaccard of re.findall(r'\\w+', text.lower())"


def words(text):
    return set(TOKEN_RE.findall(text.lower()))


def jaccard(a, b):
    wa, wb = words(a), words(b)
    return len(wa & wb) / len(wa | wb)


def write_text(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))


def write_json(path, obj):
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def write_csv(path, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    write_text(path, buf.getvalue())


def md_table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --------------------------------------------------------------------------
# hf_news: vocabularies. Topic words are disjoint between topics so that a
# flipped label is unambiguous; fillers/templates are shared by all topics.
# --------------------------------------------------------------------------
def _topic(actors, verbs, nouns, adjs):
    return dict(actors=actors.split("|"), verbs=verbs.split(), nouns=nouns.split(), adjs=adjs.split())


TOPICS = {
    "world": _topic(
        "the foreign minister|the prime minister|rebel commanders|opposition lawmakers|the United Nations|"
        "peacekeepers|the ambassador|border guards|the ruling coalition|election monitors|the president|"
        "aid agencies|the parliament speaker|the defence ministry|senior diplomats|tribal elders|the envoy",
        "condemned negotiated rejected endorsed postponed ratified denounced brokered suspended vetoed welcomed "
        "criticised imposed lifted blocked proposed debated annulled extended recognised",
        "ceasefire treaty sanctions referendum embassy border coalition election refugees summit constitution "
        "militia protests curfew asylum insurgency blockade annexation truce accord evacuation ballot uprising "
        "embargo sovereignty delegation mandate visas detainees corridor resolution amnesty occupation enclave",
        "bilateral fragile disputed interim humanitarian diplomatic provisional contested multilateral "
        "separatist authoritarian parliamentary electoral territorial autonomous ceremonial"),
    "sports": _topic(
        "the striker|the head coach|the goalkeeper|the captain|the league commissioner|the referee|"
        "the defending champions|the visitors|the home side|the midfielder|the sprinter|the quarterback|"
        "the pitcher|the rookie forward|the veteran winger|the tennis star|the cycling team|the club chairman",
        "scored clinched defeated equalised sidelined benched dominated rallied edged outpaced tackled "
        "converted qualified relegated drafted outscored outclassed sprinted volleyed dribbled",
        "goal penalty match tournament playoff stadium championship semifinal derby hattrick injury squad "
        "fixture lap medal innings touchdown rebound podium relegation marathon trophy freekick halftime "
        "overtime dugout wicket racket velodrome scrum corner offside homer bullpen putt",
        "unbeaten thrilling tactical injured athletic Olympic varsity acrobatic offensive defensive "
        "undefeated sporting aerobic professional amateur goalless"),
    "business": _topic(
        "the central bank|shareholders|the chief executive|institutional investors|regulators|the retailer|"
        "the startup|market analysts|the board of directors|creditors|the automaker|the airline|"
        "the conglomerate|bond traders|the insurer|the lender|the hedge fund|the finance chief",
        "acquired reported raised forecast merged invested downgraded borrowed listed restructured outsourced "
        "divested priced hedged audited refinanced syndicated liquidated franchised repurchased",
        "earnings revenue profit dividend shares merger acquisition bonds inflation quarter margins layoffs "
        "valuation tariffs stock debt bankruptcy subsidiary portfolio loan outlook guidance exports buyback "
        "payroll invoices equity mortgage liquidity wholesale cashflow yields royalties franchise premiums",
        "quarterly fiscal bullish bearish volatile profitable leveraged corporate monetary speculative "
        "taxable insolvent solvent lucrative inflationary macroeconomic"),
    "science": _topic(
        "researchers|astronomers|the space agency|biologists|physicists|the laboratory|chemists|geologists|"
        "the research team|climate scientists|the observatory|neuroscientists|epidemiologists|marine ecologists|"
        "the genetics institute|botanists|a team of microbiologists|planetary scientists",
        "discovered sequenced measured observed synthesised detected modelled simulated mapped analysed "
        "identified cloned catalogued excavated isolated calibrated photographed dated cultured irradiated",
        "genome telescope galaxy protein molecule fossil vaccine neutrino enzyme satellite exoplanet cells "
        "bacteria particle experiment asteroid glacier neurons microbes isotope spectrometer orbit comet "
        "mutation species reactor laser catalyst nebula chromosome antibodies supernova plankton sediment",
        "microscopic genetic orbital molecular experimental subatomic atmospheric cellular sedimentary "
        "evolutionary radioactive infrared photosynthetic geothermal crystalline genomic"),
}
LABELS = ["world", "sports", "business", "science"]
PLACES = ("Nairobi Geneva Kabul Caracas Jakarta Ankara Lima Hanoi Tbilisi Khartoum Manila Beirut Oslo "
          "Dakar Quito Lagos Seoul Madrid Warsaw Bogota Perth Denver Glasgow Osaka").split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
TIMES = ["last week", "this year", "overnight", "earlier this month", "late on Friday", "in recent days",
         "since January", "over the weekend", "this spring", "two years ago", "before dawn", "at midday"]
SOURCES = ["a spokesperson", "local media", "officials", "people familiar with the matter", "a statement",
           "two sources", "the agency", "state television", "a press release", "an internal memo"]
ADVERBS = "reportedly quietly abruptly formally publicly unexpectedly finally narrowly again swiftly".split()
ORDINALS = "second third fourth fifth sixth seventh".split()
TEMPLATES = (
    "{A} {V} the {J} {N} in {P} on {D}.|{A} {V} the {N} after {A2} {V2} the {J} {N2}.|"
    "In {P}, {A} {V} the {N} {T}, {S} said.|The {J} {N} was {V} by {A} {T}.|"
    "{A} also {V} the {N2} and the {N3}.|Talk of {N} and {N2} dominated {D} as {A} {V} the {J2} {N3}.|"
    "According to {S}, {A} {V} the {N} amid {J} {N2}.|"
    "Observers in {P} noted that {A} {V} the {J} {N} {T}.|"
    "{A} {V} the {N}, while {A2} {V2} the {J2} {N2}.|Questions remain over the {N} after {A} {V} it {T}.|"
    "{Tc}, {A} {V} the {N} and {V2} the {J} {N2}.|Details of the {J} {N} were {V} by {A} in {P}.|"
    "{A} warned the {J} {N} could affect {N2} and {N3} for {Q} months.|"
    "The move follows {Q} days of {J} {N} in {P}.|No {N} was {V} on {D}, though {A} {V2} the {N2}.|"
    "{A} {V} the {N}; {A2} {V2} the {N2} {T}.|Critics said the {N} {F} hurt {J} {N2} by {Q} percent.|"
    "It was the {O} {N} {V} by {A} {T}.|More than {Q} people followed the {N} as {A} {V} the {J} {N2}.|"
    "{Sc} described the {N} as {J} and {J2}.|{A} {F} {V} the {N} near {P}.|"
    "Speaking in {P}, {A} {V} the {J} {N} {T}."
).split("|")


def pick(rng, seq, k=1):
    idx = rng.choice(len(seq), size=k, replace=False)
    return [seq[i] for i in idx]


def cap(s):
    return s[0].upper() + s[1:]


def make_text(rng, topic):
    """2-3 sentences from distinct shared templates, 18-35 words."""
    v = TOPICS[topic]
    while True:
        sents = []
        for ti in rng.choice(len(TEMPLATES), size=int(rng.integers(2, 4)), replace=False):
            a, a2 = pick(rng, v["actors"], 2)
            vb, vb2 = pick(rng, v["verbs"], 2)
            n, n2, n3 = pick(rng, v["nouns"], 3)
            j, j2 = pick(rng, v["adjs"], 2)
            t, s = pick(rng, TIMES)[0], pick(rng, SOURCES)[0]
            sent = TEMPLATES[ti].format(
                A=a, A2=a2, V=vb, V2=vb2, N=n, N2=n2, N3=n3, J=j, J2=j2, P=pick(rng, PLACES)[0],
                D=pick(rng, DAYS)[0], T=t, Tc=cap(t), S=s, Sc=cap(s), Q=int(rng.integers(2, 900)),
                F=pick(rng, ADVERBS)[0], O=pick(rng, ORDINALS)[0])
            sents.append(cap(sent))
        text = " ".join(sents)
        if 18 <= len(text.split()) <= 35:
            return text


def substitute(rng, text, topic, k):
    """Replace k topic words (noun/verb/adj) by other words of the same list."""
    toks = text.split(" ")
    present = words(text)
    slots = []
    for i, tok in enumerate(toks):
        core = tok.strip(".,;")
        for key in ("nouns", "verbs", "adjs"):
            if core in TOPICS[topic][key]:
                slots.append((i, key))
    for pos in rng.choice(len(slots), size=min(k, len(slots)), replace=False):
        i, key = slots[pos]
        core = toks[i].strip(".,;")
        choices = [w for w in TOPICS[topic][key] if w.lower() not in present]
        new = choices[int(rng.integers(len(choices)))]
        present.add(new.lower())
        toks[i] = toks[i].replace(core, new, 1)
    return " ".join(toks)


def near_copy(rng, text, topic, kind):
    """A near duplicate with word-set Jaccard in [0.7, 0.95] to the original."""
    for _ in range(200):
        if kind == "substitution":
            new = substitute(rng, text, topic, int(rng.integers(2, 4)))
        elif kind == "swap+substitution":
            toks = text.split(" ")
            i = int(rng.integers(1, len(toks) - 2))
            toks[i], toks[i + 1] = toks[i + 1], toks[i]
            new = substitute(rng, " ".join(toks), topic, 1)
        else:  # truncation
            new = " ".join(text.split(" ")[: -int(rng.integers(3, 11))])
        if 0.7 <= jaccard(text, new) <= 0.95:
            return new
    raise RuntimeError("could not make near copy")


def normalized_copy(text, kind):
    """Same text after NFKC + casefold + whitespace collapsing, different bytes."""
    toks = text.split(" ")
    if kind == "uppercase":
        return text.upper()
    if kind == "lowercase":
        return text.lower()
    if kind == "extra_whitespace":
        return "  ".join(toks[:5]) + "   " + " ".join(toks[5:])
    if kind == "nbsp":
        return "\u00a0".join(toks[:6]) + "\u00a0" + " ".join(toks[6:])
    longest = max(range(len(toks)), key=lambda i: (len(toks[i].strip(".,;")), -i))
    toks[longest] = "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in toks[longest])
    if kind == "fullwidth+whitespace":
        return "  ".join(toks)
    return " ".join(toks)  # fullwidth


def unique_texts(rng, labels, threshold=0.45):
    """Rejection-sample one text per label, all pairwise Jaccard < threshold."""
    accepted, sets = [], []
    for lab in labels:
        while True:
            t = make_text(rng, lab)
            w = words(t)
            if all(len(w & o) / len(w | o) < threshold for o in sets):
                break
        accepted.append(t)
        sets.append(w)
    return accepted


def make_hf_news():
    """Text classification (HF card + CSV splits) with duplicates, leakage, label noise, gender skew.

    Base rows are unique texts; planted rows are copies of distinct base rows ("originals"), each
    original is used once and never flipped, so every ground-truth list is unambiguous."""
    rng = np.random.default_rng(SEED)
    n = dict(exact=12, normalized=6, near=15, conflict=5, leak_exact=10, leak_near=5)
    n_train, n_test = 2000, 500
    sizes = {"train": n_train - n["exact"] - n["normalized"] - n["near"] - n["conflict"],
             "test": n_test - n["leak_exact"] - n["leak_near"]}
    p_male = {"world": 0.62, "sports": 0.86, "business": 0.70, "science": 0.84}
    base = {}
    for split, size in sizes.items():
        labs = [LABELS[i] for i in rng.permutation(np.arange(size) % 4)]  # balanced classes
        base[split] = [dict(label=l, true=l, gender="female", role="base") for l in labs]
        for lab in LABELS:  # exact per-label gender quotas
            rows = [r for r in base[split] if r["label"] == lab]
            for i in rng.choice(len(rows), size=round(p_male[lab] * len(rows)), replace=False):
                rows[i]["gender"] = "male"
    allbase = base["train"] + base["test"]
    for r, t in zip(allbase, unique_texts(rng, [r["label"] for r in allbase])):
        r["text"] = t

    tr, order, copies = base["train"], iter(rng.permutation(len(base["train"])).tolist()), []
    def copy(role, split, **kw):
        o = tr[next(order)]
        copies.append(dict(o, role=role, split=split, orig=o, **kw))
        return copies[-1]
    for _ in range(n["exact"]):
        copy("exact", "train")
    for kind in ["uppercase", "lowercase", "extra_whitespace", "nbsp", "fullwidth", "fullwidth+whitespace"]:
        c = copy("normalized", "train", kind=kind)
        c["text"] = normalized_copy(c["text"], kind)
    for i in range(n["near"]):
        c = copy("near", "train", kind=["substitution", "swap+substitution", "truncation"][i % 3])
        c["text"] = near_copy(rng, c["text"], c["label"], c["kind"])
    for _ in range(n["conflict"]):
        c = copy("conflict", "train", true=None)
        c["label"] = [l for l in LABELS if l != c["label"]][int(rng.integers(3))]
    for _ in range(n["leak_exact"]):
        copy("leak_exact", "test")
    for _ in range(n["leak_near"]):
        c = copy("leak_near", "test", kind="substitution")
        c["text"] = near_copy(rng, c["text"], c["label"], "substitution")
    for pool in ([tr[i] for i in order], base["test"]):  # ~3% flips among the remaining rows
        for i in rng.choice(len(pool), size=round(0.03 * len(pool)), replace=False):
            r = pool[i]
            r["label"], r["role"] = [l for l in LABELS if l != r["label"]][int(rng.integers(3))], "flipped"

    splits = {}
    for split, prefix in (("train", "tr"), ("test", "te")):
        rows = base[split] + [c for c in copies if c["split"] == split]
        rows = [rows[i] for i in rng.permutation(len(rows))]
        pos = {id(r): i for i, r in enumerate(rows)}
        for i, r in enumerate(rows):  # a copy always comes after its original (keep-first dedup drops copies)
            if r.get("orig") is not None and id(r["orig"]) in pos and pos[id(r["orig"])] > i:
                j = pos[id(r["orig"])]
                rows[i], rows[j], pos[id(r["orig"])], pos[id(r)] = r["orig"], r, i, j
        for i, r in enumerate(rows):
            r["id"], r["split"] = f"{prefix}-{i + 1:05d}", split
        splits[split] = rows
    splits["train"] += foundation_rows(splits["train"] + splits["test"], len(splits["train"]))
    for split, rows in splits.items():  # an empty text is written as an empty field (pandas reads NaN)
        write_csv(ROOT / "hf_news" / "data" / f"{split}.csv", ["id", "text", "label", "author_gender"],
                  [[r["id"], r["text"] or "", r["label"], r["gender"]] for r in rows])
    allrows = splits["train"] + splits["test"]

    def sel(role, **fields):
        rows = sorted((r for r in allrows if r["role"] == role), key=lambda r: r["id"])
        return [{k: f(r) for k, f in fields.items()} for r in rows]
    sid, oid = (lambda r: r["split"]), (lambda r: r["orig"]["id"])
    jac = lambda r: round(jaccard(r["text"], r["orig"]["text"]), 4)
    P = {"dataset": "hf_news", "jaccard_definition": JACCARD_DEF,
         "normalization_definition": "unicodedata.normalize('NFKC', text).casefold() with whitespace runs "
                                     "collapsed to one space and stripped",
         "exact_duplicates": sel("exact", split=sid, id=lambda r: r["id"], original_id=oid),
         "normalized_duplicates": sel("normalized", split=sid, id=lambda r: r["id"], original_id=oid,
                                      kind=lambda r: r["kind"]),
         "near_duplicates": sel("near", split=sid, id=lambda r: r["id"], original_id=oid,
                                kind=lambda r: r["kind"], jaccard=jac),
         "conflicting_labels": sel("conflict", split=sid, id=lambda r: r["id"], original_id=oid,
                                   label=lambda r: r["label"], original_label=lambda r: r["orig"]["label"]),
         "leakage": [dict(e, kind=k) for k in ("exact", "near")
                     for e in sel("leak_" + k, test_id=lambda r: r["id"], train_id=oid, jaccard=jac)],
         "flipped_labels": sel("flipped", split=sid, id=lambda r: r["id"], given=lambda r: r["label"],
                               true=lambda r: r["true"]),
         "invalid_labels": sel("invalid_label", split=sid, id=lambda r: r["id"], label=lambda r: r["label"],
                               intended_label=lambda r: r["true"]),
         "empty_texts": sel("empty_text", split=sid, id=lambda r: r["id"], label=lambda r: r["label"])}
    P["foundation_problems_note"] = (
        "invalid_labels and empty_texts are extra rows appended at the end of train (their text is new, "
        "not a copy). invalid_labels: label is a misspelling outside the card's ClassLabel names (found by "
        "the schema check and by expect_column_values_to_be_in_set); datasets.load_dataset fails on this "
        "folder because of them (ClassLabel cannot encode the string). empty_texts: text is an empty CSV "
        "field, read as null (found by expect_column_values_to_not_be_null); the two rows have no text, so "
        "they are not duplicates, near duplicates, conflicting labels or leakage of anything.")
    P["datasets_load_dataset"] = {  # checked with datasets 5.2 (offline, fresh cache), any split
        "fails": True, "exception": "datasets.exceptions.DatasetGenerationError",
        "cause": "ValueError: Invalid string class label sport", "caused_by": "invalid_labels"}

    def gstats(rows):
        m = sum(r["gender"] == "male" for r in rows)
        return {"rows": len(rows), "male": m, "female": len(rows) - m, "male_share": round(m / len(rows), 4)}
    P["author_gender"] = {s: dict(gstats(rows), by_label={l: gstats([r for r in rows if r["label"] == l])
                                                         for l in LABELS})
                          for s, rows in [*splits.items(), ("overall", allrows)]}
    P["author_gender"]["note"] = ("by_label uses the label column as stored (flipped labels included; the "
                                  "invalid label strings count in the split totals only)")
    P["label_counts"] = {s: {l: sum(r["label"] == l for r in rows)
                             for l in LABELS + sorted({r["label"] for r in rows} - set(LABELS))}
                         for s, rows in splits.items()}
    P["label_counts_note"] = "values of the label column as stored, invalid (out-of-names) labels included"
    P["arrow_num_bytes"] = {s: arrow_num_bytes(rows) for s, rows in splits.items()}
    P["counts"] = {"train_rows": len(splits["train"]), "test_rows": len(splits["test"]),
                   **{k: len(v) for k, v in P.items() if isinstance(v, list)},
                   "leakage_exact": n["leak_exact"], "leakage_near": n["leak_near"],
                   **{f"flipped_{s}": sum(f["split"] == s for f in P["flipped_labels"]) for s in splits}}
    P.update(verify_hf_news([r for r in allrows if r["text"]]))
    write_json(ROOT / "planted" / "hf_news.json", P)
    write_text(ROOT / "hf_news" / "README.md", hf_card(P))
    return P


UNCOPIED_ROLES = ("base", "flipped", "invalid_label")  # rows whose text is not a planted copy
INVALID_LABELS = {"sports": "sport", "business": "buisness", "science": "Science"}  # intended -> stored
N_EMPTY_TEXTS = 2


def foundation_rows(existing, n_before):
    """Extra train rows for the foundation checks (schema against the card, expect), ids after n_before.

    Three rows whose label is a misspelling outside the ClassLabel names (their text is a fresh text of
    the intended topic, word-set Jaccard < 0.4 to every existing row, so no new near duplicate and the
    reported maximum Jaccard is unchanged) and two rows with an empty text. A separate generator keeps
    every row drawn before byte-identical. 4 of the 5 authors are male (overall share stays 75.4%)."""
    rng = np.random.default_rng(SEED + 3)
    sets = [words(r["text"]) for r in existing]
    extra = []
    for intended, stored in INVALID_LABELS.items():
        while True:
            t = make_text(rng, intended)
            w = words(t)
            if all(len(w & o) / len(w | o) < 0.4 for o in sets):
                break
        sets.append(w)
        extra.append(dict(text=t, label=stored, true=intended, role="invalid_label"))
    for lab in pick(rng, LABELS, N_EMPTY_TEXTS):
        extra.append(dict(text=None, label=lab, true=lab, role="empty_text"))
    female = int(rng.integers(len(extra)))
    extra = [extra[i] for i in rng.permutation(len(extra))]
    for i, r in enumerate(extra):
        r.update(gender="female" if i == female else "male", id=f"tr-{n_before + i + 1:05d}", split="train")
    return extra


def arrow_num_bytes(rows):
    """Arrow size as `datasets` records it (pa.Table.nbytes of the one written batch): int32 offsets and
    UTF-8 data of the three string columns, int64 class ids, plus a validity bitmap for a column that has
    nulls. Informational only (datasets checks num_examples, not num_bytes)."""
    size = sum(20 + len(f"{r['id']}{r['text'] or ''}{r['gender']}".encode()) for r in rows)
    return size + (len(rows) + 7) // 8 * any(r["text"] is None for r in rows)


def verify_hf_news(rows):
    """All-pairs check: every pair with Jaccard >= 0.5 must be a planted (copy, original) pair.

    Returns the largest Jaccard among rows that are not planted copies, and among all pairs
    that are not planted pairs (a copy against an unrelated row)."""
    sets = [words(r["text"]) for r in rows]
    vocab = {w: i for i, w in enumerate(sorted(set().union(*sets)))}
    m = np.zeros((len(rows), len(vocab)), dtype=np.float64)
    for i, s in enumerate(sets):
        m[i, [vocab[w] for w in s]] = 1
    inter = m @ m.T
    size = m.sum(1)
    jac = inter / (size[:, None] + size[None, :] - inter)
    np.fill_diagonal(jac, 0)
    idx = {r["id"]: i for i, r in enumerate(rows)}
    for r in rows:
        if "orig" in r:
            jac[idx[r["id"]], idx[r["orig"]["id"]]] = jac[idx[r["orig"]["id"]], idx[r["id"]]] = 0
    keep = np.array([r["role"] in UNCOPIED_ROLES for r in rows])
    worst, worst_unplanted = float(jac.max()), float(jac[np.ix_(keep, keep)].max())
    assert worst < 0.5, f"unplanted near duplicate found (Jaccard {worst})"
    texts = [r["text"] for r in rows if r["role"] in UNCOPIED_ROLES]
    assert len(set(texts)) == len(texts), "unplanted exact duplicate"
    return {"max_jaccard_unplanted_rows": round(worst_unplanted, 4), "max_jaccard_non_planted_pair": round(worst, 4)}


def news_summary(P):
    """Planted-problem summary rows, shared by the card and the index README."""
    c, g = P["counts"], P["author_gender"]
    bad = ", ".join(f"'{e['label']}'" for e in sorted(P["invalid_labels"], key=lambda e: LABELS.index(e["intended_label"])))
    return [
        ["exact duplicates inside train (text, label, gender copied; new id)", c["exact_duplicates"], "`duplicates`"],
        ["normalised duplicates (differ only in case, whitespace, NFKC-equivalent characters)",
         c["normalized_duplicates"], "`duplicates`"],
        ["near duplicates inside train (word-set Jaccard 0.7-0.95)", c["near_duplicates"], "`near_duplicates`"],
        ["conflicting labels (identical text, different label)", c["conflicting_labels"], "`conflicting_labels`"],
        ["train/test leakage (exact / near)", f"{c['leakage_exact']} / {c['leakage_near']}", "`leakage`"],
        ["flipped labels (train / test)", f"{c['flipped_train']} / {c['flipped_test']}", "`label_errors`"],
        ["skewed `author_gender`", f"{g['overall']['male']} male / {g['overall']['female']} female "
                                   f"({g['overall']['male_share']:.1%} male)", "`balance`"],
        [f"label outside the card's ClassLabel names ({bad}; extra train rows)", c["invalid_labels"],
         "`schema` (label outside ClassLabel names), `expect` (`expect_column_values_to_be_in_set`)"],
        ["empty `text` (empty CSV field, read as null; extra train rows)", c["empty_texts"],
         "`expect` (`expect_column_values_to_not_be_null`)"]]


LOAD_DATASET_NOTE = (
    "`datasets.load_dataset` fails on this folder (`DatasetGenerationError`, caused by\n"
    "`ValueError: Invalid string class label sport`), whichever split is asked for: the card declares\n"
    "`label` as a ClassLabel, and `datasets` cannot encode the misspelt labels. That is deliberate:\n"
    "curate's `schema` check reports these rows (with their ids) before `datasets` chokes on them.")


def hf_card(P):
    c, g = P["counts"], P["author_gender"]
    yaml = f"""---
license: cc0-1.0
pretty_name: Curate Example News Topics
task_categories:
- text-classification
language:
- en
size_categories:
- 1K<n<10K
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train.csv
  - split: test
    path: data/test.csv
dataset_info:
  features:
  - name: id
    dtype: string
  - name: text
    dtype: string
  - name: label
    dtype:
      class_label:
        names:
          '0': world
          '1': sports
          '2': business
          '3': science
  - name: author_gender
    dtype: string
  splits:
  - name: train
    num_bytes: {P['arrow_num_bytes']['train']}
    num_examples: {c['train_rows']}
  - name: test
    num_bytes: {P['arrow_num_bytes']['test']}
    num_examples: {c['test_rows']}
---
"""
    sections = [
        ("Exact duplicates (train)", "exact_duplicates", ["id", "original_id"], ""),
        ("Normalised duplicates (train)", "normalized_duplicates", ["id", "original_id", "kind"], ""),
        ("Near duplicates (train)", "near_duplicates", ["id", "original_id", "kind", "jaccard"], ""),
        ("Conflicting labels (train)", "conflicting_labels", ["id", "original_id", "label", "original_label"],
         "The original's label is the correct one.\n\n"),
        ("Train/test leakage", "leakage", ["test_id", "train_id", "kind", "jaccard"], ""),
        ("Flipped labels", "flipped_labels", ["split", "id", "given", "true"],
         "`given` is the label in the file; the text belongs to `true`.\n\n"),
        ("Labels outside the ClassLabel names (train)", "invalid_labels", ["id", "label", "intended_label"],
         "Misspelt labels; the text is about `intended_label`.\n\n"),
        ("Empty texts (train)", "empty_texts", ["id", "label"],
         "`text` is an empty CSV field, read as null (NaN in pandas, None in `datasets`).\n\n")]
    body = "".join(f"### {title}\n{note}{md_table(cols, [[e[k] for k in cols] for e in P[key]])}\n\n"
                   for title, key, cols, note in sections)
    glines = [[s, l, d["rows"], d["male"], d["female"], d["male_share"]]
              for s in ("train", "test") for l, d in g[s]["by_label"].items()]
    return yaml + f"""
# Curate example: news topics

Synthetic English news snippets in four topics (world, sports, business, science),
generated by `example_datasets/make_examples.py` for testing the `curate` toolkit.
Columns: `id` (unique, `tr-NNNNN` / `te-NNNNN`), `text`, `label` (class name), `author_gender`.
Train has {c['train_rows']} rows, test {c['test_rows']}. License: CC0-1.0.

Apart from the problems below there are no duplicates: the largest word-set Jaccard
(words = `re.findall(r'\w+', text.lower())`) between two rows with a text that are not a listed
pair is {P['max_jaccard_non_planted_pair']}.
Machine-readable ground truth: `example_datasets/planted/hf_news.json`.

## Planted problems

{md_table(['problem', 'count', 'found by (curate check)'], news_summary(P))}

No row is in two categories, and every original row is copied at most once. The last two
problems are for curate's foundation checks: `schema` (the data against the features declared
above) and `expect` (Great Expectations expectations); both are in the suite `curate.yaml` next
to this card, which also runs `drift` (train vs test, as a warning). The others are for the check
families named in the table.

{LOAD_DATASET_NOTE}

{body}### author_gender skew (by stored label)
{md_table(['split', 'label', 'rows', 'male', 'female', 'male share'], glines)}
"""


# kaggle_loans
RACES = ["White", "Hispanic", "Black", "Asian", "Native American"]
RACE_SEX = {"Male": [630, 308, 252, 157, 53], "Female": [270, 132, 108, 83, 7]}
INCOME_MISSING = {"White": 18, "Hispanic": 9, "Black": 72, "Asian": 5, "Native American": 1}
ZIPS = {"White": ["554", "606", "973"], "Hispanic": ["785", "850", "900"], "Black": ["303", "372", "482"],
        "Asian": ["021", "941", "981"], "Native American": ["575", "590"]}
APPROVED = {"Male": 700, "Female": 180}
MARITAL = {"18-25": [.80, .17, .03, 0], "26-40": [.35, .50, .13, .02], "41-60": [.15, .60, .20, .05],
           "60+": [.08, .55, .17, .20]}
LOAN_FIELDS = [
    ("applicant_id", "integer", "Unique applicant number."),
    ("age", "integer", "Age in years."),
    ("age_group", "string", "Age bucket: 18-25, 26-40, 41-60, 60+."),
    ("sex", "string", "Male or Female (sensitive attribute)."),
    ("race", "string", "Self-reported race/ethnicity (sensitive attribute)."),
    ("marital_status", "string", "single, married, divorced or widowed."),
    ("zip_prefix", "string", "First three digits of the ZIP code (a proxy for race)."),
    ("income", "number", "Annual income in USD; empty when not reported."),
    ("loan_amount", "integer", "Requested amount in USD."),
    ("credit_score", "integer", "Credit score, 300-850."),
    ("employment_years", "integer", "Years with current employer."),
    ("approved", "string", "Target label: yes or no."),
]
# planted problem -> the curate check family that finds it (same order as the index README's table)
LOAN_CHECKS = [
    ["sex imbalance", "`balance`"], ["approval base-rate gap", "`balance`"],
    ["small race x sex intersection", "`balance`"], ["income missingness by race", "`balance`"],
    ["proxy column", "`balance`"], ["exact duplicate rows (except applicant_id)", "`duplicates`"],
    ["impossible ages (outside 18-100)", "`expect` (`expect_column_values_to_be_between`)"]]


def make_kaggle_loans():
    """Tabular fairness example: exact base-rate gap, tiny intersection, race-skewed missingness, proxy.

    Sex/race cells and approvals are fixed counts (approval = top-k score within each sex, the score
    built from credit_score, income/loan_amount and employment_years), so the numbers are exact."""
    rng = np.random.default_rng(SEED + 1)
    rows = [dict(sex=s, race=r) for s, counts in RACE_SEX.items() for r, k in zip(RACES, counts) for _ in range(k)]
    rows = [rows[i] for i in rng.permutation(len(rows))]
    for r in rows:
        age = int(np.clip(round(rng.normal(42, 13)), 18, 80))
        group = "18-25" if age <= 25 else "26-40" if age <= 40 else "41-60" if age <= 60 else "60+"
        r["age"], r["age_group"] = age, group
        r["marital_status"] = ["single", "married", "divorced", "widowed"][int(rng.choice(4, p=MARITAL[group]))]
        r["employment_years"] = int(min(age - 18, rng.gamma(2.0, 3.5)))
        income = float(np.exp(rng.normal(math.log(52000), 0.45)) + 900 * r["employment_years"])
        r["income"] = round(income, 2)
        r["credit_score"] = int(np.clip(round(rng.normal(680, 65) + 0.0004 * (income - 55000)), 300, 850))
        r["loan_amount"] = int(max(1000, round(income * rng.uniform(0.15, 0.9) / 500) * 500))
        r["_score"] = ((r["credit_score"] - 680) / 65 + 1.2 * math.log(income / r["loan_amount"])
                       + 0.04 * r["employment_years"] + rng.normal(0, 0.7))
    for sex, k in APPROVED.items():
        for i, r in enumerate(sorted((r for r in rows if r["sex"] == sex), key=lambda r: -r["_score"])):
            r["approved"] = "yes" if i < k else "no"
    for race in RACES:
        sub = [r for r in rows if r["race"] == race]
        for i in rng.choice(len(sub), size=INCOME_MISSING[race], replace=False):
            sub[i]["income"] = None
        own = set(rng.choice(len(sub), size=round(0.9 * len(sub)), replace=False).tolist())
        others = [z for rr in RACES if rr != race for z in ZIPS[rr]]
        for i, r in enumerate(sub):
            pool = ZIPS[race] if i in own else others
            r["zip_prefix"] = pool[int(rng.integers(len(pool)))]
    for i, r in enumerate(rows):
        r["applicant_id"] = 100001 + i
    # 5 exact duplicates: overwrite a row with a copy of another row that has the same
    # (sex, race, approved, income missing, own zip) so every planted count above stays exact.
    key = lambda r: (r["sex"], r["race"], r["approved"], r["income"] is None, r["zip_prefix"] in ZIPS[r["race"]])
    dups, used = [], set()
    for oi in rng.permutation(len(rows)).tolist():
        if len(dups) == 5:
            break
        cand = [j for j in range(len(rows)) if j != oi and j not in used and key(rows[j]) == key(rows[oi])]
        if oi not in used and cand:
            oi, ci = sorted((oi, cand[int(rng.integers(len(cand)))]))  # the later row becomes the copy
            used.update((oi, ci))
            rows[ci] = dict(rows[oi], applicant_id=rows[ci]["applicant_id"])
            dups.append({"applicant_id": rows[ci]["applicant_id"], "original_applicant_id": rows[oi]["applicant_id"]})
    bad_ages = plant_invalid_ages(rows, used)
    cols = [f[0] for f in LOAN_FIELDS]
    fmt = lambda v: "" if v is None else f"{v:.2f}" if isinstance(v, float) else str(v)
    write_csv(ROOT / "kaggle_loans" / "applications.csv", cols, [[fmt(r[c]) for c in cols] for r in rows])
    assert len({tuple(r[c] for c in cols[1:]) for r in rows}) == len(rows) - 5, "unplanted duplicate rows"

    def stats(sub):
        yes = sum(r["approved"] == "yes" for r in sub)
        return {"rows": len(sub), "approved": yes, "rate": round(yes / len(sub), 4)}
    appr = {s: stats([r for r in rows if r["sex"] == s]) for s in APPROVED}
    inter = [dict(race=rc, sex=s, **stats([r for r in rows if r["race"] == rc and r["sex"] == s]))
             for rc in RACES for s in APPROVED]
    miss = {}
    for race in RACES:
        sub = [r for r in rows if r["race"] == race]
        m = sum(r["income"] is None for r in sub)
        miss[race] = {"rows": len(sub), "missing": m, "rate": round(m / len(sub), 4)}
    others = {"rows": sum(v["rows"] for k, v in miss.items() if k != "Black"),
              "missing": sum(v["missing"] for k, v in miss.items() if k != "Black")}
    zipshare = {race: round(sum(r["zip_prefix"] in ZIPS[race] for r in rows if r["race"] == race)
                            / miss[race]["rows"], 4) for race in RACES}
    q = np.quantile([r["credit_score"] for r in rows], [0.25, 0.5, 0.75]).tolist()
    quart = [stats([r for r in rows if lo <= r["credit_score"] < hi])["rate"]
             for lo, hi in zip([0, *q], [*q, 10**6])]
    P = {"dataset": "kaggle_loans", "rows": len(rows), "label": "approved", "positive_label": "yes",
         "sex_counts": {s: a["rows"] for s, a in appr.items()}, "approval_by_sex": appr,
         "disparate_impact_ratio_female_vs_male": round(appr["Female"]["rate"] / appr["Male"]["rate"], 4),
         "four_fifths_rule_passed": False,
         "race_counts": {r: miss[r]["rows"] for r in RACES}, "race_sex_intersections": inter,
         "small_intersections": [dict(race=i["race"], sex=i["sex"], rows=i["rows"]) for i in inter if i["rows"] < 10],
         "income_missing": {"skewed_group": "Black", "by_race": miss, "other_races_total": others},
         "zip_proxy": {"column": "zip_prefix", "proxy_for": "race", "race_prefixes": ZIPS,
                       "share_in_own_prefixes": zipshare},
         "approval_rate_by_credit_score_quartile": quart,
         "exact_duplicates": sorted(dups, key=lambda d: d["applicant_id"]),
         "exact_duplicates_note": "identical in every column except applicant_id",
         "valid_age_range": [18, 100],
         "invalid_ages": bad_ages,
         "invalid_ages_note": "data-entry typos in age only: age_group, employment_years and every other "
                              "column are as they were before the typo (so all counts above are unchanged); "
                              "these rows are not duplicates, have income and an own-race zip_prefix, and are "
                              "not in a small intersection. Found by the expect check "
                              "(expect_column_values_to_be_between age 18-100); the schema check passes "
                              "(still integers)."}
    write_json(ROOT / "planted" / "kaggle_loans.json", P)
    write_json(ROOT / "kaggle_loans" / "dataset-metadata.json", {
        "title": "Curate Example Loan Applications", "id": "curate-examples/loan-applications",
        "licenses": [{"name": "CC0-1.0"}],
        "description": "Synthetic loan applications with planted fairness problems, for testing curate.",
        "resources": [{"path": "applications.csv", "description": "One row per loan application.",
                       "schema": {"fields": [{"name": n, "type": t, "description": d} for n, t, d in LOAN_FIELDS]}}]})
    small = ", ".join(f"{i['race']} x {i['sex']} = {i['rows']} rows" for i in P["small_intersections"])
    write_text(ROOT / "kaggle_loans" / "README.md", f"""# Curate example: loan applications (Kaggle layout)

Synthetic loan applications generated by `example_datasets/make_examples.py`.
Kaggle layout: `dataset-metadata.json` describes the single resource `applications.csv`
({len(rows)} rows). License CC0-1.0. Ground truth: `example_datasets/planted/kaggle_loans.json`.

## Columns
{md_table(['column', 'type', 'description'], LOAN_FIELDS)}

## Planted problems
- Sex: exactly {appr['Male']['rows']} Male / {appr['Female']['rows']} Female.
- Approval rate: Male {appr['Male']['approved']}/{appr['Male']['rows']} = {appr['Male']['rate']}, \
Female {appr['Female']['approved']}/{appr['Female']['rows']} = {appr['Female']['rate']}; \
ratio {P['disparate_impact_ratio_female_vs_male']} fails the four-fifths rule.
  Within each sex, approval follows a score of credit_score, income/loan_amount and employment_years
  (approval rate by credit-score quartile, low to high: {quart}).
- Small intersection: {small}.
- Income missing: Black {miss['Black']['missing']}/{miss['Black']['rows']} ({miss['Black']['rate']:.0%}) \
vs {others['missing']}/{others['rows']} ({others['missing'] / others['rows']:.1%}) for all other races.
- zip_prefix is a proxy for race: each race lives in its own prefixes for 90% of its rows
  ({'; '.join(f'{r}: {"/".join(z)}' for r, z in ZIPS.items())}).
- 5 exact duplicate rows (identical except applicant_id):

{md_table(['applicant_id', 'original_applicant_id'], [list(d.values()) for d in P['exact_duplicates']])}

- {len(P['invalid_ages'])} impossible ages (outside 18-100), data-entry typos: only `age` is wrong; `age_group`
  (and every other column) is as the real age gave it, so all the counts above are exact:

{md_table(['applicant_id', 'age', 'original_age', 'age_group', 'kind'], [list(d.values()) for d in P['invalid_ages']])}

### Which curate check finds what
{md_table(['planted problem', 'curate check'], LOAN_CHECKS)}

`curate.yaml` in this folder is the suite curate runs by default: `schema` (the data against the
field types declared in `dataset-metadata.json`; it passes, every value has its declared type) and
`expect` (age between 18 and 100, sex in Male/Female, approved in yes/no, applicant_id unique;
only the age expectation fails, on the rows above). The other problems are for the check families
named in the table.

### Race x sex
{md_table(['race', 'sex', 'rows', 'approved', 'approval rate'], [list(i.values()) for i in inter])}

### Income missing by race
{md_table(['race', 'rows', 'missing', 'rate'], [[r, *v.values()] for r, v in miss.items()])}
""")
    return P


# (typed age, kind, original ages it can come from): a careless data entry of a real age
AGE_TYPOS = [(7, "first digit dropped", [27, 37, 47, 57, 67, 77]), (0, "zero for unknown", list(range(18, 81))),
             (212, "extra keystroke", [21, 22]), (150, "extra keystroke", [50])]


def plant_invalid_ages(rows, used):
    """Overwrite the age (only) of 4 rows with an impossible value; rows in `used` (duplicates) are excluded.

    age_group stays as the real age gave it (it was derived before the typo), so sex/race/approval,
    income-missingness, zip and intersection counts are all unchanged."""
    rng = np.random.default_rng(SEED + 4)
    small = {(rc, sx) for sx, counts in RACE_SEX.items() for rc, k in zip(RACES, counts) if k < 10}
    taken, out = set(used), []
    for typed, kind, sources in AGE_TYPOS:
        cand = [i for i, r in enumerate(rows) if i not in taken and r["age"] in sources and r["income"] is not None
                and r["zip_prefix"] in ZIPS[r["race"]] and (r["race"], r["sex"]) not in small]
        i = cand[int(rng.integers(len(cand)))]
        taken.add(i)
        out.append({"applicant_id": rows[i]["applicant_id"], "age": typed, "original_age": rows[i]["age"],
                    "age_group": rows[i]["age_group"], "kind": kind})
        rows[i]["age"] = typed
    return sorted(out, key=lambda d: d["applicant_id"])


# products_v1 / products_v2
ITEMS = {
    "electronics": "headphones speaker charger webcam keyboard router monitor tablet stylus earbuds projector".split(),
    "home": "lamp rug curtain mirror cushion clock shelf vase blanket doormat".split(),
    "kitchen": "blender kettle toaster skillet whisk colander grater teapot knife mixer".split(),
    "toys": "puzzle robot kite yo-yo dollhouse train-set blocks marbles teddy drone".split(),
    "sports": "dumbbell racket helmet jersey backpack tent treadmill skateboard ball bottle".split(),
    "garden": "planter hose trowel birdfeeder wheelbarrow sprinkler pruner lantern compost-bin watering-can".split(),
}
BRANDS = "Acme Northwind Bluefin Orchard Vantage Solace Kestrel Ironwood Lumen Pebble Tidewater Quill".split()
PADJ = "Compact Deluxe Classic Smart Portable Rustic Premium Mini Ultra Eco Heavy-Duty Foldable".split()
MATERIALS = "steel bamboo aluminium oak cotton recycled-plastic ceramic glass silicone wool".split()
USES = ["everyday use", "small apartments", "outdoor trips", "gift giving", "busy families", "beginners",
        "professionals", "travel", "weekend projects", "quick cleanup"]
FEATURES = ["a two-year warranty", "a soft-touch finish", "a detachable cord", "reinforced seams",
            "an adjustable stand", "a non-slip base", "dishwasher-safe parts", "a rechargeable battery",
            "a matte coating", "a carry handle", "a quiet motor", "replaceable filters"]
CAT_P = {"electronics": .22, "home": .24, "kitchen": .20, "toys": .16, "sports": .18}
PRICE = {"electronics": (4.2, .6), "home": (3.4, .5), "kitchen": (3.3, .5), "toys": (3.0, .5),
         "sports": (3.6, .6), "garden": (3.4, .5)}
WEIGHT = {"electronics": (-0.4, .6), "home": (0.5, .6), "kitchen": (0.2, .5), "toys": (-0.5, .6),
          "sports": (0.6, .7), "garden": (0.9, .6)}
COLORS = ["black", "white", "silver", "red", "blue", "green", "grey", "beige"]
V1_COLS = ["sku", "name", "category", "price", "stock", "weight_kg", "discontinued", "description", "rating_count"]
V2_COLS = ["sku", "name", "category", "price_usd", "stock", "weight_kg", "description", "rating_count", "color"]


def make_product(rng, sku, cat_p):
    """One catalog row. A third of "home" rows are outdoor (garden) items, still filed under home in v1."""
    cat = list(cat_p)[int(rng.choice(len(cat_p), p=list(cat_p.values())))]
    outdoor = cat == "home" and rng.random() < 0.33
    item = pick(rng, ITEMS["garden" if outdoor else cat])[0].replace("-", " ")
    adj, brand, mat, use, feat = (pick(rng, x)[0] for x in (PADJ, BRANDS, MATERIALS, USES, FEATURES))
    mat = mat.replace("-", " ")
    desc = [f"{adj} {item} made of {mat}, designed for {use}.", f"A {mat} {item} with {feat}, ideal for {use}.",
            f"Built for {use}: this {item} comes with {feat}."][int(rng.integers(3))]
    disc = bool(rng.random() < 0.06)
    return {"sku": f"P-{sku:06d}", "name": f"{brand} {adj} {item.title()}", "category": cat,
            "price": round(float(np.exp(rng.normal(*PRICE[cat]))), 2),
            "stock": 0 if disc else int(rng.negative_binomial(3, 0.05)),
            "weight_kg": round(float(np.exp(rng.normal(*WEIGHT[cat]))), 3), "discontinued": disc,
            "description": desc, "rating_count": int(rng.negative_binomial(1, 0.01)), "_outdoor": outdoor}


def to_v2(rng, r):
    """v2 encoding of a row: price renamed, weight x U(1.5, 1.7), stock as text, outdoor -> garden, color."""
    return dict(r, price_usd=r["price"], stock=str(r["stock"]), color=pick(rng, COLORS)[0],
                weight_kg=round(r["weight_kg"] * float(rng.uniform(1.5, 1.7)), 3),
                category="garden" if r["_outdoor"] else r["category"])


def set_nulls(rng, rows, n):
    """Null descriptions until exactly n rows are null (existing nulls are kept)."""
    free = [i for i, r in enumerate(rows) if r["description"] is not None]
    for i in rng.choice(free, size=n - (len(rows) - len(free)), replace=False):
        rows[i]["description"] = None


def product_stats(rows, price_col):
    cats = {}
    for r in rows:
        cats[r["category"]] = cats.get(r["category"], 0) + 1
    mean = lambda c: round(float(np.mean([r[c] for r in rows])), 4)
    nulls = sum(r["description"] is None for r in rows)
    return {"rows": len(rows), "category_counts": dict(sorted(cats.items())), "description_null": nulls,
            "description_null_rate": round(nulls / len(rows), 4), "weight_kg_mean": mean("weight_kg"),
            f"{price_col}_mean": mean(price_col), "rating_count_mean": mean("rating_count"),
            "stock_na": sum(r["stock"] == "N/A" for r in rows),
            "garden_share": round(cats.get("garden", 0) / len(rows), 4)}


def make_products():
    """Two versions of a catalog; v2 carries planted schema, value and row-level drift."""
    rng = np.random.default_rng(SEED + 2)
    changes = {"train": (1500, 40, 64, 16), "test": (400, 10, 16, 4)}  # v1 rows, dropped, added, renamed
    skus = (rng.permutation(np.arange(1, 4000))[:1900] + 1000).tolist()
    v1, v2, log, next_sku = {}, {}, {}, 6001
    for split, (size, n_drop, n_add, n_ren) in changes.items():
        rows = v1[split] = [make_product(rng, s, CAT_P) for s in sorted(skus[:size])]
        skus = skus[size:]
        set_nulls(rng, rows, round(0.02 * size))
        idx = rng.permutation(size).tolist()
        dropped, renamed = set(idx[:n_drop]), set(idx[n_drop:n_drop + n_ren])
        lg = log[split] = {"dropped_skus": sorted(rows[i]["sku"] for i in dropped), "added_skus": [],
                           "renamed": [], "recategorized": []}
        out = []
        for i, r in enumerate(rows):
            if i in dropped:
                continue
            out.append(to_v2(rng, r))
            if i in renamed:  # a different marketing adjective
                old = r["name"].split(" ")
                out[-1]["name"] = " ".join([old[0], pick(rng, [a for a in PADJ if a != old[1]])[0], *old[2:]])
                lg["renamed"].append({"sku": r["sku"], "v1_name": r["name"], "v2_name": out[-1]["name"]})
            if r["_outdoor"]:
                lg["recategorized"].append({"sku": r["sku"], "v1": "home", "v2": "garden"})
        for _ in range(n_add):  # new products; the new garden category is common among them
            new_p = {**{k: v * 0.7 for k, v in CAT_P.items()}, "garden": 0.3}
            out.append(to_v2(rng, make_product(rng, next_sku, new_p)))
            lg["added_skus"].append(out[-1]["sku"])
            next_sku += 1
        for i in rng.choice(len(out), size=round(0.04 * len(out)), replace=False):
            out[i]["stock"] = "N/A"
        set_nulls(rng, out, round(0.25 * len(out)))
        v2[split] = out
        for folder, data, cols in (("products_v1", rows, V1_COLS), ("products_v2", out, V2_COLS)):
            write_text(ROOT / folder / f"{split}.jsonl",
                       "".join(json.dumps({c: r[c] for c in cols}, ensure_ascii=False) + "\n" for r in data))
    s1 = {s: product_stats(v1[s], "price") for s in v1}
    s2 = {s: product_stats(v2[s], "price_usd") for s in v2}
    per = lambda stats, key: {s: stats[s][key] for s in stats}
    P = {"dataset": "products", "v1_path": "products_v1", "v2_path": "products_v2", "key": "sku",
         "v1_columns": V1_COLS, "v2_columns": V2_COLS,
         "drift": {
             "renamed_columns": [{"from": "price", "to": "price_usd", "note": "identical values for kept rows"}],
             "removed_columns": ["discontinued"],
             "added_columns": ["color"],
             "type_changes": [{"column": "stock", "v1": "integer", "v2": "string", "na_token": "N/A",
                               "na_count": per(s2, "stock_na")}],
             "new_category_values": [{"column": "category", "value": "garden", "share": per(s2, "garden_share"),
                                      "count": {s: s2[s]["category_counts"]["garden"] for s in s2},
                                      "note": "outdoor items filed under home in v1 moved to garden, plus new rows"}],
             "null_rate_changes": [{"column": "description", "v1": per(s1, "description_null_rate"),
                                    "v2": per(s2, "description_null_rate")}],
             "distribution_shifts": [{"column": "weight_kg", "v1_mean": per(s1, "weight_kg_mean"),
                                      "v2_mean": per(s2, "weight_kg_mean"),
                                      "note": "every v2 weight is the v1 weight times U(1.5, 1.7)"}],
             "stable_columns": ["price/price_usd", "rating_count"],
             "stable_columns_note": "same distribution; identical values for rows kept from v1"},
         "rows": {s: {"v1_rows": len(v1[s]), "v2_rows": len(v2[s]), **log[s]} for s in v1},
         "counts": {k: sum(len(log[s][k]) for s in log)
                    for k in ("dropped_skus", "added_skus", "renamed", "recategorized")},
         "stats": {"v1": s1, "v2": s2}}
    write_json(ROOT / "planted" / "products.json", P)
    return P


def make_index(news, loans, prod):
    """example_datasets/README.md: one section per example with its planted problems."""
    c, pc, a, m = news["counts"], prod["counts"], loans["approval_by_sex"], loans["income_missing"]
    s1, s2, na = prod["stats"]["v1"], prod["stats"]["v2"], prod["drift"]["type_changes"][0]["na_count"]
    news_rows = news_summary(news)
    loan_rows = [
        ["sex imbalance", f"{a['Male']['rows']} Male / {a['Female']['rows']} Female"],
        ["approval base-rate gap", f"Male {a['Male']['rate']} vs Female {a['Female']['rate']} "
                                   f"(ratio {loans['disparate_impact_ratio_female_vs_male']})"],
        ["small race x sex intersection", ", ".join(f"{i['race']} x {i['sex']} ({i['rows']} rows)"
                                                    for i in loans["small_intersections"])],
        ["income missingness by race", f"Black {m['by_race']['Black']['missing']}/{m['by_race']['Black']['rows']} vs "
                                       f"others {m['other_races_total']['missing']}/{m['other_races_total']['rows']}"],
        ["proxy column", "zip_prefix -> race (90% of each race in its own prefixes)"],
        ["exact duplicate rows (except applicant_id)", len(loans["exact_duplicates"])],
        ["impossible ages (outside 18-100)", f"{len(loans['invalid_ages'])}: "
         + ", ".join(str(d["age"]) for d in loans["invalid_ages"]) + " (only age is wrong; age_group as before)"]]
    assert [r[0] for r in loan_rows] == [r[0] for r in LOAN_CHECKS]
    loan_rows = [[*r, chk[1]] for r, chk in zip(loan_rows, LOAN_CHECKS)]
    prod_rows = [
        ["column renamed", "price -> price_usd (same values)"], ["column removed", "discontinued"],
        ["column added", "color"],
        ["type change", f"stock int -> string, 'N/A' in {na['train']} + {na['test']} rows"],
        ["new category value", f"garden: {s2['train']['garden_share']:.1%} of train, {s2['test']['garden_share']:.1%} "
                               f"of test ({pc['recategorized']} rows moved from home, the rest new rows)"],
        ["null-rate jump", f"description {s1['train']['description_null_rate']:.0%} -> "
                           f"{s2['train']['description_null_rate']:.0%}"],
        ["distribution shift", f"weight_kg mean {s1['train']['weight_kg_mean']} -> "
                               f"{s2['train']['weight_kg_mean']} (train)"],
        ["rows dropped / added / renamed", f"{pc['dropped_skus']} / {pc['added_skus']} / {pc['renamed']}"],
        ["unchanged distribution", "rating_count, price/price_usd"]]
    write_text(ROOT / "README.md", f"""# Example datasets

Small synthetic datasets with deliberately planted problems, for trying out and testing `curate`.
Everything here is generated by a deterministic script (fixed seeds, no network; output is
byte-identical on every run):

    python example_datasets/make_examples.py

Ground truth for tests lives in `planted/` (outside the dataset folders so loaders never read it):
`planted/hf_news.json`, `planted/kaggle_loans.json`, `planted/products.json`. All data is CC0-1.0.

Each planted problem is meant for one curate check family, named in the "found by" columns below:
the foundation checks `schema` (data against its declared types / ClassLabel names, or against a
lock) and `expect` (Great Expectations expectations written in the suite) find the invalid labels,
empty texts and impossible ages; duplicates, leakage, label errors and imbalance are for
`duplicates`, `near_duplicates`, `leakage`, `conflicting_labels`, `label_errors` and `balance`;
the products drift is for `schema`, `drift` and `curate diff`. `hf_news/` and `kaggle_loans/` carry
a `curate.yaml` suite at their root (the suite `curate check FOLDER` runs by default); the products
folders stay data-only.

## hf_news/ - Hugging Face layout, text classification

`README.md` is a Hugging Face dataset card (YAML header with `configs` and `dataset_info`);
data in `data/train.csv` ({c['train_rows']} rows) and `data/test.csv` ({c['test_rows']} rows).
Columns: `id`, `text`, `label` (world / sports / business / science, declared as a ClassLabel and
stored as names), `author_gender`.
Apart from the planted pairs, the largest word-set Jaccard between two rows with a text is
{news['max_jaccard_non_planted_pair']}. `curate.yaml`: `schema`, `expect` (text not null, label in the
four names) and `drift` (train vs test, warning).

{md_table(['planted problem', 'count', 'found by'], news_rows)}

The invalid labels ({', '.join(e['id'] for e in news['invalid_labels'])}) and empty texts
({', '.join(e['id'] for e in news['empty_texts'])}) are extra rows at the end of train.
{LOAD_DATASET_NOTE}

## kaggle_loans/ - Kaggle layout, tabular with demographic columns

`dataset-metadata.json` (Kaggle format) describes `applications.csv` ({loans['rows']} rows).
Columns: {', '.join(f'`{f[0]}`' for f in LOAN_FIELDS)}. Label: `approved` (yes/no).
`curate.yaml`: `schema` and `expect` (age 18-100, sex in Male/Female, approved in yes/no,
applicant_id unique).

{md_table(['planted problem', 'value', 'found by'], loan_rows)}

## products_v1/ and products_v2/ - plain JSON-lines files, two versions with schema drift

Data-only folders (no card): `train.jsonl` and `test.jsonl` in each. Key: `sku`.
v1 ({s1['train']['rows']} + {s1['test']['rows']} rows): {', '.join(f'`{x}`' for x in V1_COLS)}.
v2 ({s2['train']['rows']} + {s2['test']['rows']} rows): {', '.join(f'`{x}`' for x in V2_COLS)}.

{md_table(['planted drift (v1 -> v2)', 'detail'], prod_rows)}

The exact skus dropped, added, renamed and recategorised are in `planted/products.json`.
""")


HF_NEWS_SUITE = """\
# Generated by example_datasets/make_examples.py. Planted problems: example_datasets/planted/hf_news.json
dataset:
  key: id
  label: label
  text: text
  sensitive: [author_gender]
checks:
  - schema: {}
  - expect:
      - expect_column_values_to_not_be_null: {column: text}
      - expect_column_values_to_be_in_set: {column: label, value_set: [world, sports, business, science]}
  - drift: {reference: train, current: test, severity: warning}
  - duplicates: {}
  - conflicting_labels: {}
  # the planted near copies differ by a few substituted or swapped words (word-bigram Jaccard
  # from 0.54); the default threshold, 0.8, is set for real short texts, so this suite lowers it
  - near_duplicates: {threshold: 0.5}
  - leakage: {threshold: 0.5}
  - label_errors: {}
  - balance: {reference: {author_gender: {female: 0.5, male: 0.5}}}
"""
KAGGLE_LOANS_SUITE = """\
# Generated by example_datasets/make_examples.py. Planted problems: example_datasets/planted/kaggle_loans.json
dataset:
  key: applicant_id
  label: approved
  sensitive: [sex, race, age_group]
checks:
  - schema: {}
  - expect:
      - expect_column_values_to_be_between: {column: age, min_value: 18, max_value: 100}
      - expect_column_values_to_be_in_set: {column: sex, value_set: [Male, Female]}
      - expect_column_values_to_be_in_set: {column: approved, value_set: ["yes", "no"]}  # quoted: YAML 1.1 booleans
      - expect_column_values_to_be_unique: {column: applicant_id}
  - duplicates: {}
  - balance: {intersections: [[race, sex]], reference: {sex: {Female: 0.5, Male: 0.5}}}
"""


def main():
    news, loans, prod = make_hf_news(), make_kaggle_loans(), make_products()
    make_index(news, loans, prod)
    write_text(ROOT / "hf_news" / "curate.yaml", HF_NEWS_SUITE)  # suites: not in products_v1/v2 (data-only)
    write_text(ROOT / "kaggle_loans" / "curate.yaml", KAGGLE_LOANS_SUITE)
    print("hf_news max Jaccard: unplanted rows", news["max_jaccard_unplanted_rows"],
          "/ any non-planted pair", news["max_jaccard_non_planted_pair"])


if __name__ == "__main__":
    main()
