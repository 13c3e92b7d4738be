"""The progress of long work (`amurkg build`): a live display on a terminal, plain lines in CI logs.

Long work reports through an `echo` callable, as before: an unindented message starts a stage ("ingest: species"),
an indented one is a detail of the current stage. `count(echo, done, total)` reports items done where the stage can
count them; an echo without a `count` method (a test's `lambda m: None`, `print`) simply ignores the counts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

# what reports progress: print, a StageProgress, click.echo, or a test's list.append
Echo = Callable[[str], None]


def count(echo: Echo, done: int, total: int | None, unit: str = "") -> None:
    """Items done in the current stage (of `total`, when known), for an echo that shows them (see StageProgress)."""
    report = getattr(echo, "count", None)
    if report is not None:
        report(done, total, unit)


class CountingWriter:
    """A binary output that reports the bytes written through it to an echo: the progress of a dump whose size is
    unknown until written (`amurkg export`)."""

    def __init__(self, output: IO[bytes], echo: Echo):
        self.output = output
        self.echo = echo
        self.written = 0

    def write(self, data: bytes) -> int:
        written = self.output.write(data)
        self.written += len(data)
        count(self.echo, self.written, None, " bytes")
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self.output, name)


class StageProgress:
    """An echo showing the current stage, its elapsed time and items done; plain lines when not on a terminal."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.started = time.perf_counter()
        self.task: TaskID | None = None
        self.display: Progress | None = None
        if self.live:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            # items done ("3/7") only for the stages that count them
            self.display = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[items]}"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self.display.start()

    def __call__(self, message: str) -> None:
        if not self.live:
            # CI logs: one line per message, the stages stamped with the time since the start
            stamp = "" if message.startswith(" ") else f"[{time.perf_counter() - self.started:6.1f} s] "
            print(stamp + message, file=self.stream, flush=True)
            return
        assert self.display is not None  # live: made in __init__
        if message.startswith(" ") or message.startswith("warning"):
            self.display.console.print(message, markup=False, highlight=False)
            return
        self._finish_task()
        # a stage without counts shows an indeterminate bar (total None) until it reports some
        self.task = self.display.add_task(message.replace("[", r"\["), total=None, items="")

    def count(self, done: int, total: int | None, unit: str = "") -> None:
        if self.display is not None and self.task is not None:
            items = f"{done:,}{unit}" if total is None else f"{done}/{total}{unit}"
            self.display.update(self.task, completed=done, total=total, items=items)

    def _finish_task(self) -> None:
        if self.display is not None and self.task is not None:
            task = self.display.tasks[-1]
            self.display.update(self.task, total=task.total or 1, completed=task.total or 1)

    def close(self) -> None:
        if self.display is not None:
            self._finish_task()
            self.display.stop()

    def __enter__(self) -> StageProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
