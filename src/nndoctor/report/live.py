"""The live status of ``nndoctor run``: step, loss and findings so far, on stderr.

On a terminal it is one transient line (redrawn a few times a second, erased at the end). The
script's own output must reach the terminal unchanged and never be overwritten, so while the
status is shown, ``sys.stdout``/``sys.stderr`` (when they are that same terminal) are wrapped by a
pass-through that erases the status line before the script writes, and lets it come back only
once the script's output ends a line: a script's own progress bar (``\\r`` updates) keeps the
status hidden. The bytes the script writes are never altered. When stderr is not a terminal (CI
logs) the status is a plain line every ``NNDOCTOR_STATUS_EVERY`` seconds (default 30).

Findings are printed once each, the moment they are found, above the status line.
"""

from __future__ import annotations

import io
import os
import sys
import threading
import time
import weakref
from typing import IO, Any

from rich.console import Console
from rich.text import Text

from nndoctor.findings import Finding, sort_findings
from nndoctor.report.terminal import STYLE, print_finding

#: Seconds between redraws of the terminal status line.
TTY_REFRESH = 0.25


def _plain_every(default: float = 30.0) -> float:
    """Seconds between plain status lines when stderr is not a terminal (``NNDOCTOR_STATUS_EVERY``)."""
    try:
        return max(float(os.environ.get("NNDOCTOR_STATUS_EVERY", default)), 0.0)
    except ValueError:
        return default


PLAIN_EVERY = _plain_every()
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
CLEAR = "\r\x1b[2K"

_INSTANCES: weakref.WeakSet[LiveStatus] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child (a DataLoader worker) writes straight through: no lock, no status."""
    for live in list(_INSTANCES):
        live._lock = threading.RLock()
        live._forked = True


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _is_terminal(stream: IO[str]) -> bool:
    """A real terminal (not a log that merely asks for colour): the status line needs one."""
    try:
        return stream.isatty() and os.environ.get("TERM", "") != "dumb"
    except (AttributeError, ValueError):
        return False


def _same_terminal(a: IO[str], b: IO[str]) -> bool:
    try:
        return a.isatty() and os.path.samestat(os.fstat(a.fileno()), os.fstat(b.fileno()))
    except (AttributeError, OSError, ValueError):
        return False


class _PassThrough:
    """Wraps the script's stdout/stderr: same bytes, same stream, but clears the status first."""

    def __init__(self, live: LiveStatus, stream: IO[str]) -> None:
        self._nndoctor_live = live
        self._nndoctor_stream = stream

    def write(self, s: str) -> int:
        return self._nndoctor_live._user_write(self._nndoctor_stream, s)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nndoctor_stream, name)


