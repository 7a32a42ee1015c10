"""Signals shared by the gradient and learning-rate rules, computed from a frozen trace view.

Pure functions of a :class:`~nndoctor.trace.TraceView`: layer order, parameter shapes, the
typical update/weight ratio of a step, and gradient-norm spikes. Several rules combine them, so
they live here once.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nndoctor.trace import Series, TraceView

#: Leaf layers whose weights are matrices worth comparing across depth (not norms, not embeddings).
AFFINE_TYPES = frozenset(
    {
        "Linear",
        "LazyLinear",
        "Bilinear",
        "NonDynamicallyQuantizableLinear",
        "Conv1d",
        "Conv2d",
        "Conv3d",
        "ConvTranspose1d",
        "ConvTranspose2d",
        "ConvTranspose3d",
        "RNN",
        "LSTM",
        "GRU",
    }
)


def module_of(param_name: str) -> str:
    """``model.fc1.weight`` -> ``model.fc1``."""
    return param_name.rsplit(".", 1)[0] if "." in param_name else param_name


def param_shapes(view: TraceView) -> dict[str, list[int]]:
    """Shape of every named parameter an optimizer holds (from ``optimizer_config`` events)."""
    shapes: dict[str, list[int]] = {}
    for e in view.events("optimizer_config"):
        shapes.update(e.data.get("shapes") or {})
    return shapes


def optimizer_configs(view: TraceView) -> dict[str, dict]:
    """``optimizer_config`` event data by optimizer label (type, groups, shapes)."""
    return {e.data.get("optimizer", "optimizer"): e.data for e in view.events("optimizer_config")}


def layers(view: TraceView) -> dict[str, list[dict]]:
    """Leaf layers of each model in execution order (``structure`` events): name, type, params."""
    return {e.data["model"]: list(e.data.get("layers") or []) for e in view.events("structure") if "model" in e.data}


def executed_modules(view: TraceView) -> dict[str, int] | None:
    """Position of each leaf module in the forward pass, over all models; None if never recorded."""
    order = layers(view)
    if not order:
        return None
    out: dict[str, int] = {}
    for model_layers in order.values():
        for layer in model_layers:
            out.setdefault(layer["name"], len(out))
    return out


def weight_keys(view: TraceView, name: str = "update_ratio") -> list[str]:
    """Keys of ``name`` that are weight matrices/kernels (2+ dims); all keys when the model has
    none (vectors only) or the shapes are unknown and no key looks like a weight.

    When the model has weight matrices but none has a ``name`` measurement (an update/weight
    ratio is not measured on an all-zero weight), there is nothing to judge: a bias that
    started at zero moves by ~100% of its norm at first, which says nothing about the rate."""
    keys = view.keys(name)
    shapes = param_shapes(view)
    if shapes:
        if any(len(s) >= 2 for s in shapes.values()):
            return [k for k in keys if len(shapes.get(k, ())) >= 2]
        return keys
    chosen = [k for k in keys if k.rsplit(".", 1)[-1].startswith("weight")]
    return chosen or keys


def held_throughout(
    view: TraceView, name: str, keys: list[str], holds, min_steps: int = 20, min_points: int = 3
) -> tuple[list[str], int, int]:
    """The keys of series ``name`` whose finite values all satisfy ``holds`` (a function of the
    values array) over ``min_points`` points or more spanning ``min_steps`` steps or more:
    ``(keys, first step, last step)`` over them."""
    names, first, last = [], None, None
    for key in keys:
        s = view.series(name, key)
        ok = np.isfinite(s.values)
        values, steps = s.values[ok], s.steps[ok]
        if len(values) >= min_points and int(steps[-1] - steps[0]) >= min_steps and holds(values):
            names.append(key)
            first = int(steps[0]) if first is None else min(first, int(steps[0]))
            last = int(steps[-1]) if last is None else max(last, int(steps[-1]))
    return names, first or 0, last or 0


def stuck_zero_weights(view: TraceView, min_steps: int = 20, min_points: int = 3) -> tuple[list[str], int, int]:
    """Weight matrices exactly zero at every sampled step over ``min_steps`` or more steps:
    ``(names, first step, last step)``. A zero-initialised layer that trains moves after its
    first update (the layers before it feed it non-zero inputs); one that stays at exactly 0
    gets no gradient at all: every weight around it is zero too."""
    keys = weight_keys(view, "param_norm")
    return held_throughout(view, "param_norm", keys, lambda v: not v.any(), min_steps, min_points)


def weight_norm_curves(view: TraceView, min_points: int = 2) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each weight matrix's norm over the sampled steps, relative to its first measured norm:
    ``(steps, norm / first norm)``, finite points only, for matrices with ``min_points`` or more
    (how far weight decay or a collapse has pulled the weights in)."""
    curves = []
    for key in weight_keys(view, "param_norm"):
        s = view.series("param_norm", key)
        ok = np.isfinite(s.values)
        steps, values = s.steps[ok], s.values[ok]
        if len(values) >= min_points and values[0] > 0:
            curves.append((steps, values / values[0]))
    return curves


