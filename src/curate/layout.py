"""Which files make up which split of a dataset folder.

Hugging Face folders are resolved with ``datasets``' own machinery (card ``configs`` /
``data_files`` first, then its split-name file patterns), so ``curate`` and
``datasets.load_dataset(folder)`` agree on splits. Kaggle folders list their files in
``dataset-metadata.json``; they often hold several unrelated tables, which stay separate
(:attr:`Layout.tables`: each table is its own dataset for the checks, and split-named files such
as ``train.csv`` + ``test.csv`` are the splits of one table). The suite's ``files`` option
overrides all of this (:func:`resolve_files`). Only tabular formats are read: CSV, TSV, JSON,
JSON Lines, Parquet (any extension, with the suite's ``format``).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from curate.confine import check_yaml, inside, local_pattern
from curate.errors import CurateError, did_you_mean

KAGGLE_METADATA = "dataset-metadata.json"
CARD_FILENAME = "README.md"
# curate's own files in a dataset folder: never rows, whatever a '**' pattern matches
OWN_FILES = {"curate.yaml", "curate.lock.json", KAGGLE_METADATA}

# file suffix → reader format; compressed variants (".csv.gz") are matched on the inner suffix
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
COMPRESSIONS = {".gz", ".bz2", ".xz", ".zst", ".zip"}


@dataclass(frozen=True)
class Feature:
    """A column type declared by the dataset's owner (card features or Kaggle schema)."""

    name: str
    dtype: str  # e.g. "string", "int64", "class_label", Kaggle's "integer"
    names: tuple[str, ...] | None = None  # ClassLabel names, in id order


@dataclass
class Layout:
    """The resolved shape of a dataset folder, before any data is read."""

    root: Path
    kind: str  # "huggingface" | "kaggle" | "files"
    splits: dict[str, list[Path]]
    reader_options: dict[str, Any] = field(default_factory=dict)
    card: dict[str, Any] | None = None  # the README card's YAML header
    features: dict[str, Feature] = field(default_factory=dict)
    features_source: str | None = None  # where ``features`` came from
    kaggle: dict[str, Any] | None = None
    config: str | None = None
    # several unrelated tables (Kaggle folders): table → its split names; empty means one table
    tables: dict[str, list[str]] = field(default_factory=dict)
    table_features: dict[str, dict[str, Feature]] = field(default_factory=dict)

    def table_names(self) -> list[str]:
        return list(self.tables) or [self.config or "default"]

    def table_layout(self, table: str) -> "Layout":
        """The layout of one table: its splits and its own declared features."""
        if not self.tables:
            return self
        names = self.tables[table]
        return replace(
            self,
            splits={s: self.splits[s] for s in names},
            features=self.table_features.get(table, {}),
            tables={table: names},
            table_features={table: self.table_features.get(table, {})},
        )

    def select_table(self, table: str) -> "Layout":
        """Only ``table`` (``--table`` / the suite's ``dataset.table``); unknown names are an error."""
        names = self.table_names()
        if table not in names:
            raise CurateError(
                f"unknown table '{table}'{did_you_mean(table, names)}; tables: {', '.join(names)}", file=self.root
            )
        return self.table_layout(table)


