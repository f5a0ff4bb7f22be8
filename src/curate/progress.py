"""Progress display for long runs: a rich progress bar on stderr when it is a terminal."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterable, Iterator, TypeVar

from rich.console import Console

if TYPE_CHECKING:
    from rich.progress import Progress

T = TypeVar("T")


class RichProgress:
    """Implements ``curate.context.Progress`` with one bar per tracked loop."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress

    def track(self, items: Iterable[T], total: int | None, description: str) -> Iterator[T]:
        from rich.markup import escape as markup_escape

        from curate.escape import terminal

        # check names come from the dataset's own suite: no control characters, no rich markup
        task = self._progress.add_task(markup_escape(terminal(description)), total=total)
        try:
            for item in items:
                yield item
                self._progress.advance(task)
        finally:
            self._progress.remove_task(task)


@contextmanager
def console_progress(enabled: bool) -> Iterator[RichProgress | None]:
    """A live progress display on stderr, or None when disabled or stderr is not a terminal."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        yield RichProgress(progress)
