"""The run record: a folder on disk that survives a crash or a SIGKILL.

Layout of ``<log-dir>/<run>/``:

- ``meta.json``: the script, its arguments, versions, start time (written first).
- ``trace.jsonl``: every event, and the name of every series of measurements, one JSON object
  a line (``{"e": name, "s": step, "d": data}``; ``{"series": id, "q": name, "k": key}``).
- ``scalars.bin``: every measurement, 16 bytes each, in the order taken: series id (uint32,
  from 1), step (int32), value (float64), little-endian. Measurements are the per-step hot
  path: packing 16 bytes costs a fraction of a microsecond, formatting a JSON line several.

Both files are shared memory maps, written as things are observed, so a killed process loses
nothing it had observed: the pages belong to the kernel's page cache, not to the process. (A
map costs a memory copy; an ``os.write`` costs a system call, 10-20 µs, a few percent of a
small model's step.) The files grow in chunks and are cut to their content on close; after a
kill they end in zero bytes, which the reader drops (a series id is never 0).
- ``findings.json``: the findings at the end of a run that finished (absent after a kill;
  ``nndoctor report`` recomputes them from the trace, since rules are pure functions of it).
"""

from __future__ import annotations

import json
import math
import mmap
import os
import re
import struct
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nndoctor.trace.store import Trace, as_float

DEFAULT_LOG_DIR = "nndoctor-runs"
#: The run record's files grow by at least this much at a time.
GROW_BYTES = 1 << 20
#: One measurement in ``scalars.bin``: series id, step, value.
SCALAR = struct.Struct("<Iid")
SCALAR_DTYPE = np.dtype([("sid", "<u4"), ("s", "<i4"), ("v", "<f8")])


