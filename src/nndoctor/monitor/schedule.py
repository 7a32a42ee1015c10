"""Which training steps get the full (expensive) measurements.

Dense at the start, where most bugs show (NaN in the first iterations, bad init, dead units),
then sparse, so the always-on cost stays within a few percent of a bare loop.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleSchedule:
    """Sample every step below ``dense_until``, then every ``early_every`` below
    ``early_until``, then every ``every``."""

    dense_until: int = 5
    early_every: int = 10
    early_until: int = 200
    every: int = 50

    def __post_init__(self) -> None:
        if min(self.early_every, self.every) < 1:
            raise ValueError("sampling intervals must be at least 1 step")

    def sampled(self, step: int) -> bool:
        if step < self.dense_until:
            return True
        if step < self.early_until:
            return step % self.early_every == 0
        return step % self.every == 0
