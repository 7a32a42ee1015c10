"""Loss curves for the loss-curve rules: which curve to judge, its reference levels, robust stats.

A curve is the training loss as a function of optimizer steps, or of backward calls when the
loop updates parameters by hand (no optimizer step ever happens, every value sits at step 0).
The loss-function curves (``loss_fn_value``) are preferred for judging levels: they are what
the constant-predictor baseline (``constant_baseline``) is comparable with, whatever the user
did to the loss before ``backward()`` (a division for accumulation, extra terms, a sign).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nndoctor.trace import Series, TraceView


@dataclass(frozen=True)
class Curve:
    """Loss values ``y`` at positions ``x`` (steps, or backward calls for hand-written updates)."""

    x: np.ndarray
    y: np.ndarray
    unit: str  # "step" or "backward call"
    name: str  # "loss" or a loss function's name

    def __len__(self) -> int:
        return len(self.y)

    def finite_prefix(self) -> Curve:
        """The curve up to its first NaN/Inf (what happened before the blow-up)."""
        bad = ~np.isfinite(self.y)
        if not bad.any():
            return self
        n = int(np.argmax(bad))
        return Curve(self.x[:n], self.y[:n], self.unit, self.name)

    def step_at(self, i: int) -> int:
        return int(self.x[i]) if self.unit == "step" else 0


def _as_curve(series: Series, name: str) -> Curve | None:
    if series.empty:
        return None
    per_step = series.per_step_mean()
    if len(per_step) >= 3 or len(series) < 10:
        return Curve(per_step.steps, per_step.values, "step", name)
    # No optimizer steps (hand-written updates): every value is at step 0; keep call order.
    return Curve(np.arange(len(series)), series.values, "backward call", name)


def loss_curve(view: TraceView) -> Curve | None:
    """The value ``backward()`` was called on."""
    return _as_curve(view.series("loss"), "loss")


def fn_curves(view: TraceView) -> dict[str, Curve]:
    """Each training loss function's values, by function name."""
    out = {}
    for key in view.keys("loss_fn_value"):
        c = _as_curve(view.series("loss_fn_value", key), key)
        if c is not None:
            out[key] = c
    return out


def baseline(view: TraceView, fn: str) -> float | None:
    """The loss of the best constant prediction for ``fn``'s training targets (latest estimate)."""
    s = view.series("constant_baseline", fn)
    if s.empty:
        return None
    value = float(np.median(s.values[-5:]))
    return value if np.isfinite(value) and value > 1e-6 else None


#: Measurements of batch noise to pool: one batch's per-sample spread is a noisy estimate
#: (8 samples of a skewed loss), so at least this many are combined.
MIN_NOISE_SAMPLES = 8


def batch_noise(view: TraceView, fn: str, since: float = -np.inf) -> float | None:
    """Typical standard error of the batch loss with the model held fixed: the median of the
    per-batch standard errors measured since ``since`` (or the latest ``MIN_NOISE_SAMPLES``
    if the window holds fewer). A median, to be compared with a median-based step noise:
    losses are skewed, and a typical value is what both sides should describe."""
    s = view.series("loss_batch_noise", fn)
    ok = np.isfinite(s.values)
    values, steps = s.values[ok], s.steps[ok]
    if len(values) < MIN_NOISE_SAMPLES:
        return None
    recent = values[steps >= since]
    if len(recent) < MIN_NOISE_SAMPLES:
        recent = values[-MIN_NOISE_SAMPLES:]
    return float(np.median(recent))


def update_loss_change(view: TraceView, since: float = -np.inf) -> float | None:
    """Typical largest change of the loss one update can make, to first order: the gradient
    norm times the update's norm (|g . dtheta| <= |g| |dtheta|), the update's norm rebuilt from
    each tensor's update/weight ratio and weight norm. The median over the sampled steps since
    ``since``; None when the update was not measured (hand-written updates)."""
    squares: dict[int, float] = {}
    for key in view.keys("update_ratio"):
        ratio, norm = view.series("update_ratio", key), view.series("param_norm", key)
        if not len(ratio) or not len(norm):
            continue
        norms = dict(zip(norm.steps.tolist(), norm.values.tolist(), strict=True))
        for step, r in zip(ratio.steps.tolist(), ratio.values.tolist(), strict=True):
            w = norms.get(step)
            if step >= since and w is not None and np.isfinite(r * w):
                squares[step] = squares.get(step, 0.0) + (r * w) ** 2
    keys = view.keys("grad_norm")
    if not squares or not keys:
        return None
    grad = view.series("grad_norm", keys[0])
    grads = dict(zip(grad.steps.tolist(), grad.values.tolist(), strict=True))
    bounds = [np.sqrt(sq) * grads[t] for t, sq in squares.items() if t in grads and np.isfinite(grads[t])]
    return float(np.median(bounds)) if len(bounds) >= 3 else None