def file_format(path: Path) -> str | None:
    """The reader format for a data file, or None if curate does not read it."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes = suffixes[:-1]
    return FORMATS.get(suffixes[-1]) if suffixes else None


def resolve_layout(
    root: Path, config: str | None = None, *, files: Any = None, fmt: str | None = None
) -> Layout:
    """Resolve a folder (or a single data file) into splits of data files.

    ``files`` (the suite's option: paths/globs, or a mapping split → paths/globs) replaces the
    discovery of data files; the card or Kaggle metadata still describe the dataset.
    """
    root = Path(root)
    if not root.exists():
        raise CurateError("no such file or directory", file=root)
    if root.is_file():
        if fmt is None and file_format(root) is None:
            raise CurateError(
                f"unsupported file type '{root.suffix}' (use {', '.join(FORMATS)}, or set 'format:' under "
                "dataset: in the suite)",
                file=root,
            )
        return Layout(root.parent, "files", {"train": [root.resolve()]})
    if files is not None:
        layout = _files_layout(root, files, config)
    elif (root / KAGGLE_METADATA).is_file():
        layout = _kaggle_layout(root)
    else:
        layout = _huggingface_layout(root, config)
    return _confined(layout)


def _confined(layout: Layout) -> Layout:
    """Every data file must resolve inside the root (a symbolic link out needs --follow-symlinks)."""
    for split, paths in layout.splits.items():
        layout.splits[split] = [inside(layout.root, p, what="data file", file=layout.root) for p in paths]
    return layout


# fsspec (behind datasets' resolver) reads '::' as a URL chain and '*?[]{}' as glob syntax
_FSSPEC_SPECIAL = re.compile(r"::|[*?\[\]{}]")


@contextlib.contextmanager
def _resolver_base(root: Path) -> Iterator[str]:
    """The root as a path datasets' resolver can take: an alias when its name has fsspec syntax.

    Paths found under the alias are mapped back by :func:`_unalias`; local paths never reach
    fsspec's URL parsing with a ``::`` in them.
    """
    real = str(root.resolve())
    if not _FSSPEC_SPECIAL.search(real):
        yield real
        return
    with tempfile.TemporaryDirectory(prefix="curate-root-") as tmp:
        alias = os.path.join(tmp, "root")
        os.symlink(real, alias)
        yield alias


def _unalias(paths: list[Any], base: str, root: Path) -> list[Path]:
    real = root.resolve()
    return [real / os.path.relpath(str(p), base) if str(p).startswith(base + os.sep) else Path(p) for p in paths]


def resolve_files(root: Path, files: Any) -> dict[str, list[Path]]:
    """The suite's ``files`` option → split → data files (the one place suite paths become files).

    Like ``datasets``' ``data_files``: a path or glob, a list of them (split ``train``), or a
    mapping split → path(s). Every pattern must match a file.
    """
    spec = files if isinstance(files, dict) else {"train": files}
    out: dict[str, list[Path]] = {}
    for split, patterns in spec.items():
        matched: list[Path] = []
        for pattern in [patterns] if isinstance(patterns, str) else list(patterns):
            matched += _match(root, str(pattern))
        out[str(split)] = list(dict.fromkeys(matched))
    return out


def _match(root: Path, pattern: str) -> list[Path]:
    """Files under ``root`` matching one relative path or glob (curate's own files never match).

    The pattern comes from an untrusted suite: it must be a plain relative path (no URL, no
    ``::`` chain, no ``..``, not absolute) and is matched with :mod:`pathlib`, never fsspec;
    every match is then confined by :func:`_confined` (a link out needs --follow-symlinks).
    """
    local_pattern(pattern, what="files:", file=root)
    try:
        found = sorted(p for p in root.glob(pattern) if p.is_file() and p.name not in OWN_FILES)
    except (ValueError, NotImplementedError, OSError) as exc:
        raise CurateError(f"files: invalid pattern '{pattern}': {exc}", file=root) from exc
    if not found:
        present = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())[:200]
        raise CurateError(f"files: '{pattern}' matches no file{did_you_mean(pattern, present)}", file=root)
    real = root.resolve()
    return [real / p.relative_to(root) for p in found]


def _files_layout(root: Path, files: Any, config: str | None) -> Layout:
    splits = resolve_files(root, files)
    if (root / KAGGLE_METADATA).is_file():
        kaggle = _kaggle_layout(root, discover=False)
        return Layout(root, "kaggle", splits, {}, None, kaggle.features, kaggle.features_source, kaggle=kaggle.kaggle)
    card = _read_card(root)
    kind = "huggingface" if card is not None else "files"
    features, source = _card_features(card, config)
    return Layout(root, kind, splits, {}, card, features, source, config=config)


# --------------------------------------------------------------------------- Hugging Face


def _read_card(root: Path) -> dict[str, Any] | None:
    card_path = root / CARD_FILENAME
    if not card_path.is_file():
        return None
    inside(root, CARD_FILENAME, what="dataset card", file=card_path)
    from huggingface_hub import DatasetCard

    try:
        text = card_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CurateError("the dataset card is not valid UTF-8", file=card_path) from exc
    check_yaml(_card_header(text), card_path)
    try:
        return DatasetCard.load(card_path).data.to_dict()
    except Exception as exc:  # huggingface_hub raises ValueError / yaml errors for a bad header
        raise CurateError(f"cannot read the dataset card header: {exc}".splitlines()[0], file=card_path) from exc


def _card_header(text: str) -> str:
    """The YAML between a card's leading ``---`` lines (empty when there is none)."""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", text, re.DOTALL)
    return match.group(1) if match else ""


_NON_WORD = "-._ 0-9"  # datasets' separators around a split keyword in a file name


def _plain_splits(root: Path) -> dict[str, list[Path]] | None:
    """Splits of a flat folder of one format without a card, resolved as ``datasets`` would, or None.

    Only the unambiguous common case (every entry a visible, lower-case data file of one
    uncompressed format at the top level, each named after exactly one split or none named) is
    resolved here, without importing ``datasets`` (whose resolver costs half a second at start-up);
    anything else goes to ``datasets``' resolver. A test checks both agree.
    """
    if (root / CARD_FILENAME).exists():
        return None
    entries = [p for p in root.iterdir() if p.name not in OWN_FILES]
    if not entries or any(not p.is_file() or p.name[0] in "._" or p.name != p.name.lower() or is_compressed_name(p)
                          for p in entries):
        return None
    if len({file_format(p) for p in entries}) != 1 or file_format(entries[0]) is None:
        return None
    keywords = _split_keywords()
    alternatives = "|".join(sorted(keywords, key=len, reverse=True))
    word = re.compile(rf"(?:^|(?<=[{_NON_WORD}]))({alternatives})(?=[{_NON_WORD}])")
    named: dict[str, list[Path]] = {}
    for path in sorted(entries):
        found = {keywords[m.group(1)] for m in word.finditer(path.name)}
        if len(found) > 1:
            return None
        named.setdefault(found.pop() if found else "", []).append(path)
    if "" in named:
        return None if len(named) > 1 else {"train": named[""]}
    return {split: named[split] for split in SPLIT_KEYWORDS if split in named}


def is_compressed_name(path: Path) -> bool:
    return bool(path.suffixes) and path.suffixes[-1].lower() in COMPRESSIONS


def _huggingface_layout(root: Path, config: str | None) -> Layout:
    plain = _plain_splits(root) if config is None else None
    if plain is not None:
        real = root.resolve()
        return Layout(root, "files", {s: [real / p.name for p in ps] for s, ps in plain.items()})
    from datasets.data_files import DataFilesDict, get_data_patterns, sanitize_patterns
    from datasets.utils.metadata import MetadataConfigs

    card = _read_card(root)
    try:
        configs = MetadataConfigs.from_dataset_card_data(card or {})
    except ValueError as exc:
        raise CurateError(f"invalid 'configs' in the card: {exc}", file=root / CARD_FILENAME) from exc
    chosen, options = _choose_config(configs, config, root)
    card_path = root / CARD_FILENAME
    data_dir = local_pattern(options.get("data_dir", ""), what="data_dir", file=card_path) if options else ""
    if data_dir:
        inside(root, data_dir, what="data_dir", file=card_path)
    try:
        if options and "data_files" in options:
            _check_patterns(options["data_files"], card_path)
            patterns = sanitize_patterns(options["data_files"])
        else:
            patterns = None
        with _resolver_base(root) as resolver_root:
            base = os.path.join(resolver_root, data_dir) if data_dir else resolver_root
            files = DataFilesDict.from_patterns(patterns or get_data_patterns(base), base_path=base)
            found = {split: _unalias(paths, resolver_root, root) for split, paths in _one_format(files, root).items()}
    except FileNotFoundError as exc:
        raise CurateError(f"no data files found: {exc}".splitlines()[0], file=root) from exc
    except ValueError as exc:  # fsspec reading a file name with '::' as a URL chain
        raise CurateError(f"cannot list the data files (a file name with '::'?): {exc}".splitlines()[0],
                          file=root) from exc
    splits = _tabular_splits(found, root)
    features, source = _card_features(card, chosen)
    reader_options = {k: options[k] for k in ("sep", "delimiter", "encoding") if options and k in options}
    kind = "huggingface" if card is not None else "files"
    return Layout(root, kind, splits, reader_options, card, features, source, config=chosen)


def _check_patterns(value: Any, card_path: Path) -> None:
    """Every ``data_files`` pattern in a card is a relative local path (see confine.local_pattern)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_patterns(item if key != "split" else [], card_path)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _check_patterns(item, card_path)
    elif value is not None:
        local_pattern(str(value), what="data_files pattern", file=card_path)


def _choose_config(configs: dict[str, dict], config: str | None, root: Path) -> tuple[str | None, dict]:
    if not configs:
        if config:
            raise CurateError(f"config '{config}' requested but the card declares no configs", file=root)
        return None, {}
    if config is None:
        try:
            config = configs.get_default_config_name()
        except ValueError as exc:
            raise CurateError(str(exc), file=root / CARD_FILENAME) from exc
        if config is None:
            names = ", ".join(configs)
            raise CurateError(
                f"the card declares several configs ({names}); choose one with dataset.config in the suite "
                "or --config",
                file=root / CARD_FILENAME,
            )
    if config not in configs:
        raise CurateError(
            f"unknown config '{config}'{did_you_mean(config, list(configs))}; the card declares: {', '.join(configs)}",
            file=root / CARD_FILENAME,
        )
    return config, dict(configs[config])


def _one_format(files: dict, root: Path) -> dict[str, list[Path]]:
    """Keep the files of the one format ``datasets`` would load, as it picks it (most common).

    curate's own files are dropped first, so a lock file next to one CSV is not taken for data.
    Split names come back as ``datasets.NamedSplit`` objects: they become plain strings.
    """
    from datasets.data_files import DataFilesDict, DataFilesList
    from datasets.load import infer_module_for_data_files
    from datasets.packaged_modules import _MODULE_TO_EXTENSIONS

    kept = DataFilesDict()
    for split, paths in files.items():
        own = [f for f in paths if Path(f).name not in OWN_FILES]
        if own:
            kept[str(split)] = DataFilesList(own, [()] * len(own))
    if not kept:
        return {}
    try:
        module, _ = infer_module_for_data_files(kept)
    except Exception as exc:  # datasets raises ValueError / DataFilesNotFoundError here
        found = sorted({Path(f).suffix or Path(f).name for paths in kept.values() for f in paths})
        hint = (f" (found {', '.join(found)}); to read them, set 'files:' and 'format:' under dataset: in curate.yaml"
                if found else "")
        raise CurateError(f"cannot tell the data format: {exc}".splitlines()[0] + hint, file=root) from exc
    extensions = tuple(e for e in _MODULE_TO_EXTENSIONS.get(module, []) if e != ".zip")
    return {
        split: [Path(f) for f in paths if any(s.lower() in extensions for s in Path(f).suffixes)]
        for split, paths in kept.items()
    }


def _tabular_splits(splits: dict[str, list[Path]], root: Path) -> dict[str, list[Path]]:
    """Keep the files curate can read; the rest (images, READMEs) are not rows."""
    out: dict[str, list[Path]] = {}
    skipped: list[Path] = []
    for split, paths in splits.items():
        readable = [p for p in paths if file_format(p) is not None]
        skipped += [p for p in paths if file_format(p) is None and p.name != CARD_FILENAME]
        if readable:
            out[split] = sorted(readable)
    if not out:
        what = f" (found {', '.join(sorted({p.suffix or p.name for p in skipped}))})" if skipped else ""
        hint = "; to read them, set 'files:' and 'format:' under dataset: in curate.yaml" if skipped else ""
        raise CurateError(f"no CSV, TSV, JSON, JSONL or Parquet files found{what}{hint}", file=root)
    return out


def _card_features(card: dict | None, config: str | None) -> tuple[dict[str, Feature], str | None]:
    """Declared column types from ``dataset_info.features`` (for the chosen config)."""
    if not card or "dataset_info" not in card:
        return {}, None
    infos = card["dataset_info"]
    if isinstance(infos, list):
        matching = [i for i in infos if i.get("config_name", "default") == (config or "default")]
        infos = matching[0] if matching else (infos[0] if len(infos) == 1 else {})
    out: dict[str, Feature] = {}
    for item in infos.get("features") or []:
        if not isinstance(item, dict) or "name" not in item:
            continue
        dtype = item.get("dtype")
        if isinstance(dtype, dict) and "class_label" in dtype:
            names = dtype["class_label"].get("names", {})
            ordered = [names[k] for k in sorted(names, key=int)] if isinstance(names, dict) else list(names)
            out[item["name"]] = Feature(item["name"], "class_label", tuple(str(n) for n in ordered))
        elif isinstance(dtype, str):
            out[item["name"]] = Feature(item["name"], dtype)
        else:
            out[item["name"]] = Feature(item["name"], "nested")
    return out, "dataset card (dataset_info.features)"


# --------------------------------------------------------------------------- Kaggle


def _kaggle_layout(root: Path, *, discover: bool = True) -> Layout:
    meta_path = root / KAGGLE_METADATA
    try:
        meta = json.loads(inside(root, KAGGLE_METADATA, what="Kaggle metadata").read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CurateError("Kaggle metadata is not valid UTF-8", file=meta_path) from exc
    except json.JSONDecodeError as exc:
        raise CurateError(f"invalid JSON: {exc.msg}", file=meta_path, line=exc.lineno, column=exc.colno) from exc
    if not isinstance(meta, dict):
        raise CurateError("expected a JSON object", file=meta_path)
    resources = meta.get("resources") or []
    if not isinstance(resources, list):
        raise CurateError("'resources' must be a list", file=meta_path)
    paths: list[Path] = []
    fields: dict[Path, dict[str, Feature]] = {}
    for i, res in enumerate(resources):
        rel = res.get("path") if isinstance(res, dict) else None
        if not rel:
            raise CurateError(f"resources[{i}] has no 'path'", file=meta_path)
        if not isinstance(rel, str):
            raise CurateError(f"resources[{i}].path must be a string", file=meta_path)
        local_pattern(rel, what=f"resources[{i}].path", file=meta_path)
        inside(root, rel, what=f"resources[{i}].path", file=meta_path)
        path = Path(os.path.normpath(root.resolve() / rel))
        if not path.is_file():
            raise CurateError(f"resources[{i}].path '{rel}' does not exist", file=meta_path)
        if file_format(path) is None:
            continue
        paths.append(path)
        schema = res.get("schema") or {}
        if not isinstance(schema, dict) or not isinstance(schema.get("fields") or [], list):
            raise CurateError(f"resources[{i}].schema must be an object with a 'fields' list", file=meta_path)
        for fld in schema.get("fields") or []:
            if isinstance(fld, dict) and "name" in fld:
                fields.setdefault(path, {})[fld["name"]] = Feature(fld["name"], str(fld.get("type", "string")))
    features = {name: f for per_file in fields.values() for name, f in per_file.items()}
    source = f"{KAGGLE_METADATA} (resources.schema.fields)" if features else None
    if not discover:
        return Layout(root, "kaggle", {}, {}, None, features, source, kaggle=meta)
    if not resources:  # no resources listed: every readable file in the folder (links checked later)
        real = root.resolve()
        paths = sorted(real / p.relative_to(root) for p in root.rglob("*")
                       if p.is_file() and file_format(p) and p.name not in OWN_FILES)
    splits, tables = _kaggle_tables(paths, root)
    table_features = {
        table: {n: f for s in names for p in splits[s] for n, f in fields.get(p, {}).items()}
        for table, names in tables.items()
    }
    layout = Layout(root, "kaggle", splits, {}, None, features, source, kaggle=meta)
    if len(tables) > 1:
        layout.tables, layout.table_features = tables, table_features
    return layout


# split keywords as ``datasets`` knows them (``datasets.data_files.SPLIT_KEYWORDS``; a test keeps the two
# equal), as a whole word of a file's path: ``train.csv``, ``sales_train.csv``, ``train/part-0.csv``.
# Held here so that plain and Kaggle folders resolve without importing ``datasets`` (start-up time).
SPLIT_KEYWORDS = {
    "train": ("train", "training"),
    "validation": ("validation", "valid", "dev", "val"),
    "test": ("test", "testing", "eval", "evaluation"),
}


def _split_keywords() -> dict[str, str]:
    return {word: split for split, words in SPLIT_KEYWORDS.items() for word in words}


def _split_of(rel: str) -> tuple[str | None, str]:
    """(split, table) of a path without suffixes: ``sales_train`` → (train, sales); ``items`` → (None, items)."""
    keywords = _split_keywords()
    pattern = re.compile(r"(?:^|[-._ /])(" + "|".join(sorted(keywords, key=len, reverse=True)) + r")(?=[-._ /0-9]|$)")
    match = pattern.search(rel.lower())
    if match is None:
        return None, rel
    table = rel[: match.start()] + rel[match.end() :]
    table = _SHARD.sub("", table)  # train-00000-of-00002, train_2: shards of one split
    return keywords[match.group(1)], re.sub(r"[-._ ]*/[-._ ]*", "/", table).strip("-._ /")


_SHARD = re.compile(r"(?:^|(?<=[-._ /]))\d+(?:[-_]of[-_]\d+)?(?=$|[-._ /])")


def _kaggle_tables(paths: list[Path], root: Path) -> tuple[dict[str, list[Path]], dict[str, list[str]]]:
    """Split-named files (train.csv, test.csv) are the splits of one table; every other file is a table.

    Kaggle datasets are often several tables rather than splits of one table, so unlike
    ``datasets`` (which would concatenate them into "train") each table stays separate. A
    table's one split is named after it; when several tables have splits, their split names
    carry the table (``train_transaction``), so every split name in the folder stays unique.
    """
    if not paths:
        raise CurateError("dataset-metadata.json lists no CSV, TSV, JSON, JSONL or Parquet files", file=root)
    grouped: dict[str, dict[str, list[Path]]] = {}
    for path in sorted(paths):
        rel = path.relative_to(root.resolve()).as_posix() if path.is_relative_to(root.resolve()) else path.name
        stem = rel[: len(rel) - len("".join(Path(rel).suffixes))] if Path(rel).suffixes else rel
        split, table = _split_of(stem)
        grouped.setdefault(table if split else stem, {}).setdefault(split or stem, []).append(path)
    if len(grouped) == 1 and len(paths) == 1:  # one file: "train", as datasets names it
        return {"train": list(paths)}, {"default": ["train"]}
    with_splits = [t for t, parts in grouped.items() if any(s in _SPLITS for s in parts)]
    splits: dict[str, list[Path]] = {}
    tables: dict[str, list[str]] = {}
    for table, parts in grouped.items():
        for split, files in sorted(parts.items(), key=lambda kv: _SPLITS.index(kv[0]) if kv[0] in _SPLITS else 3):
            name = split if len(with_splits) <= 1 or split not in _SPLITS or not table else f"{split}_{table}"
            splits[name] = files
            tables.setdefault(table or "default", []).append(name)
    return splits, tables


_SPLITS = ["train", "validation", "test"]
