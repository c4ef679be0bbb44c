"""A progress bar for long management commands (seeding, refreshes, reports), on stderr."""

from __future__ import annotations

import time

from django.core.management.base import OutputWrapper


class ProgressBar:
    """`Deltagare  45000/100000 [#########.........] 45%  12 s` on stderr.

    On a terminal the line is redrawn in place; in a log (not a terminal) each update is its own line.
    """

    def __init__(self, stream: OutputWrapper, label: str, total: int, width: int = 30) -> None:
        self.stream = stream
        self.label = label
        self.total = max(total, 1)
        self.width = width
        self.started = time.monotonic()
        self.in_place = stream.isatty()

    def __call__(self, done: int) -> None:
        filled = self.width * done // self.total
        seconds = time.monotonic() - self.started
        digits = len(str(self.total))
        line = (
            f"{self.label}  {done:>{digits}}/{self.total} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{100 * done // self.total:>3}%  {seconds:.0f} s"
        )
        # Plain text: stderr's default style is the red of an error.
        if self.in_place:
            end = "\n" if done >= self.total else ""
            self.stream.write(f"\r{line}", style_func=_plain, ending=end)
        else:
            self.stream.write(line, style_func=_plain)
        self.stream.flush()


def _plain(text: str) -> str:
    return text
