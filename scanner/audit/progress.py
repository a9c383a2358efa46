"""Progress on stderr: a one-line bar on a terminal, plain text lines otherwise (logs, CI)."""

from __future__ import annotations

import shutil
import sys
import time
import unicodedata
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = int(max(0, seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def _fit(line: str, columns: int) -> str:
    """Clip to the terminal width (wide CJK characters count as two columns) so the bar never wraps."""
    out, width = [], 0
    for ch in line:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width + w > columns:
            break
        out.append(ch)
        width += w
    return "".join(out)


class Progress:
    """Files done/total, rate, ETA and findings so far.

    On a TTY the bar is redrawn in place at most ``tty_interval`` seconds apart; elsewhere one
    plain line is written every ``plain_interval`` seconds (and at the end).
    """

    def __init__(
        self,
        total: int,
        stream: TextIO | None = None,
        *,
        tty: bool | None = None,
        tty_interval: float = 0.25,
        plain_interval: float = 5.0,
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = tty_interval if self.tty else plain_interval
        self.start = time.monotonic()
        self._last = 0.0
        self._state: tuple[int, int, int] | None = None
        self.heartbeat = 60.0
        self.done = self.scanned = self.skipped = self.failed = self.findings = 0

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-6)
        rate = self.done / elapsed
        remaining = (self.total - self.done) / rate if rate > 0 else 0.0
        pct = 100.0 * self.done / self.total if self.total else 100.0
        eta = _clock(remaining) if self.done else "--:--"
        stats = (
            f"{self.done}/{self.total} {pct:3.0f}% | {rate * 60:.1f} 份/分 | 剩余 {eta} | "
            f"问题 {self.findings} | 跳过 {self.skipped} | 失败 {self.failed}"
        )
        if not self.tty:
            return f"审计进度 {stats}"
        width = 24
        fill = int(width * self.done / self.total) if self.total else width
        return f"审计 [{'#' * fill}{'.' * (width - fill)}] {stats}"

    def update(
        self, *, done: int, scanned: int, skipped: int, failed: int, findings: int, force: bool = False
    ) -> None:
        self.done, self.scanned, self.skipped, self.failed, self.findings = (
            done,
            scanned,
            skipped,
            failed,
            findings,
        )
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        state = (done, failed, findings)
        if not (force or self.tty) and state == self._state and now - self._last < self.heartbeat:
            return  # plain output: a line when something changed, or a heartbeat while waiting
        self._last, self._state = now, state
        if self.tty:
            self.stream.write("\r\x1b[2K" + _fit(self.line(), shutil.get_terminal_size().columns - 1))
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line of its own (keeps the bar intact on a TTY)."""
        prefix = "\r\x1b[2K" if self.tty else ""
        self.stream.write(f"{prefix}{text}\n")
        if self.tty:
            self.stream.write(_fit(self.line(), shutil.get_terminal_size().columns - 1))
        self.stream.flush()

    def close(self) -> None:
        self.update(
            done=self.done,
            scanned=self.scanned,
            skipped=self.skipped,
            failed=self.failed,
            findings=self.findings,
            force=True,
        )
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