def adversarial(view: TraceView) -> bool:
    """Several optimizers and several backward passes per step (GANs, actor-critic with two
    optimizers): the summed loss curve mixes objectives that pull against each other."""
    if len(view.keys("grad_norm")) < 2:
        return False
    raw = view.series("loss")
    per_step = raw.per_step_mean()
    return len(per_step) > 0 and len(raw) > 1.5 * len(per_step)


def lr_still_rising(view: TraceView, since: float) -> bool:
    """True while a warm-up is still raising the learning rate after step ``since``."""
    for key in view.keys("lr"):
        s = view.series("lr", key)
        if len(s) < 2:
            continue
        before = s.values[s.steps <= since]
        start = float(before[-1]) if len(before) else float(s.values[0])
        if float(s.values[-1]) > 1.5 * start:
            return True
    return False


def warmup_length(view: TraceView) -> tuple[float, float] | None:
    """(first step, step of the peak) of a schedule that raised the learning rate more than 1.5x
    from its first value to its highest (a warm-up), the longest such one; None without one."""
    found = None
    for key in view.keys("lr"):
        s = view.series("lr", key)
        if len(s) < 2:
            continue
        peak = int(np.argmax(s.values))
        if float(s.values[peak]) > 1.5 * float(s.values[0]):
            span = (float(s.steps[0]), float(s.steps[peak]))
            if found is None or span[1] - span[0] > found[1] - found[0]:
                found = span
    return found


def lr_cycles(view: TraceView, since: float) -> bool:
    """True when a schedule raises the learning rate again after lowering it (restarts, cyclic
    and one-cycle schedules): the loss then rises and falls with it, on purpose."""
    for key in view.keys("lr"):
        s = view.series("lr", key)
        v = s.values[s.steps >= since]
        if len(v) < 3:
            continue
        running_min = np.minimum.accumulate(v)
        if float(np.max(v / np.maximum(running_min, 1e-30))) > 1.5:
            return True
    return False


def median(y: np.ndarray) -> float:
    return float(np.median(y)) if len(y) else float("nan")


def window_median_below(y: np.ndarray, k: int, threshold: float) -> bool:
    """Whether the median of some window of ``k`` consecutive values is below ``threshold``.

    Counted, not sorted: a window's median is below the threshold when more than half of its
    values are (exact for odd ``k``; for even ``k`` both middle values must be below). Linear in
    ``len(y)``: a window a tenth of the run long, sorted at each position, made the check
    quadratic (0.4 s at 20,000 steps, hours for a long run's final check).
    """
    n = len(y)
    if not n:
        return False
    k = max(1, min(k, n))
    below = np.concatenate(([0], np.cumsum(y < threshold)))
    counts = below[k:] - below[:-k]
    return bool(np.any(counts > k // 2))


def spearman(y: np.ndarray) -> float:
    """Rank correlation of ``y`` with its index: +1 for a steady rise, -1 for a steady fall."""
    n = len(y)
    if n < 3:
        return 0.0
    ranks = np.argsort(np.argsort(y, kind="stable"), kind="stable").astype(float)
    idx = np.arange(n, dtype=float)
    if ranks.std() == 0:
        return 0.0
    return float(np.corrcoef(idx, ranks)[0, 1])


def robust_step_noise(y: np.ndarray) -> float:
    """Standard deviation of step-to-step changes, robust to a few spikes (MAD of differences,
    divided by sqrt(2) to give the per-value noise for independent values)."""
    if len(y) < 3:
        return float("nan")
    d = np.diff(y)
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2))


def relative_drop(y: np.ndarray) -> float:
    """How much ``y`` falls across its length, relative to its median: the Theil-Sen slope
    (median of pairwise slopes, robust to swings and spikes) times the length, negated."""
    n = len(y)
    level = float(np.median(y)) if n else 0.0
    if n < 3 or level == 0:
        return 0.0
    if n > 400:  # every pair would be slow; an evenly spaced subset keeps the estimate
        keep = np.linspace(0, n - 1, 400).astype(int)
        y, pos = y[keep], keep.astype(float)
    else:
        pos = np.arange(n, dtype=float)
    i, j = np.triu_indices(len(y), k=1)
    slope = float(np.median((y[j] - y[i]) / (pos[j] - pos[i])))
    return -slope * n / level


#: A minimised value that falls below -UNBOUNDED_FALL times its starting scale (at least 1) has
#: no lower bound: a variance shrinking towards zero takes a Gaussian NLL to -20 or -50, never
#: to -1000; a log-likelihood or a squared distance minimised with the wrong sign gets there in
#: a few dozen steps, and on to -1e18 and NaN.
UNBOUNDED_FALL = 1e3
#: A steady fall: rank correlation of the value with time at most this.
UNBOUNDED_SPEARMAN = -0.7


