"""What ``examine`` shows while it works and after: a rich progress line, a table of experiments."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from nndoctor.experiments.base import Experiment
from nndoctor.experiments.runner import Outcome

STATUS_STYLE = {"done": "green", "stopped": "green", "skipped": "dim", "failed": "red"}


class RichProgress:
    """A progress bar on stderr naming the running experiment (a plain line per experiment
    when stderr is not a terminal, so CI logs show what ran)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._task = None

    def started(self, experiment: Experiment, index: int, total: int) -> None:
        if not self.console.is_terminal:
            return
        if self._progress is None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("[bold]examine[/bold] {task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("", total=total)
        self._progress.update(self._task, description=experiment.title, completed=index)

    def finished(self, experiment: Experiment, status: str, seconds: float, summary: str) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)
        else:
            self.console.print(f"[dim]examine: {experiment.title}: {status} ({seconds:.1f} s)[/dim]")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def outcomes_renderable(outcomes: Sequence[Outcome], seconds: float) -> RenderableType:
    """One row per experiment: what it measured, how long it took."""
    table = Table(title=f"experiments ({seconds:.1f} s)", title_justify="left", expand=False)
    table.add_column("experiment")
    table.add_column("status")
    table.add_column("s", justify="right")
    table.add_column("measured")
    for o in outcomes:
        table.add_row(
            o.title, Text(o.status, style=STATUS_STYLE.get(o.status, "")), f"{o.seconds:.1f}", Text(o.summary)
        )
    return table