@dataclass(frozen=True)
class StepRatios:
    """Update/weight ratios per sampled step, summarised across the weight tensors."""

    steps: np.ndarray
    median: np.ndarray  # the typical layer
    max: np.ndarray  # the fastest-moving layer

    def __len__(self) -> int:
        return len(self.steps)

    def until(self, step: int) -> StepRatios:
        m = self.steps <= step
        return StepRatios(self.steps[m], self.median[m], self.max[m])

    def since(self, step: int) -> StepRatios:
        m = self.steps >= step
        return StepRatios(self.steps[m], self.median[m], self.max[m])


_RATIOS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def update_ratios(view: TraceView) -> StepRatios:
    """The update/weight ratio of each sampled step: median and maximum over the weight tensors.

    Several rules ask for it in one check; it is computed once per (frozen) view.
    """
    cached = _RATIOS.get(view)
    if cached is None:
        cached = _RATIOS[view] = _update_ratios(view)
    return cached


def _update_ratios(view: TraceView) -> StepRatios:
    series = [view.series("update_ratio", key) for key in weight_keys(view)]
    series = [s for s in series if len(s)]
    if not series:
        empty = np.zeros(0)
        return StepRatios(np.zeros(0, dtype=np.int64), empty, empty)
    steps = series[0].steps
    if all(len(s) == len(steps) and np.array_equal(s.steps, steps) for s in series):
        table = np.vstack([s.values for s in series])  # weights x steps: one optimizer, the usual case
        finite = np.isfinite(table)
        if finite.all():
            return StepRatios(np.asarray(steps, dtype=np.int64), np.median(table, axis=0), table.max(axis=0))
        table = np.where(finite, table, np.nan)
        ok = finite.any(axis=0)
        with np.errstate(all="ignore"):
            med, top = np.nanmedian(table[:, ok], axis=0), np.nanmax(table[:, ok], axis=0)
        return StepRatios(np.asarray(steps[ok], dtype=np.int64), med, top)
    per_step: dict[int, list[float]] = {}
    for s in series:
        for step, value in zip(s.steps.tolist(), s.values.tolist(), strict=True):
            if math.isfinite(value):
                per_step.setdefault(step, []).append(value)
    ordered = sorted(per_step)
    med = np.array([float(np.median(per_step[t])) for t in ordered])
    top = np.array([float(np.max(per_step[t])) for t in ordered])
    return StepRatios(np.asarray(ordered, dtype=np.int64), med, top)


def primary_lr_key(view: TraceView) -> str | None:
    """The ``lr`` key of the first optimizer's first parameter group (None: no rate recorded)."""
    keys = view.keys("lr")
    if not keys:
        return None
    return "optimizer.group0" if "optimizer.group0" in keys else keys[0]


def primary_lr(view: TraceView) -> Series:
    """The learning rate of the first optimizer's first parameter group, per sampled step."""
    return view.series("lr", primary_lr_key(view))


def momentum_of(view: TraceView) -> tuple[str | None, float]:
    """The first optimizer's type and its momentum (SGD's ``momentum``; 0 for adaptive methods)."""
    configs = optimizer_configs(view)
    if not configs:
        return None, 0.0
    config = configs.get("optimizer") or next(iter(configs.values()))
    groups = config.get("groups") or [{}]
    momentum = groups[0].get("momentum", 0.0)
    kind = config.get("type")
    if kind != "SGD" or not isinstance(momentum, (int, float)):
        momentum = 0.0
    return kind, float(momentum)


def smoothed(values: np.ndarray, width: int = 5) -> np.ndarray:
    """Running median over ``width`` values (shorter at the start), robust to single noisy batches."""
    n = len(values)
    out = np.empty(n)
    for i in range(min(n, width - 1)):
        out[i] = np.median(values[: i + 1])
    if n >= width:
        out[width - 1 :] = np.median(sliding_window_view(values, width), axis=1)
    return out


@dataclass
class Spikes:
    """Gradient-norm spikes of one optimizer: steps where the norm jumped far above its usual level."""

    steps: list[int] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    typical: float = float("nan")
    clipped_at: float | None = None
    measured: int = 0

    @property
    def largest(self) -> float:
        return max(self.ratios, default=0.0)


