"""``nndoctor run``: execute an unmodified script as ``__main__`` under the monitor.

The script gets its own ``sys.argv``, ``sys.path[0]``, output and exit status, exactly as with
``python SCRIPT ARGS``; its exceptions print their usual traceback (without nndoctor's frames).
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from nndoctor.errors import BadInput
from nndoctor.findings import Finding
from nndoctor.monitor.monitor import Monitor
from nndoctor.trace.record import DEFAULT_LOG_DIR, RecordWriter, new_run_dir


@dataclass
class RunResult:
    """What a watched script did: its exit status, the findings, where the record is."""

    exit_code: int
    findings: list[Finding] = field(default_factory=list)
    record_dir: Path | None = None
    interrupted: bool = False
    #: Live findings the end of the run withdrew (``Monitor.resolved``).
    resolved: list[Finding] = field(default_factory=list)


def compile_script(path: str | Path) -> types.CodeType:
    """Read and compile a script, or raise :class:`BadInput` with a one-line reason."""
    p = Path(path)
    if not p.exists():
        raise BadInput(f"no such script: {path}")
    if p.is_dir():
        raise BadInput(f"{path} is a directory, not a Python script")
    try:
        source = p.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror}") from None
    if b"\0" in source:
        raise BadInput(f"{path} is not a Python script (it is a binary file)")
    try:
        return compile(source, str(p), "exec", dont_inherit=True)
    except SyntaxError as exc:
        raise BadInput(f"{path} is not a valid Python script: {exc.msg} (line {exc.lineno})") from None
    except ValueError as exc:
        raise BadInput(f"{path} is not a valid Python script: {exc}") from None


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


#: nndoctor's own source folder: its frames (the loss and backward wrappers) are left out of
#: the user's traceback, which reads as if the script had run on its own.
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _print_user_traceback(exc: BaseException, script: str) -> None:
    """The traceback Python would print, starting at the user's script, without nndoctor's frames."""
    tb = exc.__traceback__
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != os.path.abspath(script):
        tb = tb.tb_next
    report = traceback.TracebackException(type(exc), exc, tb or exc.__traceback__)
    report.stack = traceback.StackSummary.from_list(
        [f for f in report.stack if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)]
    )
    print("".join(report.format()), file=sys.stderr, end="")


def run_script(
    script: str | Path,
    args: Sequence[str] = (),
    *,
    log_dir: str | Path | None = DEFAULT_LOG_DIR,
    ignore: Sequence[str] = (),
    on_finding: Callable[[Finding], None] | None = None,
    on_start: Callable[[Monitor, Path | None], None] | None = None,
    on_script_end: Callable[[], None] | None = None,
) -> RunResult:
    """Run ``script`` as ``__main__`` under a monitor and return its exit status and findings.

    ``on_script_end`` is called as soon as the script's own code has finished (or raised), before
    the monitor's final analysis, which can take a while (the last rule checks, an LR probe)."""
    code = compile_script(script)
    script = str(script)
    record_dir = None
    writer = None
    if log_dir is not None:
        record_dir = new_run_dir(log_dir, Path(script).stem)
        meta: dict[str, Any] = {
            "script": os.path.abspath(script),
            "argv": [script, *args],
            "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "torch": torch.__version__,
            "python": sys.version.split()[0],
            "kind": "run",
        }
        writer = RecordWriter(record_dir, meta)
    monitor = Monitor(ignore=ignore, sink=writer, on_finding=on_finding)
    if on_start is not None:
        on_start(monitor, record_dir)

    main = types.ModuleType("__main__")
    main.__file__ = os.path.abspath(script)
    main.__builtins__ = __builtins__  # type: ignore[attr-defined]
    saved = (sys.argv, sys.path[0] if sys.path else None, sys.modules.get("__main__"))
    sys.argv = [script, *args]
    if sys.path:
        sys.path[0] = os.path.dirname(os.path.abspath(script))
    sys.modules["__main__"] = main
    exit_code, interrupted = 0, False
    monitor.start()
    try:
        exec(code, main.__dict__)
    except SystemExit as exc:
        exit_code = _exit_code(exc)
    except KeyboardInterrupt:
        exit_code, interrupted = 130, True
        print("\nKeyboardInterrupt", file=sys.stderr)
    except BaseException as exc:  # the script's own error: show it as Python would
        exit_code = 1
        _print_user_traceback(exc, script)
    finally:
        sys.stdout.flush()
        try:
            if on_script_end is not None:
                on_script_end()
        finally:
            findings = monitor.stop()
        sys.argv = saved[0]
        if saved[1] is not None:
            sys.path[0] = saved[1]
        if saved[2] is not None:
            sys.modules["__main__"] = saved[2]
        if writer is not None:
            writer.write_findings([f.to_dict() for f in findings])
            writer.close()
    return RunResult(exit_code, findings, record_dir, interrupted, monitor.resolved)
