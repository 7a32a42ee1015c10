"""Sustained conditions in a measured series, found the same way whenever a rule looks.

Live rules run about once per second of wall time, so the prefix of the run they see depends
on the machine's speed. A rule that only looked at the latest values could fire on one machine
and not on another. Rules that look for *a sustained stretch anywhere in the history* give
the same answer whenever they are checked after the stretch happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Run:
    """Measurements ``start``..``stop`` (indices, inclusive) in a row that meet a condition."""

    start: int
    stop: int
    first_step: int
    last_step: int

    @property
    def count(self) -> int:
        return self.stop - self.start + 1

    @property
    def span(self) -> int:
        return self.last_step - self.first_step


def runs(steps: Sequence[int] | np.ndarray, ok: Sequence[bool] | np.ndarray) -> list[Run]:
    """Maximal stretches of consecutive measurements where ``ok`` holds, in order."""
    out = []
    start = None
    for i, flag in enumerate(ok):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            out.append(Run(start, i - 1, int(steps[start]), int(steps[i - 1])))
            start = None
    if start is not None:
        out.append(Run(start, len(ok) - 1, int(steps[start]), int(steps[len(ok) - 1])))
    return out


def first_sustained(
    steps: Sequence[int] | np.ndarray,
    ok: Sequence[bool] | np.ndarray,
    min_count: int,
    min_span: int = 0,
    *,
    from_start: bool = False,
    at_end: bool = False,
) -> Run | None:
    """The first stretch of at least ``min_count`` measurements spanning ``min_span`` steps.

    ``from_start``: a stretch that begins at the first measurement needs only ``min_count``.
    ``at_end``: so does one that reaches the last measurement (use it for the final check).
    """
    for run in runs(steps, ok):
        if run.count < min_count:
            continue
        if run.span >= min_span or (from_start and run.start == 0) or (at_end and run.stop == len(ok) - 1):
            return run
    return None