def clip_ceiling(values: np.ndarray) -> float | None:
    """The max_norm of ``clip_grad_norm_`` if the norms show one: the maximum is hit repeatedly.

    Clipping rescales every larger gradient to exactly ``max_norm``, so a clipped run's norms
    pile up at one value; an unclipped run almost never repeats its maximum to 5 digits.
    """
    if len(values) < 3:
        return None
    top = float(values.max())
    if top <= 0:
        return None
    hits = int(np.sum(np.abs(values - top) <= 1e-4 * top))
    return top if hits >= 2 else None


def trailing_median(values: np.ndarray, window: int) -> np.ndarray:
    """For each index t, the typical value of the ~``window`` values before it (NaN at t = 0).

    Exact median of everything before t inside the first block; after that, the mean of the
    medians of the two previous blocks of ``window // 2`` values. Linear time: rules re-run on
    the whole trace every second, and a long run has hundreds of thousands of steps.
    """
    n = len(values)
    out = np.full(n, np.nan)
    block = max(1, window // 2)
    for t in range(1, min(n, 2 * block)):
        out[t] = np.median(values[:t])
    blocks = n // block
    if blocks >= 2 and n > 2 * block:
        med = np.median(values[: blocks * block].reshape(blocks, block), axis=1)
        ref = np.empty(blocks + 1)
        ref[2:] = (med[1:] + med[:-1]) / 2  # ref[j]: blocks j-1 and j-2
        idx = np.arange(2 * block, n) // block
        out[2 * block :] = ref[idx]
    return out


def gradient_spikes(
    view: TraceView,
    key: str,
    factor: float = 10.0,
    window: int = 50,
    warmup: int = 10,
    loss_factor: float = 10.0,
    early_factor: float = 100.0,
) -> Spikes:
    """Steps whose gradient norm is ``factor`` x above both its running median (``window``
    steps) and its median over the run, while the loss itself did not blow up (``loss_factor``).

    The second reference keeps a converged run, whose tiny gradients make any batch look like a
    spike against the running median, from counting. A step where the loss jumped as much as
    the gradient is divergence (the learning rate), not an isolated gradient spike. Values at a
    clipping ceiling are the clipped norms, not spikes the optimizer saw. A spike must be over
    within a few steps: a lasting jump (layers unfrozen, a loss term added) is a new scale. The
    first ``warmup`` steps are compared with the steps after them and count from ``early_factor`` x.
    """
    s = view.series("grad_norm", key)
    # Steps with no gradient at all (a margin or hinge loss every example of the batch already
    # satisfies: its loss and gradient are exactly 0) say nothing about the gradient's usual
    # size: counted, they make the median 0 and any real gradient an infinite "spike".
    kept = np.isfinite(s.values) & (s.values > 0)
    steps, g = s.steps[kept], s.values[kept]
    out = Spikes(measured=len(g))
    if len(g) <= warmup:
        return out
    out.typical = float(np.median(g))
    out.clipped_at = clip_ceiling(g)
    ref = np.maximum(trailing_median(g, window), out.typical)
    # The first steps have no history: compare them with the steps that follow instead, and
    # only count huge jumps (gradients legitimately shrink ~10-30x as a run converges).
    early = min(warmup, len(g) - 2 * warmup)
    # Never below the run's median either: steps after a start with zero gradients (a dead
    # output unit, a frozen phase) would make any later gradient an infinite "spike".
    before = ref.copy()  # the trailing median: NaN at step 0, which has nothing before it
    for t in range(max(early, 0)):
        ref[t] = max(float(np.median(g[t + 1 : t + 1 + 2 * warmup])), out.typical)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = g / ref
    candidate = np.zeros(len(g), dtype=bool)
    candidate[warmup:] = ratio[warmup:] >= factor
    if early > 0:
        # A spike also rises above what came before it: gradients falling from a large start (a
        # quasi-Newton optimizer such as LBFGS converges in a few steps: 1.6 -> 0.04 -> 1e-4)
        # are the run converging, whatever they are next to the steps that follow.
        with np.errstate(invalid="ignore"):
            rose = ~(g[:early] < factor * before[:early])
        candidate[:early] = (ratio[:early] >= early_factor) & rose
    if out.clipped_at is not None:
        candidate &= g < out.clipped_at * (1 - 1e-4)
    if not candidate.any():
        return out
    loss = view.loss
    lfin = np.isfinite(loss.values)
    lsteps, lvals = loss.steps[lfin], np.abs(loss.values[lfin])
    lref = trailing_median(lvals, window)
    if len(lvals):
        lref = np.fmin(lref, lvals[0])  # a loss still far above its start has diverged, not spiked
    loss_ratio = dict(zip(lsteps.tolist(), (lvals / np.where(lref > 0, lref, np.nan)).tolist(), strict=False))
    after = math.sqrt(factor)
    for t in np.flatnonzero(candidate).tolist():
        step = int(steps[t])
        jumped = loss_ratio.get(step)
        if jumped is not None and math.isfinite(jumped) and jumped > loss_factor:
            continue  # the loss blew up with it: divergence, not a gradient spike
        following = g[t + 1 : t + 6]
        if len(following) < 3 or float(np.median(following)) > after * ref[t]:
            continue  # not back to its level (yet): a lasting change of scale, not a spike
        out.steps.append(step)
        out.ratios.append(float(ratio[t]))
        out.values.append(float(g[t]))
    return out


def loss_improvement(view: TraceView, first: int = 5, last: int = 10) -> float | None:
    """Relative drop of the loss from its first ``first`` steps to its last ``last`` (0.3 = 30% lower).

    None while there are fewer than ``first + last`` finite values or the loss starts at or below 0
    (a relative change means nothing then).
    """
    values = view.loss.values
    values = values[np.isfinite(values)]
    if len(values) < first + last:
        return None
    start = float(np.mean(values[:first]))
    if start <= 0:
        return None
    return 1.0 - float(np.mean(values[-last:])) / start


def divergence_step(view: TraceView, factor: float = 10.0) -> int | None:
    """The first step whose loss is ``factor`` x the loss at step 0 (positive losses only), or None."""
    loss = view.loss
    finite = np.isfinite(loss.values)
    values, steps = loss.values[finite], loss.steps[finite]
    if len(values) < 2 or not values[0] > 0:
        return None
    over = np.flatnonzero(values[1:] >= factor * values[0])
    return int(steps[over[0] + 1]) if len(over) else None


def cleared_before_step(view, min_steps: int = 10) -> dict[str, tuple[int, int]]:
    """Optimizers whose gradients were cleared between ``backward()`` and ``step()`` at every
    sampled step of the last ``min_steps``+ steps (3 samples at least): label -> (first, last step)."""
    out = {}
    for label in view.keys("cleared_before_step"):
        s = view.series("cleared_before_step", label)
        if len(s) < 3 or s.values[-1] < 1.0:
            continue
        clean = np.nonzero(s.values < 1.0)[0]
        start = int(clean[-1]) + 1 if len(clean) else 0
        steps = s.steps[start:]
        if len(steps) >= 3 and int(steps[-1] - steps[0]) >= min_steps:
            out[label] = (int(steps[0]), int(steps[-1]))
    return out


def first_nonfinite_step(view: TraceView) -> int | None:
    """The first step whose loss or gradient went NaN/Inf (a ``nonfinite`` event), or None."""
    steps = [e.step for e in view.events("nonfinite") if e.data.get("kind") in ("loss", "gradient")]
    return min(steps) if steps else None


def summed_batch(view) -> tuple[int, str] | None:
    """The batch size and the loss function when most training loss calls sum over a batch of
    8 or more (``reduction='sum'``): the gradient is that many times a mean-reduced loss's."""
    calls = [e.data for e in view.events("loss_call")]
    summed = [d for d in calls if d.get("reduction") == "sum" and len(d.get("input_shape") or []) >= 1]
    if not calls or 2 * len(summed) <= len(calls):
        return None
    batch = int(summed[0]["input_shape"][0])
    return (batch, str(summed[0].get("fn"))) if batch >= 8 else None


def clipping_suffices(view: TraceView) -> dict | None:
    """The probe's re-training of a recurrent model that blew up, at the user's own rate with the
    gradient norm clipped (``lr_probe.clipped``), when it trained cleanly: the gradients exploding
    through time broke the run, not the rate (exploding-gradients says so; lr-too-high and
    nonfinite-loss defer to it)."""
    if summed_batch(view) is not None:
        return None  # a loss summed over the batch: its gradient is B times too large, the rate is the cause
    probe = view.first_event("lr_probe")
    if probe is None or probe.data.get("mode") != "search" or "baseline" in probe.data:
        return None  # the probe ran for a huge first update, not for a run that blew up
    if first_nonfinite_step(view) is None and divergence_step(view, factor=10.0) is None:
        return None
    clipped = probe.data.get("clipped")
    return clipped if isinstance(clipped, dict) and clipped.get("clean") else None
