"""An append-only trace of named measurements, and the frozen views rules read.

Quantities append scalars (``loss`` at step 12, ``grad_norm`` of ``fc1.weight`` at step 40) and
events (a non-finite value was localised, a PyTorch warning was raised). Rules never see the
live store: they get a :class:`TraceView`, a snapshot they cannot mutate, so a rule is a pure
function of what was observed and gives the same answer when a run record is re-read later.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

RecordSink = Callable[[list[dict[str, Any]]], None]


def as_float(value: Any) -> float:
    """A measurement as a float, NaN for one that is not a number: a quantity that hands over
    something else must not make its series' steps and values disagree in length."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


@dataclass(frozen=True)
class Series:
    """Steps and values of one measurement, in step order."""

    steps: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def empty(self) -> bool:
        return len(self.steps) == 0

    def per_step_mean(self) -> Series:
        """One value per step (gradient accumulation records several losses per step)."""
        if self.empty:
            return self
        uniq, inverse = np.unique(self.steps, return_inverse=True)
        if len(uniq) == len(self.steps):
            return self
        sums = np.zeros(len(uniq))
        counts = np.zeros(len(uniq))
        np.add.at(sums, inverse, self.values)
        np.add.at(counts, inverse, 1)
        return Series(uniq, sums / counts)

    def until(self, step: int) -> Series:
        mask = self.steps <= step
        return Series(self.steps[mask], self.values[mask])

    def last(self, default: float = float("nan")) -> float:
        return float(self.values[-1]) if len(self.values) else default


@dataclass(frozen=True)
class Event:
    """Something that happened once, with its data (a localised NaN, a warning, a structure)."""

    name: str
    step: int
    data: dict[str, Any] = field(default_factory=dict)


class TraceView:
    """A frozen snapshot of a trace: what rules read."""

    def __init__(
        self,
        series: dict[tuple[str, str | None], Series],
        events: tuple[Event, ...],
        last_step: int,
        final: bool,
    ) -> None:
        self._series = series
        self._events = events
        self.last_step = last_step
        self.final = final

    def series(self, name: str, key: str | None = None) -> Series:
        """The series ``name`` (for ``key``, e.g. a layer), empty if never measured."""
        return self._series.get((name, key), _EMPTY)

    def keys(self, name: str) -> list[str]:
        """The keys (layers, modules) that ``name`` was measured for, in first-seen order."""
        return [k for (n, k) in self._series if n == name and k is not None]

    def names(self) -> list[str]:
        """Every series name measured, in first-seen order (reports and exports list them all)."""
        return list(dict.fromkeys(n for (n, _) in self._series))

    def events(self, name: str) -> list[Event]:
        return [e for e in self._events if e.name == name]

    def first_event(self, name: str) -> Event | None:
        for e in self._events:
            if e.name == name:
                return e
        return None

    @property
    def loss(self) -> Series:
        """The training loss, one value per optimizer step."""
        return self.series("loss").per_step_mean()


_EMPTY = Series(np.zeros(0, dtype=np.int64), np.zeros(0))


