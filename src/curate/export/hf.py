"""The Hugging Face bundle: the dataset card's edits, ``PR.md``, and ``curate submit hf``.

``DIR/hf/`` holds exactly the files to upload — the changed data files at their paths in the
repo and ``README.md`` — plus ``PR.md`` (the pull request's title and description, not uploaded).

The card keeps its YAML header byte for byte, except ``dataset_info.splits[].num_examples`` of
splits that lost rows (``datasets.load_dataset`` checks those counts and fails when they are
stale). Its body gets three curate sections, each between HTML-comment markers so a later run
replaces rather than repeats them: the balance check's "Bias, Risks, and Limitations" text (when
that check ran and ``curate.card.bias_section`` exists), "Known issues" (problems found but not
fixed) and a "Changelog" entry (what changed and why; earlier entries are kept).

``submit_hf`` opens the pull request with ``huggingface_hub``: it reads the token from the usual
Hub sources (``HF_TOKEN``, the token file of ``hf auth login``), never prints it, checks that the
files it replaces are still the ones ``curate fix`` read (blob ids from ``dataset_info``), skips
when an open pull request already carries the same corrections (the fingerprint in its title),
and calls ``create_commit(..., repo_type="dataset", create_pr=True, parent_commit=...)``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from curate import escape
from curate.checks.base import hooks
from curate.corrections import weak_model
from curate.errors import CurateError
from curate.export.bundle import (  # the shared texts and identities: re-exported, they lived here
    MAX_LISTED,
    FixOutcome,
    corrections_table,
    file_identity,
    files_table,
    fixed_findings,
    git_blob_sha1,
    known_issues,
    summary_table,
)

CARD_FILENAME = "README.md"
PR_FILENAME = "PR.md"
BIAS_HEADING = "Bias, Risks, and Limitations"
_BIAS_HEADING_RE = re.compile(
    r"^(#{1,6})[ \t]*Bias,?[ \t]+Risks,?[ \t]+and[ \t]+Limitations[ \t]*#*[ \t]*$", re.IGNORECASE | re.MULTILINE
)
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]", re.MULTILINE)
CHANGELOG_MARKER = "<!-- curate:changelog -->"


# =========================================================================== the card


def update_card_counts(
    text: str,
    rows: dict[str, int],
    config: str | None,
    num_bytes: dict[str, int] | None = None,
    download_delta: int = 0,
) -> str:
    """The card with ``dataset_info`` describing the corrected data; every other byte kept.

    Sets ``splits[].num_examples`` from ``rows`` and ``splits[].num_bytes`` from ``num_bytes``
    (see :func:`arrow_num_bytes`), then ``dataset_size`` (the sum of the splits' ``num_bytes``, as
    ``datasets`` defines it) and ``download_size`` (shifted by ``download_delta``, the change in the
    data files' sizes) where the card has them. Nothing is added that the card does not have.
    The YAML header is composed (not loaded) so each scalar's exact position is known and only
    those digits are replaced: comments, quoting, key order and spacing stay as they were.
    """
    import yaml
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    match = REGEX_YAML_BLOCK.search(text)
    if not match:
        return text
    header, offset = match.group(2), match.start(2)
    try:
        root = yaml.compose(header, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return text
    info = _config_info(_get(root, "dataset_info"), config)
    splits = _get(info, "splits")
    if not isinstance(splits, yaml.SequenceNode):
        return text
    num_bytes = num_bytes or {}
    edits: list[tuple[int, int, str]] = []
    sizes: list[int | None] = []

    def put(node: Any, value: int) -> None:
        if isinstance(node, yaml.ScalarNode) and node.value != str(value):
            edits.append((node.start_mark.index, node.end_mark.index, str(value)))

    for node in splits.value:
        name = _scalar(_get(node, "name"))
        if name in rows:
            put(_get(node, "num_examples"), rows[name])
        size = _get(node, "num_bytes")
        if name in num_bytes:
            put(size, num_bytes[name])
        value = num_bytes.get(name) if name in num_bytes else _int(_scalar(size))
        sizes.append(value)
    if num_bytes and all(v is not None for v in sizes):
        put(_get(info, "dataset_size"), sum(v for v in sizes if v is not None))
    download = _get(info, "download_size")
    if download_delta and _int(_scalar(download)) is not None:
        put(download, int(_scalar(download)) + download_delta)  # type: ignore[arg-type]
    for start, end, new in sorted(edits, reverse=True):
        header = header[:start] + new + header[end:]
    return text[:offset] + header + text[offset + len(match.group(2)) :]


def _config_info(info: Any, config: str | None) -> Any:
    """The ``dataset_info`` mapping of ``config`` (cards with several configs list one per config)."""
    import yaml

    if not isinstance(info, yaml.SequenceNode):
        return info
    wanted = config or "default"
    candidates = [n for n in info.value if _scalar(_get(n, "config_name")) in (wanted, None if wanted == "default" else wanted)]
    return candidates[0] if candidates else (info.value[0] if len(info.value) == 1 else None)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def card_features(card: dict[str, Any] | None, config: str | None) -> list[Any] | None:
    """The card's declared ``dataset_info.features`` (of ``config``), or None."""
    info = (card or {}).get("dataset_info")
    if isinstance(info, list):
        wanted = config or "default"
        info = next((i for i in info if isinstance(i, dict) and i.get("config_name", "default") == wanted), None)
    features = info.get("features") if isinstance(info, dict) else None
    return features if isinstance(features, list) else None


def arrow_num_bytes(frame: Any, features: list[Any] | None) -> int | None:
    """A split's ``num_bytes`` as ``datasets`` records it, or None when it cannot be computed.

    ``datasets`` stores the size of the split's Arrow table in memory (``pyarrow.Table.nbytes`` of
    the rows cast to the declared features), not the size of the files: so the corrected rows are
    converted to Arrow and cast to the card's features (``datasets.table.table_cast``, what its
    builders do) when the card declares them. Values that do not cast (a label outside the
    declared names) leave the count unknown: the card keeps its old figure.
    """
    import pyarrow as pa

    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        # arrays fresh from the values, as a reader makes them: an edited frame's string columns
        # can carry validity bitmaps with no nulls, which a freshly read file has not
        table = pa.table(
            {
                str(name): pa.array(column.to_numpy(zero_copy_only=False), type=column.type, from_pandas=True)
                if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                else column
                for name, column in zip(table.column_names, table.columns)
            }
        )
        if features:
            from datasets import Features
            from datasets.table import table_cast

            table = table_cast(table, Features._from_yaml_list(features).arrow_schema)
        return int(table.nbytes)
    except (ValueError, TypeError, KeyError, pa.ArrowException):
        return None


def _get(node: Any, key: str) -> Any:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None


def _scalar(node: Any) -> str | None:
    import yaml

    return node.value if isinstance(node, yaml.ScalarNode) else None


def _block(name: str, content: str) -> str:
    return f"<!-- curate:{name}:start -->\n{content.strip()}\n<!-- curate:{name}:end -->"


def _put_block(body: str, name: str, content: str) -> str:
    """Replace the marked block ``name`` or append it at the end of the card."""
    pattern = re.compile(
        re.escape(f"<!-- curate:{name}:start -->") + r".*?" + re.escape(f"<!-- curate:{name}:end -->"), re.DOTALL
    )
    block = _block(name, content)
    if pattern.search(body):
        return pattern.sub(lambda _: block, body, count=1)
    return body.rstrip("\n") + "\n\n" + block + "\n"


def _put_bias(body: str, bias: str | Callable[[int], str]) -> str:
    """The balance section: as the card's "Bias, Risks, and Limitations" section, or — when the owner
    already wrote one — one heading level deeper at the end of theirs; replaced on later runs.

    ``bias`` is the markdown, or a function of the heading level returning it (``bias_section``).
    """
    marked = re.compile(r"<!-- curate:bias:start -->\n(.*?)<!-- curate:bias:end -->", re.DOTALL)
    found = marked.search(body)
    owner = _BIAS_HEADING_RE.search(body[: found.start()] if found else body)
    level = len(owner.group(1)) + 1 if owner else 2
    text = (bias(min(level, 5)) if callable(bias) else bias).strip()
    if owner:
        first = _HEADING_RE.match(text)
        if first and _BIAS_HEADING_RE.match(text.splitlines()[0]):
            text = "\n".join([f"{'#' * min(level, 6)} {BIAS_HEADING} (measured by curate)"] + text.splitlines()[1:])
        else:
            text = f"{'#' * min(level, 6)} Measured by curate\n\n{text}"
    elif not text.startswith("#"):
        text = f"## {BIAS_HEADING}\n\n{text}"
    if found:
        return body[: found.start()] + _block("bias", text) + body[found.end() :]
    if owner:
        end = len(body)
        for nxt in _HEADING_RE.finditer(body, owner.end()):
            if len(nxt.group(1)) < level:
                end = nxt.start()
                break
        return body[:end].rstrip("\n") + "\n\n" + _block("bias", text) + "\n\n" + body[end:].lstrip("\n")
    return _put_block(body, "bias", text)


def _put_changelog(body: str, entry: str) -> str:
    """Insert a changelog entry after the marker (newest first), creating the section if needed."""
    if CHANGELOG_MARKER in body:
        return body.replace(CHANGELOG_MARKER, f"{CHANGELOG_MARKER}\n\n{entry.strip()}\n", 1)
    return body.rstrip("\n") + f"\n\n## Changelog\n\n{CHANGELOG_MARKER}\n\n{entry.strip()}\n"


def card_for_upload(
    text: str | None, *, title: str, bias: str | Callable[[int], str] | None, known_issues: str, changelog: str
) -> str:
    """The card to upload: header untouched, curate's sections added or refreshed in the body."""
    from huggingface_hub.repocard import REGEX_YAML_BLOCK

    if text is None:
        text = f"# {title}\n"
    match = REGEX_YAML_BLOCK.search(text)
    head, body = (text[: match.end()], text[match.end() :]) if match else ("", text)
    if bias:
        body = _put_bias(body, bias)
    body = _put_block(body, "known-issues", known_issues)
    body = _put_changelog(body, changelog)
    return head + body


def bias_text(report: Any, original: Any = None) -> tuple[Callable[[int], str] | None, str | None]:
    """(a renderer of the card's bias section by heading level, a warning) from the first result
    whose family writes that section (``Check.card_section``; ``balance``).

    ``report`` describes the data the card is for (``curate fix`` passes the checks re-run on the
    corrected rows); ``original`` is the report of the data as found. Tables built from an artefact
    (``Check.consumes``) are left out when a result in either report that provides it distrusts its
    model (``metrics["guard"]``): weak-model figures (label errors by group) never reach a public
    card. Both are None when no such result exists or the renderer is not available; a section
    that cannot be rendered is left out with a warning, not an error.
    """
    result = next((r for r in report.results if hooks(r.check).card_section == BIAS_HEADING), None)
    if result is None:
        return None, None
    family = hooks(result.check)
    results = list(report.results) + list(original.results if original is not None else [])
    distrusted = {name for r in results if weak_model(r) for name in hooks(r.check).publishes}
    hidden = [table for name in distrusted for table in family.consumes.get(name, ())]
    if any((result.tables or {}).get(table) for table in hidden):
        import dataclasses

        result = dataclasses.replace(result, tables={**result.tables, **{table: [] for table in hidden}})
    try:
        text = family.render_tables(result, "card")
    except ImportError:
        return None, None
    except Exception as exc:  # noqa: BLE001 - an optional section must not stop the bundle; say why it is missing
        return None, f"the {result.check} section was left out of the card: {type(exc).__name__}: {exc}"
    if not isinstance(text, str) or not text.strip():
        return None, None

    def render(level: int) -> str:
        try:
            return family.render_tables(result, "card", heading_level=level)
        except TypeError:  # an older renderer without heading levels
            return text

    return render, None


# =========================================================================== texts


def changelog_entry(outcome: FixOutcome) -> str:
    d, u = outcome.counts["delete"], outcome.counts["update"]
    lines = [f"### {outcome.date}: data corrections (curate {outcome.version}, `{outcome.fingerprint}`)", ""]
    if not outcome.plan_corrections:
        lines.append("No corrections.")
        return "\n".join(lines)
    lines.append(
        f"{d} row(s) deleted and {u} value(s) updated; each change, with its reason and confidence, is in "
        "the pull request that made it."
    )
    lines += [""] + files_table(outcome, diff_links=False) + [""]
    by_check = outcome.corrections.counts()
    for check, n in by_check.items():
        if n["delete"] or n["update"]:
            parts = [
                f"{n['delete']} row(s) deleted" if n["delete"] else "",
                f"{n['update']} value(s) updated" if n["update"] else "",
            ]
            lines.append(f"- `{check}`: {', '.join(p for p in parts if p)}")
    return "\n".join(lines)


def pr_title(outcome: FixOutcome) -> str:
    d, u = outcome.counts["delete"], outcome.counts["update"]
    parts = ([f"delete {d} row{'s' if d != 1 else ''}"] if d else []) + (
        [f"fix {u} value{'s' if u != 1 else ''}"] if u else []
    )
    what = " and ".join(parts) if parts else "no corrections"
    return f"Data quality: {what} [curate {outcome.fingerprint}]"


def pr_markdown(outcome: FixOutcome) -> str:
    """PR.md: ``# title`` then the description (summary tables, files, every change, how it was made)."""
    d, u = outcome.counts["delete"], outcome.counts["update"]
    lines = [f"# {pr_title(outcome)}", ""]
    lines.append(
        f"This pull request proposes **{d} row deletion(s)** and **{u} value update(s)** found by "
        f"[curate](https://pypi.org/project/curate/) {outcome.version} checks. Every change is listed below "
        "with the check that found it, its reason and its confidence; the review diffs show each changed file."
    )
    lines += ["", "## Summary", ""] + summary_table(outcome)
    if outcome.files:
        lines += ["", "## Files", ""] + files_table(outcome, diff_links=False)
    lines += ["", "## Changes", "", f"<details><summary>{len(outcome.plan_corrections)} correction(s)</summary>", ""]
    lines += corrections_table(outcome) + ["", "</details>", ""]
    if getattr(outcome, "impact", None) is not None:
        lines += outcome.impact.markdown()
    lines += [known_issues(outcome).replace("## Known issues", "## Known issues not fixed here", 1), ""]
    how = escape.markdown_code(outcome.command, table=False) if outcome.command else "`curate fix`, called from Python"
    lines += [
        "## How this was made",
        "",
        (
            f"{how} (curate {outcome.version}; only suggestions with confidence ≥ "
            f"{outcome.min_confidence:g} were kept). The corrections are in `corrections.jsonl`, one per line; "
            "review them (set `status` to `accepted` or `rejected`) and re-apply with "
            "`curate apply DATASET corrections.jsonl --out DIR`, which reproduces these files exactly."
        ),
        "",
        f"<!-- curate-fingerprint: {outcome.fingerprint} -->",
    ]
    return "\n".join(lines) + "\n"


def parse_pr(text: str) -> tuple[str, str]:
    """(title, description) of a PR.md: the first ``# `` line, then the rest."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return line[2:].strip(), "\n".join(lines[i + 1 :]).strip() + "\n"
    raise CurateError("PR.md has no '# title' line")


# =========================================================================== the bundle


def write_hf_bundle(outcome: FixOutcome, dest: Path, card_text: str | None) -> list[str]:
    """Write ``dest`` (= DIR/hf): changed data files, README.md, PR.md. Returns the upload paths."""
    import shutil

    dest.mkdir(parents=True, exist_ok=True)
    uploads: list[str] = []
    for f in outcome.files:
        target = dest / f.rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f.corrected, target)
        uploads.append(f.rel)
    title = str((outcome.dataset.layout.card or {}).get("pretty_name") or outcome.dataset.root.name)
    card = card_for_upload(
        card_text,
        title=title,
        bias=outcome.bias,
        known_issues=known_issues(outcome),
        changelog=changelog_entry(outcome),
    )
    (dest / CARD_FILENAME).write_text(card, encoding="utf-8", newline="")
    uploads.append(CARD_FILENAME)
    (dest / PR_FILENAME).write_text(pr_markdown(outcome), encoding="utf-8")
    return uploads


# =========================================================================== submit


def check_repo(repo: str) -> None:
    if not re.fullmatch(r"[\w.\-]+/[\w.\-]+", repo):
        raise CurateError(f"--repo must be OWNER/NAME, got '{repo}'")


def submit_hf(
    source: Path,
    repo: str,
    *,
    revision: str | None = None,
    parent_commit: str | None = None,
    dry_run: bool = False,
    allow_duplicate: bool = False,
    echo: Callable[[str], None] = print,
) -> str | None:
    """Open a pull request on dataset ``repo`` with the bundle in ``source/hf``; returns its URL."""
    check_repo(repo)
    bundle = Path(source) / "hf"
    manifest_path = Path(source) / "fix.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else None
    if manifest is not None and not manifest.get("corrections", {}).get("total", 0):
        echo("nothing to submit: curate fix proposed no corrections")  # and wrote no bundle
        return None
    if manifest is None or not bundle.is_dir():
        raise CurateError(
            "not a `curate fix` output folder with an hf/ bundle (run `curate fix DATASET --out DIR`)", file=source
        )
    title, description = parse_pr((bundle / PR_FILENAME).read_text(encoding="utf-8"))
    uploads = [p for p in sorted(bundle.rglob("*")) if p.is_file() and p.relative_to(bundle).as_posix() != PR_FILENAME]
    fingerprint = manifest.get("fingerprint", "")
    from huggingface_hub import constants, get_token

    token = get_token()
    where = f"{constants.ENDPOINT}/datasets/{repo}"
    if dry_run:
        echo(f"dry run: would open a pull request on {where}")
        echo(f"  base:   {revision or 'main'} at {parent_commit or 'its current head commit'}")
        echo(f"  title:  {title}")
        echo(f"  description: {len(description.splitlines())} lines (hf/{PR_FILENAME})")
        for path in uploads:
            data = path.read_bytes()
            echo(
                f"  upload: {path.relative_to(bundle).as_posix()} ({len(data)} bytes, "
                f"sha256 {hashlib.sha256(data).hexdigest()[:12]})"
            )
        echo(f"  token:  {'found' if token else 'not found (set HF_TOKEN or run `hf auth login` before submitting)'}")
        return None
    if not token:
        raise CurateError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (a token with write access)")
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi(token=token)
    with _hub_errors(token, repo):
        info = api.dataset_info(repo, revision=parent_commit or revision, files_metadata=True)
        parent = parent_commit or info.sha
        _check_originals(manifest, info, repo, parent)
        if not allow_duplicate and fingerprint:
            for discussion in api.get_repo_discussions(
                repo_id=repo, repo_type="dataset", discussion_type="pull_request", discussion_status="open"
            ):
                if fingerprint in discussion.title:
                    echo(
                        f"an open pull request already proposes these corrections: #{discussion.num} "
                        f"({where}/discussions/{discussion.num}); nothing sent (use --allow-duplicate to open another)"
                    )
                    return None
        operations = [
            CommitOperationAdd(path_in_repo=p.relative_to(bundle).as_posix(), path_or_fileobj=str(p)) for p in uploads
        ]
        commit = api.create_commit(
            repo_id=repo,
            operations=operations,
            commit_message=title,
            commit_description=description,
            repo_type="dataset",
            create_pr=True,
            parent_commit=parent,
            revision=revision,
        )
    url = commit.pr_url or commit.commit_url
    echo(f"pull request opened: {url}")
    return url


def _check_originals(manifest: dict[str, Any], info: Any, repo: str, parent: str | None) -> None:
    """Refuse when a file to replace changed upstream since `curate fix` read it."""
    siblings = {s.rfilename: s for s in (info.siblings or [])}
    at = f"{repo}@{(parent or '')[:8]}"
    for rel, original in (manifest.get("hf", {}).get("originals") or {}).items():
        sibling = siblings.get(rel)
        if original is None:
            continue  # a file curate creates (a card the dataset did not have)
        if sibling is None:
            raise CurateError(f"'{rel}' is not in {at}: is --repo the dataset this folder was downloaded from?")
        if sibling.lfs is not None:
            same = sibling.lfs.sha256 == original["sha256"]
        elif sibling.blob_id is not None:
            same = sibling.blob_id == original["git_sha1"]
        else:
            continue
        if not same:
            raise CurateError(
                f"'{rel}' in {at} differs from the file curate fix read: the dataset changed upstream; "
                "download it again and re-run `curate fix`"
            )


class _hub_errors:
    """Turn huggingface_hub / network errors into one-line CurateErrors that never show the token."""

    def __init__(self, token: str, repo: str) -> None:
        self.token, self.repo = token, repo

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> bool:
        if exc is None or isinstance(exc, CurateError):
            return False
        from huggingface_hub.errors import (
            HfHubHTTPError,
            OfflineModeIsEnabled,
            RepositoryNotFoundError,
            RevisionNotFoundError,
        )

        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0].replace(self.token, "***")
        if isinstance(exc, OfflineModeIsEnabled):
            raise CurateError("HF_HUB_OFFLINE is set: unset it to submit") from None
        if isinstance(exc, RepositoryNotFoundError):
            raise CurateError(f"dataset repo '{self.repo}' not found on the Hub (or the token cannot see it)") from None
        if isinstance(exc, RevisionNotFoundError):
            raise CurateError(f"revision not found in '{self.repo}': {first}") from None
        if isinstance(exc, (HfHubHTTPError, OSError, ValueError)) or type(exc).__module__.startswith("httpx"):
            raise CurateError(f"Hugging Face Hub: {first}") from None
        return False