def _encode(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # 'nan', 'inf', '-inf'; float() reads them back
    return value


class _MappedFile:
    """An append-only file written through a shared memory map, growing in chunks.

    Falls back to a system call per write on a file system that cannot map files.
    """

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        self.pos = os.fstat(self._fd).st_size
        self._map: mmap.mmap | None = None
        self._size = 0
        self._mappable = True

    def write(self, data: bytes) -> None:
        end = self.pos + len(data)
        if self._map is not None and end <= self._size:
            self._map[self.pos : end] = data
            self.pos = end
            return
        if self._make_room(end):
            self._map[self.pos : end] = data  # type: ignore[index]
            self.pos = end
            return
        os.lseek(self._fd, self.pos, os.SEEK_SET)
        os.write(self._fd, data)
        self.pos = end

    def pack(self, layout: struct.Struct, *values: Any) -> None:
        """``write(layout.pack(*values))`` without the intermediate bytes object."""
        end = self.pos + layout.size
        if self._map is not None and end <= self._size:
            try:
                layout.pack_into(self._map, self.pos, *values)
            except (struct.error, TypeError):
                self._map[self.pos : end] = bytes(layout.size)  # pack_into may have written the first fields
                raise
            self.pos = end
            return
        self.write(layout.pack(*values))

    def reserve(self) -> None:
        """Grow and map the file ahead of its first write, and touch the page that write lands
        on: the first write fault of a fresh file on a journalling file system allocates its
        first block, 0.2-3 ms, which would otherwise fall in the first training step. (The byte
        written is a zero past the content: what the file holds there anyway.)"""
        if self._map is None and self._make_room(self.pos + 1):
            self._map[self.pos] = 0  # type: ignore[index]

    def _make_room(self, end: int) -> bool:
        """Grow and remap the file so ``end`` fits; False if the file cannot be mapped."""
        if not self._mappable:
            return False
        try:
            if self._map is not None:
                self._map.close()
                self._map = None
            self._size = max(2 * self._size, end + GROW_BYTES)
            os.ftruncate(self._fd, self._size)
            self._map = mmap.mmap(self._fd, self._size)
            return True
        except (OSError, ValueError):  # a file system that cannot map: a system call per write
            self._mappable, self._map = False, None
            os.ftruncate(self._fd, self.pos)
            return False

    def close(self) -> None:
        if self._fd >= 0:
            if self._map is not None:
                self._map.close()
                self._map = None
            os.ftruncate(self._fd, self.pos)  # drop the unused end of the last chunk
            os.close(self._fd)
            self._fd = -1


def _ignore(_: Any) -> None:
    pass


class _Steps:
    """Stands in for a trace's ``last_step`` where nothing is kept in memory."""

    last_step = 0


class RecordWriter:
    """Writes a run record as it is observed (crash-safe): a :class:`Trace` sink.

    ``scalar`` takes each measurement as it is made; calling the writer with a list of records
    (the trace's per-step flush) appends events, and measurements too (records written by hand).
    """

    def __init__(self, directory: Path, meta: dict[str, Any]) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "meta.json").write_text(json.dumps(meta, indent=2, default=str))
        self._lines = _MappedFile(directory / "trace.jsonl")
        self._scalars = _MappedFile(directory / "scalars.bin")
        for f in (self._lines, self._scalars):  # mapped now, not in the first training step
            f.reserve()
        self._series: dict[tuple[Any, Any], int] = {}
        self._writers: dict[tuple[Any, Any], Callable[[int, float], None]] = {}

    def scalar(self, series: tuple[Any, Any], step: int, value: float) -> None:
        """One measurement of ``series`` (``(name, key)``)."""
        writer = self._writers.get(series)
        if writer is None:
            writer = self.series_writer(series)
        writer(step, value)

    def series_writer(self, series: tuple[Any, Any]) -> Callable[[int, float], None]:
        """A function writing measurements of one series to the record alone (records handed
        over by hand; a :class:`Trace` writes through :meth:`series_appender`)."""
        writer = self._writers.get(series)
        if writer is None:
            writer = self._writers[series] = self.series_appender(series, _ignore, _ignore, _Steps())
        return writer

    def series_appender(
        self,
        series: tuple[Any, Any],
        steps_append: Callable[[int], None],
        values_append: Callable[[float], None],
        trace: Any,
    ) -> Callable[[int, float], None]:
        """A function keeping and writing measurements of one series: the in-memory series
        (``steps_append``, ``values_append``), ``trace.last_step``, then 16 bytes packed into the
        mapped file, in one Python call. The series id and the file are bound once: this runs
        several times per training step, and each call more is a measurable share of a small
        model's step."""
        sid = self._series.get(series) or self._declare(series)
        f = self._scalars
        size, pack_into = SCALAR.size, SCALAR.pack_into

        def append(step: int, value: float) -> None:
            try:
                values_append(value)
            except TypeError:  # not a number: kept and written as NaN
                value = as_float(value)
                values_append(value)
            steps_append(step)
            if step > trace.last_step:
                trace.last_step = step
            end = f.pos + size
            if f._map is not None and end <= f._size:
                try:
                    pack_into(f._map, f.pos, sid, step, value)
                    f.pos = end
                    return
                except (struct.error, TypeError):
                    f._map[f.pos : end] = bytes(size)
            self._write_scalar(series, sid, step, value)

        return append

    def _write_scalar(self, series: tuple[Any, Any], sid: int, step: int, value: float) -> None:
        """A measurement the mapped fast path did not take: an unmapped file, or a step beyond
        int32 or a value that is not a plain float (written as a JSON line instead)."""
        try:
            self._scalars.pack(SCALAR, sid, step, value)
        except (struct.error, TypeError):
            self._lines.write(
                _dumps_event({"q": series[0], "k": series[1], "s": step, "v": _encode(value)}).encode() + b"\n"
            )

    def _declare(self, series: tuple[Any, Any]) -> int:
        sid = self._series[series] = len(self._series) + 1
        name, key = series
        line = json.dumps({"series": sid, "q": name, "k": key}, default=str)
        self._lines.write(line.encode() + b"\n")
        return sid

    def __call__(self, records: list[dict[str, Any]]) -> None:
        lines = []
        for r in records:
            if "v" in r and "q" in r:
                self.scalar((r["q"], r.get("k")), r["s"], r["v"])
                continue
            lines.append(_dumps_event(r))
        if lines:
            self._lines.write(("\n".join(lines) + "\n").encode())

    def write_findings(self, findings: list[dict[str, Any]]) -> None:
        """Write the findings beside the record; a record that cannot take them (its folder was
        deleted during the run, the disk is full) costs one warning, never the user's run."""
        try:
            (self.directory / "findings.json").write_text(json.dumps({"findings": findings}, indent=2))
        except OSError as exc:
            _record_warning("its findings", exc)

    def close(self) -> None:
        for f in (self._lines, self._scalars):
            try:
                f.close()
            except OSError as exc:
                _record_warning("its last measurements", exc)


