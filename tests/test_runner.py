"""The runner's handling of the process around the checks: the objects that exist before the
checks run are frozen out of the garbage collector's full passes while they run, and put back."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import EXAMPLES, HF_NEWS_ROLES, run

from curate.checks import duplicates as duplicates_module

NEWS = EXAMPLES / "hf_news"


@pytest.fixture
def freeze_counts(monkeypatch) -> list[int]:
    """``gc.get_freeze_count()`` as each ``duplicates`` check of a run starts."""
    seen: list[int] = []
    real = duplicates_module.Duplicates.run

    def recording(self, ctx):
        seen.append(gc.get_freeze_count())
        return real(self, ctx)

    monkeypatch.setattr(duplicates_module.Duplicates, "run", recording)
    return seen


def test_checks_run_with_the_loaded_objects_frozen_and_they_are_put_back(tmp_path: Path, freeze_counts) -> None:
    assert gc.get_freeze_count() == 0
    report = run(NEWS, tmp_path, "  - duplicates: {}\n  - duplicates: {name: texts, columns: [text]}\n", HF_NEWS_ROLES)
    assert [r.status for r in report.results] and len(freeze_counts) == 2
    assert all(count > 1000 for count in freeze_counts)  # the modules and the dataset at least
    assert gc.get_freeze_count() == 0


def test_a_callers_own_freeze_is_left_as_it_was(tmp_path: Path, freeze_counts) -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        run(NEWS, tmp_path, "  - duplicates: {}\n", HF_NEWS_ROLES)
        # neither unfrozen nor frozen again (frozen objects can still be freed by reference counting)
        assert len(freeze_counts) == 1 and 0 < freeze_counts[0] <= before
        assert 0 < gc.get_freeze_count() <= before
    finally:
        gc.unfreeze()


def test_the_objects_are_put_back_when_a_check_raises(tmp_path: Path, monkeypatch) -> None:
    def failing(self, ctx):
        raise KeyboardInterrupt

    monkeypatch.setattr(duplicates_module.Duplicates, "run", failing)
    with pytest.raises(KeyboardInterrupt):
        run(NEWS, tmp_path, "  - duplicates: {}\n", HF_NEWS_ROLES)
    assert gc.get_freeze_count() == 0