class LiveStatus:
    """Shows how a watched run is going while it trains.

    Args:
        console: where findings are printed (nndoctor's stderr console).
        interactive: draw a transient status line (default: stderr is a terminal).
        plain_every: seconds between plain status lines when not interactive (0: never).
        refresh: seconds between redraws of the terminal status line.
    """

    def __init__(
        self,
        console: Console,
        *,
        interactive: bool | None = None,
        plain_every: float | None = None,
        refresh: float = TTY_REFRESH,
    ) -> None:
        self.console = console
        self.refresh = refresh
        self.interactive = _is_terminal(sys.stderr) if interactive is None else interactive
        self.plain_every = PLAIN_EVERY if plain_every is None else plain_every
        self.findings: list[Finding] = []
        self._monitor: Any = None
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._err: IO[str] = sys.stderr
        self._shown = False
        self._user_line_open = False
        self._guards: list[tuple[str, _PassThrough]] = []
        self._started_at = time.monotonic()
        self._last_plain_step = -1
        self._frame = 0
        self._forked = False
        _INSTANCES.add(self)

    # -------------------------------------------------------------- lifecycle
    def attach(self, monitor: Any, *_: Any) -> None:
        """Read progress from this monitor (``run_script``'s ``on_start`` callback)."""
        self._monitor = monitor

    def start(self) -> LiveStatus:
        self._err = sys.stderr
        self._started_at = time.monotonic()
        if self.interactive:
            for name in ("stdout", "stderr"):
                stream = getattr(sys, name)
                if stream is self._err or _same_terminal(stream, self._err):
                    guard = _PassThrough(self, stream)
                    setattr(sys, name, guard)
                    self._guards.append((name, guard))
        if self.interactive or self.plain_every > 0:
            self._thread = threading.Thread(target=self._loop, name="nndoctor-status", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Erase the status line and give the script's streams back."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None
        with self._lock:
            self._clear()
            for name, guard in self._guards:
                if getattr(sys, name) is guard:
                    setattr(sys, name, guard._nndoctor_stream)
            self._guards.clear()

    def __enter__(self) -> LiveStatus:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -------------------------------------------------------------- findings
    def on_finding(self, finding: Finding) -> None:
        """Print a new finding once, above the status line."""
        with self._lock:
            self.findings.append(finding)
            self._clear()
            print_finding(self.console, finding)
            self._draw()

    # -------------------------------------------------------------- status
    def status_text(self) -> Text:
        """``nndoctor ⠋ step 1240 · loss 0.3121 · 12s · 1 finding: nonfinite-loss``"""
        step = getattr(self._monitor, "step", 0) if self._monitor is not None else 0
        loss = None
        trace = getattr(self._monitor, "trace", None)
        if trace is not None:
            loss = trace.latest("loss")
        elapsed = time.monotonic() - self._started_at
        text = Text.assemble(("nndoctor ", "bold cyan"))
        if self.interactive:
            text.append(SPINNER[self._frame % len(SPINNER)] + " ", style="cyan")
        text.append(f"step {step}")
        if loss is not None:
            text.append(f" · loss {loss:.4g}")
        text.append(f" · {elapsed:.0f}s · ")
        found = sort_findings(list(self.findings))
        if not found:
            text.append("no findings so far", style="green")
        else:
            text.append(f"{len(found)} finding{'s' if len(found) > 1 else ''}: ")
            for i, f in enumerate(found):
                text.append(("" if i == 0 else ", ") + f.id, style=STYLE[f.severity])
        return text

    def _loop(self) -> None:
        wait = self.refresh if self.interactive else max(self.plain_every, 0.05)
        while not self._stop.wait(wait):
            try:
                with self._lock:
                    if self._forked:
                        return
                    if self.interactive:
                        self._frame += 1
                        self._draw()
                    else:
                        self._plain()
            except Exception:  # the status is a nicety: it must never disturb the run
                return

    def _plain(self) -> None:
        step = getattr(self._monitor, "step", 0) if self._monitor is not None else 0
        if step == self._last_plain_step:
            return
        self._last_plain_step = step
        self._err.write(self.status_text().plain + "\n")
        self._err.flush()

    def _draw(self) -> None:
        if not self.interactive or self._user_line_open or self._forked:
            return
        width = max(self.console.width - 1, 20)
        text = self.status_text()
        text.truncate(width, overflow="ellipsis")
        # Rendered on a console of its own: the shared one's lock is never taken from this thread.
        render = Console(file=io.StringIO(), force_terminal=True, color_system=self.console.color_system, width=width)
        render.print(text, end="", soft_wrap=True)
        self._err.write(CLEAR + render.file.getvalue())
        self._err.flush()
        self._shown = True

    def _clear(self) -> None:
        if self._shown:
            self._err.write(CLEAR)
            self._err.flush()
            self._shown = False

    def _user_write(self, stream: IO[str], s: str) -> int:
        if self._forked:
            return stream.write(s)
        with self._lock:
            self._clear()
            n = stream.write(s)
            if s:
                self._user_line_open = not s.endswith("\n")
                if not self._user_line_open:
                    stream.flush()
            return n
