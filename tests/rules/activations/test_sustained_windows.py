"""The sustained-stretch helper that makes live rules independent of when they are checked."""

from __future__ import annotations

from nndoctor.rules._windows import first_sustained, runs


def test_runs_are_maximal_stretches():
    steps = [0, 1, 2, 3, 4, 10, 20]
    ok = [True, True, False, True, True, True, False]
    assert [(r.start, r.stop, r.first_step, r.last_step) for r in runs(steps, ok)] == [(0, 1, 0, 1), (3, 5, 3, 10)]


def test_first_sustained_needs_count_and_span_unless_at_the_edges():
    steps = [0, 1, 2, 3, 4, 10, 20, 30]
    ok = [True, True, True, False, True, True, True, True]
    assert first_sustained(steps, ok, 3, 20).first_step == 4  # 4..30 spans 26 steps
    assert first_sustained(steps, ok, 3, 40) is None
    assert first_sustained(steps, ok, 3, 40, from_start=True).first_step == 0
    assert first_sustained(steps, ok, 3, 40, at_end=True).last_step == 30


def test_once_found_it_stays_found_as_the_run_goes_on():
    steps = list(range(0, 200, 10))
    ok = [False] * 5 + [True] * 6 + [False] * 9
    found = [first_sustained(steps[:n], ok[:n], 3, 50) for n in range(1, len(steps) + 1)]
    first = next(i for i, r in enumerate(found) if r is not None)
    assert all(r is not None and r.first_step == 50 for r in found[first:])
