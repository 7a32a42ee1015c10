"""Which training steps get the full (expensive) measurements.

Dense at the start, where most bugs show (NaN in the first iterations, bad init, dead units),
then sparse, so the always-on cost stays within a few percent of a bare loop. A sampled step
costs a few bare steps of a small model (every quantity measures, every module is hooked), so
the number of sampled steps is what the always-on cost is made of: 26 in the first 1000
steps (15 of them in the first 100, 18 in the first 200), then about 10 more each time the
run doubles in length.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleSchedule:
    """Which steps are *sampled* (every quantity runs) and which are *frequent*.

    Sampled: every step below ``dense_until``, then every ``early_every`` below ``early_until``,
    every ``settle_every`` below ``settle_until``, then every ``every`` below ``double_after``;
    past it the interval doubles each time the step count doubles (200 from ``double_after``,
    400 from twice that...), up to ``max_every``.

    Frequent, for the measurements too dear for every step but wanted on many (the gradient
    norm: 30-100 us on CPU in a real loop, several percent of a small model's step): every step
    below ``frequent_until`` (where an immediate divergence shows), every
    ``frequent_early_every`` below ``frequent_early_until`` (the rule of thumb's "first 100
    iterations", where divergence and NaN usually strike), then every ``frequent_every``, and
    every sampled step. (The loss itself is read on every step: a NaN never waits for a
    frequent step.)
    """

    dense_until: int = 5
    early_every: int = 10
    early_until: int = 100
    settle_every: int = 25
    settle_until: int = 200
    every: int = 100
    double_after: int = 1000
    max_every: int = 500
    frequent_until: int = 20
    frequent_early_every: int = 5
    frequent_early_until: int = 100
    frequent_every: int = 10
    #: Quantities marked ``thinned`` run on the first ``full_samples`` sampled steps, then on
    #: every ``thin_every``-th: what the data looks like changes little from batch to batch.
    full_samples: int = 10
    thin_every: int = 4

    def __post_init__(self) -> None:
        if (
            min(
                self.early_every,
                self.settle_every,
                self.every,
                self.frequent_early_every,
                self.frequent_every,
                self.double_after,
                self.thin_every,
            )
            < 1
        ):
            raise ValueError("sampling intervals must be at least 1 step")
        if self.max_every < self.every:
            raise ValueError(f"max_every ({self.max_every}) must be at least every ({self.every})")

    def interval(self, step: int) -> int:
        """Steps between two sampled steps around ``step`` (after the early phase)."""
        doublings = (step // self.double_after).bit_length()
        return min(self.max_every, self.every << doublings)

    def sampled(self, step: int) -> bool:
        if step < self.dense_until:
            return True
        if step < self.early_until:
            return step % self.early_every == 0
        if step < self.settle_until:
            return step % self.settle_every == 0
        return step % self.interval(step) == 0

    def full(self, sample: int) -> bool:
        """Whether the ``sample``-th sampled step (1-based) runs the thinned quantities too."""
        return sample <= self.full_samples or sample % self.thin_every == 0

    def frequent(self, step: int) -> bool:
        return self._frequent(step) or self.sampled(step)

    def _frequent(self, step: int) -> bool:
        """Frequent by the frequent phases alone (sampled steps are frequent too)."""
        if step < self.frequent_until:
            return True
        if step < self.frequent_early_until:
            return step % self.frequent_early_every == 0
        return step % self.frequent_every == 0

    def kinds(self, start: int, stop: int) -> bytes:
        """:meth:`kind` of each step from ``start`` to ``stop`` (excluded), one byte a step: 2
        sampled, 1 frequent (not sampled), 0 neither. The monitor reads a block ahead, so a
        training step costs it one index instead of the three calls of ``kind``.

        Filled by slices, phase by phase (one call of ``kind`` per step costs ~70 bytecode
        instructions: a 1024-step block would cost a few milliseconds, once per 1024 steps)."""
        if stop <= start:
            return b""
        out = bytearray(stop - start)

        def mark(value: int, first: int, last: int, every: int) -> None:
            """Steps in [first, last) that are multiples of ``every`` get ``value``."""
            first, last = max(first, start), min(last, stop)
            if first >= last:
                return
            first += -first % every
            out[first - start : last - start : every] = bytes([value]) * len(range(first, last, every))

        mark(1, 0, self.frequent_until, 1)
        mark(1, self.frequent_until, self.frequent_early_until, self.frequent_early_every)
        mark(1, max(self.frequent_until, self.frequent_early_until), stop, self.frequent_every)
        mark(2, 0, self.dense_until, 1)
        mark(2, self.dense_until, self.early_until, self.early_every)
        mark(2, self.early_until, self.settle_until, self.settle_every)
        lo = max(self.settle_until, start)
        while lo < stop:  # intervals change where the step count doubles: one slice per stretch
            every = self.interval(lo)
            doublings = (lo // self.double_after).bit_length()
            hi = stop if every == self.max_every else min(stop, self.double_after << doublings)
            mark(2, lo, hi, every)
            lo = hi
        return bytes(out)

    def kind(self, step: int) -> tuple[bool, bool]:
        """``(sampled(step), frequent(step))`` in one call (the monitor asks at every step)."""
        if self.sampled(step):
            return True, True
        return False, self._frequent(step)
