"""Declarative check suites: YAML → validated :class:`Suite`, with every error pointing at a line.

A suite is read in two passes: YAML is composed into nodes (so every value keeps its line and
column), then each ``checks`` entry is validated against its family's parameter model. Nothing
runs until the whole suite is valid, so a typo in the last check is reported before a slow
first check starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from curate.checks import family as find_family
from curate.checks import registry
from curate.confine import check_yaml, inside
from curate.errors import CurateError, did_you_mean
from curate.spec import CheckSpec, Path_, SourceMap

SUITE_FILENAME = "curate.yaml"
BUILTIN_PREFIX = "builtin:"
DEFAULT_SUITE = BUILTIN_PREFIX + "default"  # what a folder without a suite of its own runs
SECTIONS = ["dataset", "checks", "fix"]

# the ``dataset:`` keys that say how files are read (rather than which column plays which role)
READING_OPTIONS = ("files", "format", "sep", "header", "names", "quoting", "skip_initial_space", "encoding", "table")


class Roles(BaseModel):
    """The suite's ``dataset`` section: column roles (anything unset is inferred) and reading options."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = None
    label: str | None = None
    text: str | None = None
    sensitive: list[str] | None = None
    config: str | None = None  # Hugging Face config name when the card declares several
    encoding: str | None = None  # text encoding of CSV/JSON files (default utf-8)
    # reading options (see curate.readers.ReadOptions): files overriding discovery, and how to parse them
    files: str | list[str] | dict[str, str | list[str]] | None = None
    format: Literal["csv", "tsv", "json", "jsonl", "parquet"] | None = None
    sep: str | None = Field(default=None, min_length=1)
    header: bool = True
    names: list[str] | None = None
    quoting: Literal["none", "minimal"] | None = None
    skip_initial_space: bool = False  # drop the spaces after each separator (", "-separated files)
    table: str | None = None  # one table of a multi-table (Kaggle) folder

    @field_validator("names")
    @classmethod
    def _distinct_names(cls, names: list[str] | None) -> list[str] | None:
        if names is not None:
            seen = [n for i, n in enumerate(names) if n in names[:i]]
            if seen:
                raise ValueError(f"'{seen[0]}' is listed twice (every column needs its own name)")
            if not names:
                raise ValueError("list at least one column")
        return names

    def read_options(self) -> Any:
        """The reading options as :class:`curate.readers.ReadOptions`."""
        from curate.readers import ReadOptions

        return ReadOptions(
            format=self.format,
            sep=self.sep,
            header=self.header,
            names=tuple(self.names) if self.names is not None else None,
            quoting=self.quoting if self.quoting == "none" else None,
            encoding=self.encoding,
            skip_initial_space=self.skip_initial_space,
        )


class FixOptions(BaseModel):
    """The suite's optional ``fix`` section: how much ``curate fix`` may change before it refuses."""

    model_config = ConfigDict(extra="forbid")

    max_change: float = Field(default=0.1, ge=0.0, le=1.0)  # share of a split's rows / a column's values


@dataclass
class Suite:
    """A parsed, validated suite: the dataset's roles and the checks to run, in order."""

    origin: str  # a file path or "builtin:NAME"
    roles: Roles
    checks: list[CheckSpec]
    source: SourceMap
    fix: FixOptions = field(default_factory=FixOptions)

    def select(self, only: list[str] | None) -> "Suite":
        """The same suite restricted to the named check families (``--only``)."""
        if not only:
            return self
        present = {c.family for c in self.checks}
        for name in only:
            if find_family(name) is None:
                raise CurateError(f"--only: unknown check '{name}'{did_you_mean(name, registry())}")
            if name not in present:
                raise CurateError(
                    f"--only: check '{name}' is not in the suite {self.origin} "
                    f"(it has: {', '.join(sorted(present)) or 'no checks'})"
                )
        kept = [c for c in self.checks if c.family in set(only)]
        return Suite(self.origin, self.roles, kept, self.source, self.fix)


# --------------------------------------------------------------------------- YAML with marks


