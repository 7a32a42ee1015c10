"""The live status of ``nndoctor run``: a transient line on a terminal that never garbles or
changes the script's output, plain lines in CI logs, each finding printed once."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from report_fixtures import make_findings
from rich.console import Console

from nndoctor.report.live import CLEAR, LiveStatus

SCRIPTS = Path(__file__).parent / "scripts"
CHATTY = str(SCRIPTS / "chatty.py")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_in_pty(*args: str, timeout: float = 120) -> tuple[int, str]:
    """Run ``nndoctor ARGS`` with stdout and stderr on one pseudo-terminal; return all it showed."""
    master, slave = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "110", "LINES": "40", "OMP_NUM_THREADS": "1"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nndoctor", *args], stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return proc.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")


def test_terminal_status_is_transient_and_never_garbles_the_script_output(tmp_path):
    code, screen = run_in_pty("run", "--no-record", CHATTY)
    assert code == 0
    plain = ANSI.sub("", screen.replace(CLEAR, "<CLR>"))  # keep where the status line was erased
    status_draws = re.findall(r"<CLR>nndoctor \S step \d+", plain)
    assert len(status_draws) >= 3  # it was shown, and updated
    assert re.search(r"step \d+ · loss nan · \d+s · \d findings?: .*nonfinite-loss", plain)
    # Each of the script's lines arrives whole (a line written in two parts is not split by the
    # status) and starts at column 0: the status was erased before it, never left in front of it.
    assert re.findall(r"(?:\n|<CLR>)(epoch \d: )loss [0-9.na]+\r\n", plain) == [f"epoch {i}: " for i in range(3)]
    assert len(re.findall(r"(?:\n|<CLR>)a line on stderr\r\n", plain)) == 1
    assert len(re.findall(r"(?:\n|<CLR>)finished\r\n", plain)) == 1
    assert plain.count("ERROR nonfinite-loss") == 1  # the live finding, once
    tail = plain[plain.rfind("<CLR>nndoctor ") :]
    assert "<CLR>finished" in tail  # the last status was erased before the script's last line: transient
    assert "nndoctor: chatty.py" in tail.split("<CLR>finished", 1)[1]  # then only the summary follows


def test_ci_logs_get_plain_lines_and_stdout_is_unchanged():
    """(``tests/test_runner.py`` checks stdout is byte for byte plain Python's; this one checks it
    stays so while status lines are being written.)"""
    env = {**os.environ, "NNDOCTOR_STATUS_EVERY": "0.1", "OMP_NUM_THREADS": "1", "CHATTY_PACE": "0.3"}
    proc = subprocess.run(
        [sys.executable, "-m", "nndoctor", "run", "--no-record", CHATTY],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0
    expected = [rf"epoch {i}: loss {'nan' if i >= 2 else '[0-9.]+'}" for i in range(3)] + ["finished"]
    assert len(proc.stdout.splitlines()) == len(expected)
    for line, pattern in zip(proc.stdout.splitlines(), expected, strict=True):
        assert re.fullmatch(pattern, line), line
    status = [line for line in proc.stderr.splitlines() if line.startswith("nndoctor step")]
    assert len(status) >= 2 and "\x1b" not in proc.stderr
    assert re.search(r"findings?: .*nonfinite-loss", status[-1])
    assert proc.stderr.count("ERROR nonfinite-loss") == 1


class _Monitor:
    def __init__(self):
        from nndoctor.trace import Trace

        self.step = 0
        self.trace = Trace()


@pytest.fixture
def terminal(monkeypatch):
    """A pseudo-terminal: (attach, read). ``attach()`` puts sys.stdout and sys.stderr on it (in the
    test body: pytest's own capture resets them between phases); ``read()`` returns what it shows."""
    master, slave = pty.openpty()
    out = open(slave, "w", buffering=1, closefd=False)  # noqa: SIM115
    err = open(slave, "w", buffering=1, closefd=False)  # noqa: SIM115
    os.set_blocking(master, False)

    def attach():
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        return out, err

    def read() -> str:
        data = b""
        while True:
            try:
                chunk = os.read(master, 1 << 16)
            except BlockingIOError:
                return data.decode()
            data += chunk

    yield attach, read
    out.close()
    err.close()
    os.close(slave)
    os.close(master)


def test_partial_lines_hold_the_status_back_and_streams_are_given_back(terminal):
    attach, read = terminal
    real_out, real_err = attach()
    console = Console(file=None, stderr=True, force_terminal=True, width=100)
    live = LiveStatus(console, interactive=True, refresh=3600)  # draws only when this test says
    monitor = _Monitor()
    live.attach(monitor)
    live.start()
    try:
        assert sys.stdout is not real_out and sys.stderr is not real_err  # guarded while shown
        monitor.step = 7
        monitor.trace.scalar("loss", 7, 0.25)
        live._draw()
        assert "step 7 · loss 0.25" in ANSI.sub("", read())
        print("progress: ", end="")
        live._draw()  # the script's line is open: the status must wait
        print("done")
        shown = read()
        assert shown.startswith(CLEAR) and "progress: done\r\n" in shown and "nndoctor" not in shown
        live.on_finding(make_findings()[0])
        shown = ANSI.sub("", read())
        assert shown.count("WARNING dead-relu") == 1 and "1 finding: dead-relu" in shown
    finally:
        live.stop()
    assert sys.stdout is real_out and sys.stderr is real_err
    assert read().endswith(CLEAR)  # nothing left on screen


def test_a_forked_child_writes_straight_through_even_if_the_lock_was_held(terminal):
    """A DataLoader worker forked while the status thread held the lock must not deadlock."""
    import threading

    attach, read = terminal
    attach()
    live = LiveStatus(Console(stderr=True, force_terminal=True, width=80), interactive=True, refresh=3600).start()
    try:
        held, release = threading.Event(), threading.Event()

        def hold():
            with live._lock:
                held.set()
                release.wait(10)

        holder = threading.Thread(target=hold)
        holder.start()
        held.wait(5)
        pid = os.fork()
        if pid == 0:  # the child: print through the guard, then leave at once
            try:
                print("from the worker", flush=True)
            finally:
                os._exit(0)
        release.set()
        holder.join(5)
        deadline = time.monotonic() + 10
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                pytest.fail("the forked child deadlocked on the status lock")
            time.sleep(0.05)
        assert os.waitstatus_to_exitcode(status) == 0
        assert "from the worker" in read()
    finally:
        live.stop()