def _record_warning(what: str, exc: OSError) -> None:
    warnings.warn(
        f"nndoctor: the run record could not keep {what} ({type(exc).__name__}: {exc}); the summary still has them",
        RuntimeWarning,
        stacklevel=3,
    )


#: Built once: ``json.dumps`` with options builds a new encoder on every call.
_STRICT_ENCODER = json.JSONEncoder(default=str, allow_nan=False)


def _dumps_event(record: dict[str, Any]) -> str:
    try:
        return _STRICT_ENCODER.encode(record)
    except ValueError:
        return json.dumps(json.loads(json.dumps(record, default=str)), default=str)


@dataclass
class RunRecord:
    """A run record read back from disk."""

    directory: Path
    meta: dict[str, Any]
    trace: Trace
    finished: bool
    findings: list[dict[str, Any]] | None


def load_record(directory: str | Path) -> RunRecord:
    """Read a run record; a truncated last line (killed mid-write) is skipped."""
    directory = Path(directory)
    trace_path = directory / "trace.jsonl"
    if not trace_path.is_file():
        raise FileNotFoundError(f"{directory} is not an nndoctor run record (no trace.jsonl)")
    meta_path = directory / "meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
    records, series = [], {}
    for line in trace_path.read_text().rstrip("\x00").splitlines():  # a killed run's file ends in zeros
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if "series" in record:
            series[record["series"]] = (record.get("q"), record.get("k"))
        else:
            records.append(record)
    trace = Trace()
    _read_scalars(directory / "scalars.bin", series, trace)
    for r in records:
        if "q" in r:
            trace.scalar(r["q"], int(r["s"]), as_float(r["v"]), r.get("k"))
        elif "e" in r:
            trace.event(r["e"], int(r["s"]), **(r.get("d") or {}))
    findings_path = directory / "findings.json"
    findings = json.loads(findings_path.read_text())["findings"] if findings_path.is_file() else None
    return RunRecord(directory, meta, trace, findings is not None, findings)


def _read_scalars(path: Path, series: dict[int, tuple[Any, Any]], trace: Trace) -> None:
    """Every measurement in ``scalars.bin``, series by series in the order they were declared."""
    if not path.is_file() or not series:
        return
    data = path.read_bytes()
    table = np.frombuffer(data, dtype=SCALAR_DTYPE, count=len(data) // SCALAR.size)
    end = np.flatnonzero(table["sid"] == 0)  # a killed run's file ends in zeros
    if len(end):
        table = table[: end[0]]
    order = np.argsort(table["sid"], kind="stable")
    sids = table["sid"][order]
    ids = list(series)
    bounds = np.searchsorted(sids, ids, side="left"), np.searchsorted(sids, ids, side="right")
    for (name, key), lo, hi in zip(series.values(), *bounds, strict=True):
        rows = table[order[lo:hi]]
        trace.extend_series(name, key, rows["s"].tolist(), rows["v"].tolist())


def new_run_dir(log_dir: str | Path, label: str) -> Path:
    """A fresh, sortable folder name: ``<log-dir>/20261124-101500-train``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-") or "run"
    base = Path(log_dir) / f"{time.strftime('%Y%m%d-%H%M%S')}-{safe}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = Path(f"{base}-{n}")
    return path
