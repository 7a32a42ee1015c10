"""What a report is rendered from: a live trace, a run record, or a run record's folder.

``run`` has its monitor's trace, ``report`` reads a record from disk, ``examine`` hands over
the trace its experiments recorded. Every report target takes any of them through
:func:`resolve`, so the HTML, TensorBoard and terminal views never depend on where the data
came from.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nndoctor.errors import BadInput
from nndoctor.trace import RunRecord, Trace, TraceView, load_record


@dataclass
class ReportData:
    """A frozen view of the measurements plus what is known about the run."""

    view: TraceView | None
    meta: dict[str, Any] = field(default_factory=dict)
    directory: Path | None = None
    finished: bool | None = None


#: Anything a report can be rendered from.
Source = Trace | TraceView | RunRecord | ReportData | str | Path | None


def resolve(
    source: Source = None, meta: dict[str, Any] | None = None, record_dir: str | Path | None = None
) -> ReportData:
    """Turn any report source into :class:`ReportData`.

    ``record_dir`` names the run record a live trace is also being written to (``run``): its
    ``meta.json`` fills the report's header. A folder that is not a run record raises
    :class:`BadInput` (one line for the user).
    """
    data = ReportData(None)
    if record_dir is not None and not isinstance(source, (RunRecord, str, Path)):
        data.directory = Path(record_dir)
        with contextlib.suppress(OSError, ValueError):
            data.meta = json.loads((data.directory / "meta.json").read_text())
    if isinstance(source, Trace):
        data.view = source.view(final=True)
    elif isinstance(source, TraceView):
        data.view = source
    elif isinstance(source, ReportData):
        data = source
    elif isinstance(source, RunRecord):
        data = ReportData(source.trace.view(final=True), dict(source.meta), source.directory, source.finished)
    elif isinstance(source, (str, Path)):
        data = resolve(read_record(source))
    if meta:
        data.meta = {**data.meta, **meta}
    return data


def read_record(directory: str | Path) -> RunRecord:
    """``load_record`` with user-facing errors: a missing or unreadable folder is :class:`BadInput`."""
    path = Path(directory)
    if not path.exists():
        raise BadInput(f"no such run record: {directory}")
    if not path.is_dir():
        raise BadInput(f"{directory} is not a folder: give a run record folder (nndoctor-runs/<run>)")
    try:
        return load_record(path)
    except FileNotFoundError:
        runs = latest_runs(path)
        hint = f"; runs in it: {', '.join(p.name for p in runs[-3:])}" if runs else ""
        raise BadInput(f"{directory} is not an nndoctor run record (no trace.jsonl){hint}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise BadInput(f"cannot read run record {directory}: {type(exc).__name__}: {exc}") from None


def latest_runs(log_dir: Path) -> list[Path]:
    """Run records directly inside ``log_dir``, oldest first (their names sort by start time)."""
    try:
        return sorted(p for p in log_dir.iterdir() if (p / "trace.jsonl").is_file())
    except OSError:
        return []
