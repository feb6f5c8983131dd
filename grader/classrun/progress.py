"""A one-line progress bar on stderr: redrawn in place on a terminal, a line per tenth in a log."""

from __future__ import annotations

import sys
import time


class Progress:
    """Counts finished items out of `total`, with the rate, the time left and the failures so far."""

    def __init__(self, total: int, label: str, stream=None, width: int = 30):
        self.total, self.label, self.width = total, label, width
        self.stream = stream or sys.stderr
        self.done = self.failed = 0
        self.start = time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._tenth = -1
        if total:
            self._draw()

    def step(self, failed: bool = False) -> None:
        self.done += 1
        self.failed += bool(failed)
        self._draw()

    def line(self) -> str:
        elapsed = time.perf_counter() - self.start
        filled = self.width * self.done // max(self.total, 1)
        rate = self.done / elapsed * 60 if elapsed > 0 and self.done else 0.0
        left = (self.total - self.done) * elapsed / self.done if self.done else float("nan")
        text = (f"{self.label:>9} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total}"
                f"  {rate:.0f}/min  {elapsed:.0f} s")
        if self.done < self.total and self.done:
            text += f", ~{left:.0f} s left"
        if self.failed:
            text += f"  {self.failed} failed"
        return text

    def _draw(self) -> None:
        if self.tty:
            self.stream.write("\r" + self.line() + "\033[K")
        else:
            tenth = 10 * self.done // max(self.total, 1)
            if tenth == self._tenth:
                return
            self._tenth = tenth
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.total:
            self.stream.write("\n")
            self.stream.flush()
