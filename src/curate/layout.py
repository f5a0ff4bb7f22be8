"""Which files make up which split of a dataset folder.

Hugging Face folders are resolved with ``datasets``' own machinery (card ``configs`` /
``data_files`` first, then its split-name file patterns), so ``curate`` and
``datasets.load_dataset(folder)`` agree on splits. Kaggle folders list their files in
``dataset-metadata.json``. Only tabular formats are read: CSV, TSV, JSON, JSON Lines, Parquet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def file_format(path: Path) -> str | None:
    """The reader format for a data file, or None if curate does not read it."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in COMPRESSIONS:
        suffixes = suffixes[:-1]
    return FORMATS.get(suffixes[-1]) if suffixes else None


def resolve_layout(root: Path, config: str | None = None) -> Layout:
    """Resolve a folder (or a single data file) into splits of data files."""
    root = Path(root)
    if not root.exists():
        raise CurateError("no such file or directory", file=root)
    if root.is_file():
        if file_format(root) is None:
            raise CurateError(f"unsupported file type '{root.suffix}' (use {', '.join(FORMATS)})", file=root)
        return Layout(root.parent, "files", {"train": [root.resolve()]})
    if (root / KAGGLE_METADATA).is_file():
        return _kaggle_layout(root)
    return _huggingface_layout(root, config)


# --------------------------------------------------------------------------- Hugging Face


def _read_card(root: Path) -> dict[str, Any] | None:
    card_path = root / CARD_FILENAME
    if not card_path.is_file():
        return None
    from huggingface_hub import DatasetCard

    try:
        return DatasetCard.load(card_path).data.to_dict()
    except Exception as exc:  # huggingface_hub raises ValueError / yaml errors for a bad header
        raise CurateError(f"cannot read the dataset card header: {exc}".splitlines()[0], file=card_path) from exc


def _huggingface_layout(root: Path, config: str | None) -> Layout:
    from datasets.data_files import DataFilesDict, get_data_patterns, sanitize_patterns
    from datasets.utils.metadata import MetadataConfigs

    card = _read_card(root)
    try:
        configs = MetadataConfigs.from_dataset_card_data(card or {})
    except ValueError as exc:
        raise CurateError(f"invalid 'configs' in the card: {exc}", file=root / CARD_FILENAME) from exc
    chosen, options = _choose_config(configs, config, root)
    base = root / options.get("data_dir", "") if options else root
    try:
        if options and "data_files" in options:
            patterns = sanitize_patterns(options["data_files"])
        else:
            patterns = get_data_patterns(str(base.resolve()))
        files = DataFilesDict.from_patterns(patterns, base_path=str(base.resolve()))
    except FileNotFoundError as exc:
        raise CurateError(f"no data files found: {exc}".splitlines()[0], file=root) from exc
    splits = _tabular_splits(_one_format(files, root), root)
    features, source = _card_features(card, chosen)
    reader_options = {k: options[k] for k in ("sep", "delimiter", "encoding") if options and k in options}
    kind = "huggingface" if card is not None else "files"
    return Layout(root, kind, splits, reader_options, card, features, source, config=chosen)


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
        raise CurateError(f"cannot tell the data format: {exc}".splitlines()[0], file=root) from exc
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
        raise CurateError(f"no CSV, TSV, JSON, JSONL or Parquet files found{what}", file=root)
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


def _kaggle_layout(root: Path) -> Layout:
    meta_path = root / KAGGLE_METADATA
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CurateError(f"invalid JSON: {exc.msg}", file=meta_path, line=exc.lineno, column=exc.colno) from exc
    if not isinstance(meta, dict):
        raise CurateError("expected a JSON object", file=meta_path)
    resources = meta.get("resources") or []
    paths: list[Path] = []
    features: dict[str, Feature] = {}
    for i, res in enumerate(resources):
        rel = res.get("path") if isinstance(res, dict) else None
        if not rel:
            raise CurateError(f"resources[{i}] has no 'path'", file=meta_path)
        path = (root / rel).resolve()
        if not path.is_file():
            raise CurateError(f"resources[{i}].path '{rel}' does not exist", file=meta_path)
        if file_format(path) is None:
            continue
        paths.append(path)
        for fld in (res.get("schema") or {}).get("fields") or []:
            if isinstance(fld, dict) and "name" in fld:
                features[fld["name"]] = Feature(fld["name"], str(fld.get("type", "string")))
    if not resources:  # no resources listed: every readable file in the folder
        paths = sorted(p.resolve() for p in root.rglob("*") if p.is_file() and file_format(p) and p.name != KAGGLE_METADATA)
    splits = _kaggle_splits(paths, root)
    source = f"{KAGGLE_METADATA} (resources.schema.fields)" if features else None
    return Layout(root, "kaggle", splits, {}, None, features, source, kaggle=meta)


def _kaggle_splits(paths: list[Path], root: Path) -> dict[str, list[Path]]:
    """Split-named files (train.csv, test.csv) become splits; other files one split each by name.

    Kaggle datasets are often several tables rather than splits of one table, so unlike
    ``datasets`` (which would concatenate them into "train") each table stays separate.
    """
    if not paths:
        raise CurateError("dataset-metadata.json lists no CSV, TSV, JSON, JSONL or Parquet files", file=root)
    from datasets.data_files import DataFilesDict, get_data_patterns

    patterns = get_data_patterns(str(root.resolve()))
    wanted = set(paths)
    if list(patterns) != ["train"] or len(paths) == 1:
        files = DataFilesDict.from_patterns(patterns, base_path=str(root.resolve()))
        named = {str(s): sorted(p for p in map(Path, fs) if p in wanted) for s, fs in files.items()}
        named = {s: fs for s, fs in named.items() if fs}
        if sum(len(fs) for fs in named.values()) == len(paths):
            return named
    splits: dict[str, list[Path]] = {}
    for path in sorted(paths):
        splits[path.name.split(".")[0]] = [path]
    return splits
