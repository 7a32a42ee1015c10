"""The in-memory trace: what a long run costs it, and measurements that are not numbers."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np

from nndoctor.trace.record import RecordWriter, load_record
from nndoctor.trace.store import Trace


def test_a_long_series_takes_sixteen_bytes_a_point():
    # a million-step run keeps ~2 million points: as lists of Python numbers (~68 bytes a point)
    # that was ~140 MB
    trace = Trace()
    append = trace.appender("loss")
    append(0, 1.0)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for step in range(1, 100_001):
            append(step, 1.0 / step)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert grown < 100_000 * 16 * 1.5  # (an array grows by an eighth at a time)
    s = trace.view().series("loss")
    assert len(s) == 100_001 and s.steps.dtype == np.int64 and s.values[-1] == 1.0 / 100_000


def test_a_value_that_is_not_a_number_is_kept_as_nan(tmp_path):
    writer = RecordWriter(tmp_path, {"kind": "test"})
    trace = Trace(sink=writer)
    trace.scalar("grad_norm", 0, 1.5)
    trace.scalar("grad_norm", 1, None)  # a quantity's bug: the series keeps its shape
    trace.scalar("grad_norm", 2, np.float32(2.5))
    trace.flush()
    writer.close()
    s = trace.view().series("grad_norm")
    assert s.steps.tolist() == [0, 1, 2] and s.values[0] == 1.5 and math.isnan(s.values[1]) and s.values[2] == 2.5
    again = load_record(tmp_path).trace.view().series("grad_norm")  # written as NaN too
    assert again.steps.tolist() == [0, 1, 2] and math.isnan(again.values[1]) and again.values[2] == 2.5
