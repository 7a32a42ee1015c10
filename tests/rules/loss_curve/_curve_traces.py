"""Synthetic traces for the loss-curve rules: exactly what the monitor would record."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nndoctor.monitor.schedule import SampleSchedule
from nndoctor.trace import Trace, TraceView

SCHEDULE = SampleSchedule()


def curve_trace(
    losses: Sequence[float],
    *,
    fn: str | None = "cross_entropy",
    baseline: float | None = None,
    noise: float | Sequence[float] | None = None,
    lr: Sequence[float] | None = None,
    val: dict[int, float] | None = None,
    backward_sign: float = 1.0,
) -> Trace:
    """A trace with ``loss`` (times ``backward_sign``), ``loss_fn_value`` for ``fn`` and, on
    sampled steps, ``constant_baseline`` and ``loss_batch_noise``; ``lr`` on frequent steps."""
    trace = Trace()
    for step, value in enumerate(losses):
        trace.scalar("loss", step, backward_sign * float(value))
        if fn is not None:
            trace.scalar("loss_fn_value", step, float(value), fn)
        if SCHEDULE.sampled(step):
            if fn is not None and baseline is not None:
                trace.scalar("constant_baseline", step, baseline, fn)
            if fn is not None and noise is not None:
                n = noise if np.isscalar(noise) else noise[step]
                trace.scalar("loss_batch_noise", step, float(n), fn)
        if SCHEDULE.frequent(step):  # as the learning_rate quantity reads it (it writes only changes)
            trace.scalar("lr", step, float(lr[step]) if lr is not None else 1e-3, "optimizer.group0")
        trace.scalar("grad_norm", step, 1.0, "optimizer")
    for step, value in (val or {}).items():
        trace.scalar("val_loss", step, value)
    return trace


def prefixes(trace: Trace, every: int = 10) -> list[TraceView]:
    """Live views of every ``every``-th prefix of a trace, then the final view."""
    full = trace.view(final=True)
    views = []
    for cut in range(every, full.last_step + 1, every):
        t = Trace()
        for name, key in [(n, k) for (n, k) in full._series]:
            s = full.series(name, key)
            for step, value in zip(s.steps, s.values, strict=False):
                if step < cut:
                    t.scalar(name, int(step), float(value), key)
        views.append(t.view(final=False))
    return [*views, full]


def noisy(levels: Sequence[float], rel: float, seed: int = 0) -> np.ndarray:
    """``levels`` times (1 + rel * N(0, 1)), kept positive: a minibatch loss curve."""
    rng = np.random.default_rng(seed)
    levels = np.asarray(levels, dtype=float)
    return np.maximum(levels * (1 + rel * rng.standard_normal(len(levels))), 1e-4)