class Trace:
    """The live, append-only store. Writes go to memory and, if given, to a sink (the run record).

    A sink is called with the pending records once per step (:meth:`flush`). A sink that also
    has a ``series_appender`` method (the run record's writer) gets each measurement at once,
    through the function it returns for that series, which keeps the value in memory too:
    measurements are the per-step hot path, and a dictionary per value handed over later costs
    more than writing the value.
    """

    def __init__(self, sink: RecordSink | None = None) -> None:
        #: Per series, its steps and values as machine numbers (8 bytes each, where a list of
        #: Python numbers takes ~36: a million-step run keeps ~2 million of them), which a view
        #: copies into NumPy at memory speed.
        self._steps: dict[tuple[str, str | None], array] = {}
        self._values: dict[tuple[str, str | None], array] = {}
        #: Per series: its steps, its values and the function that hands a value to the sink.
        self._series: dict[tuple[str, str | None], tuple[array, array, Callable[[int, float], None] | None]] = {}
        self._events: list[Event] = []
        self._pending: list[dict[str, Any]] = []
        #: Per series with an appender: a one-item list holding its sink writer (see appender).
        self._appender_writers: dict[tuple[str, str | None], list] = {}
        #: Per series: the appender :meth:`scalar` writes through.
        self._appenders: dict[tuple[str, str | None], Callable[[int, float], None]] = {}
        self._sink = sink
        self.last_step = 0

    @property
    def _sink(self) -> RecordSink | None:
        return self._sink_fn

    @_sink.setter
    def _sink(self, sink: RecordSink | None) -> None:
        self._sink_fn = sink
        for k, (steps, values, _) in getattr(self, "_series", {}).items():
            self._series[k] = (steps, values, self._writer_for(k))
        for k, cell in getattr(self, "_appender_writers", {}).items():
            cell[0] = self._series[k][2]
        if getattr(self, "_appenders", None):
            self._appenders.clear()  # (fused ones are bound to the sink they were made with)

    def _writer_for(self, k: tuple[str, str | None]) -> Callable[[int, float], None] | None:
        sink = self._sink_fn
        if sink is None:
            return None
        if getattr(sink, "series_appender", None) is not None:
            return None  # written through the fused appenders (see appender)
        name, key = k
        return lambda step, value: self._pending.append({"q": name, "k": key, "s": step, "v": value})

    def scalar(self, name: str, step: int, value: float, key: str | None = None) -> None:
        """Append one measurement (through the series' :meth:`appender`, made on first use)."""
        append = self._appenders.get((name, key))
        if append is None:
            append = self._appenders[(name, key)] = self.appender(name, key)
        append(step, value)

    def appender(self, name: str, key: str | None = None) -> Callable[[int, float], None]:
        """A function that appends one measurement of one series: :meth:`scalar` with the series
        looked up once, for a series written on every training step (the loss). A sink with a
        ``series_appender`` (the run record's writer) makes it, so that keeping the value and
        writing it are one Python call."""
        k = (name, key)
        series = self._series.get(k) or self._new_series(k)
        steps_append, values_append = series[0].append, series[1].append
        fused = getattr(self._sink_fn, "series_appender", None)
        if fused is not None:
            return fused(k, steps_append, values_append, self)
        cell = self._appender_writers.setdefault(k, [series[2]])
        trace = self

        def append(step: int, value: float) -> None:
            try:
                values_append(value)
            except TypeError:
                values_append(as_float(value))
            steps_append(step)
            if step > trace.last_step:
                trace.last_step = step
            write = cell[0]
            if write is not None:
                write(step, value)

        return append

    def _new_series(self, k: tuple[str, str | None]) -> tuple[array, array, Callable[[int, float], None] | None]:
        steps = self._steps.setdefault(k, array("q"))
        values = self._values.setdefault(k, array("d"))
        series = self._series[k] = (steps, values, self._writer_for(k))
        return series

    def event(self, name: str, step: int, **data: Any) -> None:
        """Append one event."""
        self._events.append(Event(name, step, data))
        if self._sink is not None:
            self._pending.append({"e": name, "s": step, "d": data})

    def has_event(self, name: str) -> bool:
        return any(e.name == name for e in self._events)

    def latest(self, name: str, key: str | None = None) -> float | None:
        """The last value appended to a series, or None (cheap: the live status polls it)."""
        point = self.latest_point(name, key)
        return point[1] if point is not None else None

    def latest_point(self, name: str, key: str | None = None) -> tuple[int, float] | None:
        """The last (step, value) appended to a series, or None."""
        values = self._values.get((name, key))
        return (self._steps[(name, key)][-1], values[-1]) if values else None

    def flush(self) -> None:
        """Hand pending records to the sink (the monitor calls this once per step)."""
        if self._pending and self._sink is not None:
            pending, self._pending = self._pending, []
            self._sink(pending)

    def view(self, final: bool = False) -> TraceView:
        series = {
            k: Series(np.array(self._steps[k], dtype=np.int64), np.array(self._values[k], dtype=float))
            for k in self._steps
        }
        return TraceView(series, tuple(self._events), self.last_step, final)

    def extend_series(self, name: str, key: str | None, steps: Iterable[int], values: Iterable[float]) -> None:
        """Append many measurements of one series at once (reading a run record back)."""
        k = (name, key)
        own_steps = self._steps.setdefault(k, array("q"))
        own_values = self._values.setdefault(k, array("d"))
        values = list(values)
        try:
            new_values = array("d", values)
        except TypeError:
            new_values = array("d", map(as_float, values))
        new_steps = array("q", steps)
        if len(new_steps) != len(new_values):
            raise ValueError(f"{len(new_steps)} steps for {len(new_values)} values of {name!r}")
        own_steps.extend(new_steps)
        own_values.extend(new_values)
        if new_steps:  # (the steps held before are in last_step already)
            self.last_step = max(self.last_step, max(new_steps))

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> Trace:
        """Rebuild a trace from the records a sink received (a run record on disk)."""
        trace = cls()
        for r in records:
            if "q" in r:
                trace.scalar(r["q"], int(r["s"]), float(r["v"]), r.get("k"))
            elif "e" in r:
                trace.event(r["e"], int(r["s"]), **(r.get("d") or {}))
        return trace
