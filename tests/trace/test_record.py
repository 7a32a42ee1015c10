"""The run record on disk gives back exactly the trace that was observed, after a clean close
and after the writer was abandoned mid-run (a SIGKILL leaves the files unclosed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nndoctor.trace import Trace, load_record
from nndoctor.trace.record import RecordWriter


def _observe(trace: Trace) -> None:
    for step in range(300):
        trace.scalar("loss", step, 2.0 / (step + 1))
        if step % 10 == 0:
            trace.scalar("grad_norm", step, float(step), "optimizer")
            trace.scalar("dead_fraction", step, 0.25, "net.1")
        if step == 7:
            trace.event("nonfinite", step, kind="loss", loss=math.nan)
        trace.flush()
    trace.scalar("loss", 300, math.nan)
    trace.scalar("loss", 301, math.inf)
    trace.scalar("big", 2**40, 1.0)  # a step beyond the binary layout goes to the text file
    trace.flush()


def _same(a: Trace, b: Trace) -> None:
    va, vb = a.view(), b.view()
    assert va.names() == vb.names()
    for name in va.names():
        assert va.keys(name) == vb.keys(name)
        for key in va.keys(name) or [None]:
            sa, sb = va.series(name, key), vb.series(name, key)
            np.testing.assert_array_equal(sa.steps, sb.steps)
            np.testing.assert_array_equal(sa.values, sb.values)  # NaN equals NaN here
    assert [(e.name, e.step) for e in va._events] == [(e.name, e.step) for e in vb._events]
    assert va.last_step == vb.last_step


@pytest.mark.parametrize("closed", [True, False], ids=["closed", "abandoned"])
def test_record_round_trip(tmp_path, closed):
    writer = RecordWriter(tmp_path / "run", {"kind": "test"})
    live = Trace(writer)
    _observe(live)
    if closed:
        writer.close()
        assert (tmp_path / "run" / "scalars.bin").stat().st_size == 16 * (300 + 30 + 30 + 2)
    record = load_record(tmp_path / "run")
    _same(live, record.trace)
    assert math.isnan(record.trace.view().series("loss").values[-2])
    assert record.trace.view().series("big").steps.tolist() == [2**40]


def test_a_plain_callable_sink_still_gets_every_record():
    got = []
    trace = Trace(got.extend)
    trace.scalar("loss", 0, 1.5)
    trace.event("warning", 0, message="x")
    trace.flush()
    assert got == [{"q": "loss", "k": None, "s": 0, "v": 1.5}, {"e": "warning", "s": 0, "d": {"message": "x"}}]


def test_series_writers_take_odd_values_and_a_sink_set_later(tmp_path):
    """The per-series fast path falls back to a JSON line for what 16 packed bytes cannot hold,
    and a sink attached after measurements began gets the later ones through its own writers."""
    trace = Trace()
    trace.scalar("loss", 0, 1.0)  # no sink yet: memory only
    writer = RecordWriter(tmp_path / "run", {"argv": ["x"]})
    trace._sink = writer
    trace.scalar("loss", 1, 0.5)
    trace.scalar("loss", 2**40, 0.25)  # a step beyond int32
    trace.scalar("grad_norm", 3, 2.0, "optimizer")
    writer.scalar(("loss", None), 4, 0.125)  # the writer's own entry point
    trace.flush()
    writer.close()
    back = load_record(tmp_path / "run").trace.view()
    loss = back.series("loss")
    assert sorted(zip(loss.steps.tolist(), loss.values.tolist(), strict=True)) == [(1, 0.5), (4, 0.125), (2**40, 0.25)]
    assert back.series("grad_norm", "optimizer").values.tolist() == [2.0]


def test_files_prepared_at_open_hold_nothing_but_what_was_written(tmp_path):
    """The writer maps both files and touches the page of their first write when it opens (so the
    first training step does not pay the file system's first block allocation): that leaves no
    content behind, on a close with nothing written and on an abandoned record alike."""
    empty = RecordWriter(tmp_path / "empty", {"kind": "test"})
    empty.close()
    assert (tmp_path / "empty" / "scalars.bin").stat().st_size == 0
    assert (tmp_path / "empty" / "trace.jsonl").stat().st_size == 0
    assert load_record(tmp_path / "empty").trace.view().names() == []

    abandoned = RecordWriter(tmp_path / "abandoned", {"kind": "test"})
    assert abandoned._scalars._map[0] == 0 and abandoned._scalars.pos == 0
    trace = Trace(abandoned)
    trace.scalar("loss", 0, 1.0)
    trace.flush()
    assert load_record(tmp_path / "abandoned").trace.view().series("loss").values.tolist() == [1.0]