def unbounded_fall(view: TraceView, until: int | None = None) -> dict[str, float | int | bool] | None:
    """Evidence that the value passed to ``backward()`` fell without bound (up to ``until``):
    its start, its lowest value, the points it fell over, the rank correlation with time, and
    whether it went NaN/Inf after; None when it did not."""
    curve = loss_curve(view)
    if curve is None:
        return None
    if until is not None and curve.unit == "step":
        keep = curve.x <= until
        curve = Curve(curve.x[keep], curve.y[keep], curve.unit, curve.name)
    falling = curve.finite_prefix()
    n = len(falling)
    if n < 20:
        return None
    y = falling.y
    start = median(y[: min(10, max(3, n // 10))])  # the first steps: a long run's first tenth is already far down
    low = float(y.min())
    if low > -UNBOUNDED_FALL * max(1.0, abs(start)) or y[-1] > 0.5 * low:
        return None  # not far enough below its start, or it came back up (a bounded dip)
    rho = spearman(y)
    if rho > UNBOUNDED_SPEARMAN:
        return None
    return {
        "start_value": start,
        "lowest_value": low,
        f"{falling.unit}s": n,
        "rank_correlation_with_time": rho,
        "went_nonfinite": len(falling) < len(curve),
    }


#: The loss function's recent level, as a share of what a constant prediction scores, at which a
#: model has learned nothing from its inputs ...
AT_BASELINE = 0.9
#: ... or, without a constant-predictor loss (custom losses), outputs this uniform across the batch.
CONSTANT_SPREAD = 0.02


def learned_nothing(view: TraceView, share: float = AT_BASELINE) -> dict | None:
    """Evidence that the model learned nothing: the recent loss at ``share`` (90%) or more of the
    constant predictor's, or outputs that do not vary across the batch; None otherwise."""
    for name, curve in fn_curves(view).items():
        base = baseline(view, name)
        y = curve.finite_prefix().y
        if base is None or len(y) < 10:
            continue
        recent = median(y[-max(3, len(y) // 10) :])
        if recent >= share * base:
            return {"loss_function": name, "recent_loss": recent, "constant_predictor_loss": base}
    for key in view.keys("output_spread"):
        s = view.series("output_spread", key)
        values = s.values[np.isfinite(s.values)]
        if len(values) >= 4 and float(np.median(values[-3:])) < CONSTANT_SPREAD:
            return {"model": key, "recent_output_spread": float(np.median(values[-3:]))}
    return None


def learned_nothing_text(stuck: dict) -> str:
    """:func:`learned_nothing`'s evidence in words: "the cross_entropy loss stays at 2.3, 100% of
    the 2.3 a constant prediction scores", or that the outputs do not vary."""
    if "recent_loss" in stuck:
        return (
            f"the {stuck['loss_function']} loss stays at {stuck['recent_loss']:.4g}, "
            f"{stuck['recent_loss'] / stuck['constant_predictor_loss']:.0%} of the "
            f"{stuck['constant_predictor_loss']:.4g} a constant prediction scores"
        )
    return f"the outputs do not vary across the batch (spread {stuck['recent_output_spread']:.2g})"


#: A training loss whose recent level is at most this share of the constant predictor's (or,
#: without one, of its own starting level) has learned something real: a VAE's ELBO from 45 to
#: 24 is 53%, digits classifiers end below 20% of ln 10; a layer killed before the model learned
#: anything leaves the loss within a few percent of both.
LEARNED_SHARE = 0.75


def learning_evidence(view: TraceView) -> dict | None:
    """Evidence that the model learns from its inputs, the converse of :func:`learned_nothing`:
    the recent loss at most ``LEARNED_SHARE`` (75%) of the constant predictor's, or, for losses
    without one, of where it started. None when the model learned nothing or the trace cannot
    tell (too few steps, a loss that is not positive, a level in between)."""
    if learned_nothing(view) is not None:
        return None
    judged = False
    for name, curve in fn_curves(view).items():
        base = baseline(view, name)
        y = curve.finite_prefix().y
        if base is not None and len(y) >= 10:
            judged = True
            recent = median(y[-max(3, len(y) // 10) :])
            if recent <= LEARNED_SHARE * base:
                return {"loss_function": name, "recent_loss": recent, "constant_predictor_loss": base}
    if judged:
        return None
    curve = loss_curve(view)
    y = curve.finite_prefix().y if curve is not None else np.array([])
    if len(y) < 10:
        return None
    start, recent = median(y[:5]), median(y[-max(3, len(y) // 10) :])  # the start before any learning
    if start > 0 and recent >= 0 and recent <= LEARNED_SHARE * start:
        return {"loss_function": curve.name, "recent_loss": recent, "starting_loss": start}
    return None


def learning_evidence_text(learns: dict) -> str:
    """:func:`learning_evidence` in words: "the loss is down to 24, 53% of its start"."""
    if "constant_predictor_loss" in learns:
        return (
            f"the {learns['loss_function']} loss is down to {learns['recent_loss']:.4g}, "
            f"{learns['recent_loss'] / learns['constant_predictor_loss']:.0%} of the "
            f"{learns['constant_predictor_loss']:.4g} a constant prediction scores"
        )
    return (
        f"the {learns['loss_function']} is down to {learns['recent_loss']:.4g}, "
        f"{learns['recent_loss'] / learns['starting_loss']:.0%} of the {learns['starting_loss']:.4g} it started at"
    )
