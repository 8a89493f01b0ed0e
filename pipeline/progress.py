"""A progress bar on stderr for long work: documents done, and the pages of each PDF being read.

Only for a person watching: shown when stderr is a terminal (never in a pipe, a log or a test's
captured output) and not ``--quiet``. It is drawn by ``rich`` (which Prefect installs) and disappears
when the work ends; lines printed meanwhile (errors, warnings) appear above it. When it is off, every
method is a no-op and no page counts are even sent back from the worker processes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

PageReport = Callable[[int, int], None]


def wanted(quiet: bool) -> bool:
    """A bar only for a person at a terminal who did not ask for quiet."""
    return not quiet and sys.stderr.isatty()


class Progress:
    """Documents done out of all, and a line per document being read with its pages."""

    def __init__(self, bar: Any = None, documents: int = 0) -> None:
        self._bar = bar
        self._documents = bar.add_task("documents", total=documents, unit="") if bar and documents > 1 else None

    @contextmanager
    def document(self, label: str) -> Iterator[PageReport | None]:
        """While one document is read: a callback for its pages (None when the bar is off)."""
        bar = self._bar
        if bar is None:
            yield None
            return
        task = bar.add_task(label, total=None, unit="")

        def pages(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, unit="pages")

        try:
            yield pages
        finally:
            bar.remove_task(task)
            if self._documents is not None:
                bar.advance(self._documents)


@contextmanager
def progress(documents: int, *, enabled: bool) -> Iterator[Progress]:
    """A bar for ``documents`` documents on stderr while the block runs, if ``enabled``."""
    if not enabled:
        yield Progress()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    bar = Bar(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        redirect_stdout=sys.stdout.isatty(),  # JSON to a pipe or file stays there
    )
    with bar:
        yield Progress(bar, documents)
