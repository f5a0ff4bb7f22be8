"""The pre-commit hooks (``.pre-commit-hooks.yaml``), run by pre-commit itself with ``try-repo``.

``try-repo`` clones a local hook repository (a git repository holding this checkout's
``.pre-commit-hooks.yaml``, so uncommitted edits are tested too) and runs one hook in a test
dataset repository. Only the ``language: system`` hook runs here: the ``language: python`` one
would pip-install curate and its dependencies from the package index, and tests use no network; its
definition is checked to be the same command.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from test_gating import adult_rows, dataset  # noqa: F401 — fixtures and helpers

pytestmark = pytest.mark.skipif(shutil.which("pre-commit") is None or shutil.which("git") is None,
                                reason="needs pre-commit (test extra) and git")


def hooks() -> dict[str, dict]:
    return {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True,
                   capture_output=True)


def hook_repo(tmp: Path) -> Path:
    """A committed git repository with this checkout's hook definitions."""
    repo = tmp / "hook-repo"
    repo.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", repo)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "hooks")
    return repo


def try_repo(repo: Path, tmp: Path) -> subprocess.CompletedProcess:
    hooks_at = tmp / "hook-repo" if (tmp / "hook-repo").is_dir() else hook_repo(tmp)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run(["pre-commit", "try-repo", str(hooks_at), "curate-check-system", "--all-files", "--verbose"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=600)


def test_hook_definitions() -> None:
    defined = hooks()
    assert set(defined) == {"curate-check", "curate-check-system"}
    for hook in defined.values():
        assert hook["pass_filenames"] is False and hook["entry"].startswith("curate check . ")
    assert defined["curate-check"]["language"] == "python" and defined["curate-check-system"]["language"] == "system"
    assert defined["curate-check"]["entry"] == defined["curate-check-system"]["entry"]


def test_hook_fails_on_problems_then_passes_once_accepted(tmp_path: Path, adult_rows) -> None:
    repo = dataset(tmp_path / "dataset-repo", adult_rows)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    result = try_repo(repo, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "curate check (installed curate)" in result.stdout and "Failed" in result.stdout
    assert "24 duplicate rows" in result.stdout

    subprocess.run(["python", "-m", "curate", "check", ".", "--no-progress", "--format", "json",
                    "--update-baseline", "curate.baseline.json"], cwd=repo, check=True, capture_output=True)
    git(repo, "add", "curate.baseline.json")
    result = try_repo(repo, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout and "0 new, 0 fixed, 25 unchanged" in result.stdout