def _to_python(node: yaml.Node, path: Path_, marks: dict[Path_, tuple[int, int]], file: str) -> Any:
    """Convert a composed YAML node to plain Python, recording each value's position."""
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if not node.tag.startswith("tag:yaml.org,2002:") or node.tag.startswith("tag:yaml.org,2002:python/"):
        raise CurateError(f"invalid YAML: unsupported tag '{node.tag}'", file=file, line=node.start_mark.line + 1,
                          column=node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise CurateError("mapping keys must be plain values", file=file, line=key_node.start_mark.line + 1)
            key = _scalar(key_node)
            if key in out:
                line = key_node.start_mark.line + 1
                raise CurateError(f"duplicate key '{key}'", file=file, line=line)
            out[key] = _to_python(value_node, path + (key,), marks, file)
            marks[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, path + (i,), marks, file) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def read_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse YAML text, keeping positions; syntax errors become located CurateErrors.

    Untrusted suites (a dataset's own curate.yaml) are bounded in size, depth, aliases and
    expanded values (curate.confine.check_yaml); only safe tags are constructed.
    """
    source = SourceMap(file)
    check_yaml(text, file)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise CurateError(f"invalid YAML: {exc.problem or exc}", file=file, line=line, column=col) from exc
    except yaml.YAMLError as exc:
        raise CurateError(f"invalid YAML: {exc}", file=file) from exc
    if root is None:
        return None, source
    try:
        return _to_python(root, (), source.marks, file), source
    except yaml.MarkedYAMLError as exc:  # a scalar the safe constructor refuses
        mark = exc.problem_mark or exc.context_mark
        raise CurateError(f"invalid YAML: {exc.problem or exc}", file=file, line=mark.line + 1 if mark else None,
                          column=mark.column + 1 if mark else None) from exc


# --------------------------------------------------------------------------- suite loading


def builtin_suites_dir() -> Path:
    """The folder holding built-in suites: the repo's ``checks/`` or the installed copy."""
    repo_copy = Path(__file__).resolve().parents[2] / "checks"
    if (repo_copy / "default.yaml").is_file():
        return repo_copy
    return Path(str(resources.files("curate") / "builtin_suites"))


def builtin_names() -> list[str]:
    return sorted(p.stem for p in builtin_suites_dir().glob("*.yaml"))


def resolve_suite_path(suite: str | Path | None, dataset_root: Path) -> tuple[Path, str]:
    """Which suite file to use: explicit, ``builtin:NAME``, the dataset's own, or the default."""
    if suite is None:
        own = dataset_root / SUITE_FILENAME
        if own.is_file():
            inside(dataset_root, SUITE_FILENAME, what="suite", file=own)
            return own, str(own)
        suite = DEFAULT_SUITE
    text = str(suite)
    if text.startswith(BUILTIN_PREFIX):
        name = text[len(BUILTIN_PREFIX) :]
        path = builtin_suites_dir() / f"{name}.yaml"
        if not path.is_file():
            names = builtin_names()
            raise CurateError(
                f"unknown built-in suite '{name}'{did_you_mean(name, names)}; "
                f"available: {', '.join(names)}"
            )
        return path, text
    path = Path(suite)
    if not path.is_file():
        raise CurateError("suite file not found", file=path)
    return path, str(path)


def load_suite(suite: str | Path | None, dataset_root: Path, only: list[str] | None = None) -> Suite:
    """Read and validate a suite (see :func:`resolve_suite_path` for which one)."""
    path, origin = resolve_suite_path(suite, dataset_root)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CurateError("suite is not valid UTF-8", file=origin) from exc
    return parse_suite(text, origin, only)


def dataset_section(path: Path) -> Roles:
    """The validated ``dataset`` section of the folder's own ``curate.yaml`` (defaults without one).

    ``curate lock``, ``diff`` and ``apply`` read the data exactly as ``curate check`` does (same
    key, config and reading options) without validating the checks, so a typo in some check
    does not stop them; ``curate check`` reports it.
    """
    root = path if path.is_dir() else path.parent
    suite = root / SUITE_FILENAME
    if not suite.is_file():
        return Roles()
    inside(root, SUITE_FILENAME, what="suite", file=suite)
    try:
        text = suite.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CurateError("suite is not valid UTF-8", file=suite) from exc
    data, source = read_yaml(text, str(suite))
    section = data.get("dataset") if isinstance(data, dict) else None
    return _parse_roles(section or {}, source)


def parse_suite(text: str, origin: str, only: list[str] | None = None) -> Suite:
    """Validate suite YAML text; ``origin`` names it in error messages.

    With ``only`` (``--only``), entries of other families are checked by name and parameters
    but skip their family's deeper ``validate_params`` (which may import a library, e.g. GX).
    """
    data, source = read_yaml(text, origin)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise source.error((), "a suite must be a mapping with 'dataset' and 'checks'")
    unknown = set(data) - set(SECTIONS)
    for key in sorted(unknown, key=str):
        raise source.error((key,), f"unknown suite section '{key}'{did_you_mean(str(key), SECTIONS)}")
    roles = _parse_roles(data.get("dataset") or {}, source)
    if "checks" not in data and origin != DEFAULT_SUITE:  # a file that only says how to read the data
        checks = default_checks(only)
    else:
        entries = data.get("checks") or []
        if not isinstance(entries, list):
            raise source.error(("checks",), "'checks' must be a list of single-key mappings")
        checks = [_parse_check(entry, i, source, only) for i, entry in enumerate(entries)]
    return Suite(origin, roles, checks, source, _parse_fix(data.get("fix") or {}, source))


def default_checks(only: list[str] | None = None) -> list[CheckSpec]:
    """The built-in default suite's checks, for a suite without a ``checks`` section (its
    ``dataset`` section says how to read the files; ``checks: []`` runs none)."""
    path = builtin_suites_dir() / "default.yaml"
    return parse_suite(path.read_text(encoding="utf-8"), DEFAULT_SUITE, only).checks


def _parse_fix(raw: Any, source: SourceMap) -> FixOptions:
    if not isinstance(raw, dict):
        raise source.error(("fix",), "'fix' must be a mapping, e.g. 'fix: {max_change: 0.2}'")
    try:
        return FixOptions.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(exc, ("fix",), source, list(FixOptions.model_fields), "fix") from exc


def _parse_roles(raw: Any, source: SourceMap) -> Roles:
    if not isinstance(raw, dict):
        raise source.error(("dataset",), "'dataset' must be a mapping of column roles")
    if isinstance(raw.get("sensitive"), str):
        raw = {**raw, "sensitive": [raw["sensitive"]]}
    try:
        return Roles.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(exc, ("dataset",), source, list(Roles.model_fields), "dataset") from exc


def _parse_check(entry: Any, index: int, source: SourceMap, only: list[str] | None = None) -> CheckSpec:
    where: Path_ = ("checks", index)
    if isinstance(entry, str):
        entry = {entry: None}
    if not isinstance(entry, dict) or len(entry) != 1:
        raise source.error(where, "each check must be a single-key mapping like '- duplicates: {columns: [text]}'")
    family, raw = next(iter(entry.items()))
    cls = find_family(family) if isinstance(family, str) else None
    if cls is None:
        raise source.error(where, f"unknown check '{family}'{did_you_mean(str(family), registry())}")
    path = where + (family,)
    raw = cls.prepare_params(raw if raw is not None else {})
    if not isinstance(raw, dict):
        raise source.error(path, f"parameters of '{family}' must be a mapping")
    try:
        params = cls.Params.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(exc, path, source, list(cls.Params.model_fields), family) from exc
    spec = CheckSpec(family, params, index, source, path)
    if not only or family in only:
        cls.validate_params(spec)
    return spec


def _pydantic_error(
    exc: ValidationError, base: Path_, source: SourceMap, allowed: list[str], owner: str
) -> CurateError:
    """Turn the most telling pydantic error into one located, readable line.

    An unknown parameter is reported first: a misspelt required field also shows up as
    "field required", and the misspelling is what the user needs to see.
    """
    errors = exc.errors()
    err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = tuple(err["loc"])
    if err["type"] == "extra_forbidden":
        name = str(loc[-1])
        return source.error(
            base + loc,
            f"unknown parameter '{name}' for '{owner}'{did_you_mean(name, allowed)}; "
            f"allowed: {', '.join(allowed)}",
        )
    field_name = ".".join(str(p) for p in loc) or owner
    hint = ""
    if err["type"] == "literal_error" and isinstance(err.get("input"), str):
        choices = re.findall(r"'([^']*)'", str((err.get("ctx") or {}).get("expected", "")))
        hint = did_you_mean(err["input"], choices)
    return source.error(base + loc, f"'{owner}' parameter '{field_name}': {err['msg']}{hint}")
