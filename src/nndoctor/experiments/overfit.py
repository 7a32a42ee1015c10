"""Overfit a tiny subset: the first sanity check of every practitioner.

Ten training examples, one full batch, the recipe's own optimizer, up to a few hundred steps: a
working model memorises them (loss near its floor, every example right). When it cannot, the
shape of the loss curve says why (see :func:`curve_shape`). If weight decay or dropout is on,
the run is repeated without them: memorising then means the regularisation is what stops it.
After ten examples, a hundred (in mini-batches).

Records ``overfit`` {n, reached, steps, initial, final, best, eval_loss, accuracy, shape, ...},
``overfit_curve`` {n, steps, losses, target} (report data; ``overfit_curve_100`` for 100), ``overfit_unregularized`` {n, reached,
removed, ...} and ``symmetry`` {layers} (weight rows that were identical at init: still so?).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from nndoctor.experiments.base import Context, Diverged, Experiment
from nndoctor.experiments.training import error_rate, evaluate, train

#: "Memorised": eval loss at most this share of the initial loss (regression, unknown tasks)...
LOSS_FLOOR = 0.05
#: ...or, for classification, every example right and the loss at most this share of the initial.
CLASSIFICATION_FLOOR = 0.3
#: Share of positions still wrong that counts as memorised when each example has many labels (masks,
#: tags): positions on a decision boundary are the last to be fit, long after the loss is at its floor.
DENSE_ERROR = 0.05
CHECK_EVERY = 10
#: A curve that still fell by this share over its last quarter has not flattened out.
STILL_FALLING = 0.1
DROPOUT = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout, nn.FeatureAlphaDropout)


class Overfit(Experiment):
    name = "overfit"
    title = "overfit 10, then 100 examples"

    def run(self, ctx: Context) -> str:
        x, y = ctx.fit_split
        perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(ctx.seed))
        b = ctx.budget
        removed = regularization(ctx)
        ten = self._record(ctx, overfit(ctx, x[perm[:10]], y[perm[:10]], b.overfit_steps, None, b.overfit_extra_steps))
        self._symmetry(ctx)
        summary = _describe(ten)
        if not ten["reached"] and removed:
            ctx.reset()
            self._unregularized(ctx, x[perm[:10]], y[perm[:10]], removed, b.overfit_steps)
        if not ten["reached"] or len(x) < 100:
            return summary
        ctx.reset()
        hundred = self._record(
            ctx, overfit(ctx, x[perm[:100]], y[perm[:100]], b.overfit100_steps, ctx.recipe.batch_size, 0)
        )
        if not hundred["reached"] and removed and hundred.get("shape") != "slow":
            ctx.reset()
            self._unregularized(ctx, x[perm[:100]], y[perm[:100]], removed, b.overfit100_steps, ctx.recipe.batch_size)
        return f"{summary}; {_describe(hundred)}"

    @staticmethod
    def _record(ctx: Context, result: dict[str, Any]) -> dict[str, Any]:
        losses = result.pop("losses")
        ctx.event("overfit", **result)
        # The report draws the last ``overfit_curve``: the 10-example one; the 100-example one has its own name.
        name = "overfit_curve" if result["n"] <= 10 else "overfit_curve_100"
        ctx.event(name, n=result["n"], steps=list(range(len(losses))), losses=losses, target=result["floor"])
        return result

    @staticmethod
    def _unregularized(ctx: Context, x, y, removed: dict[str, Any], steps: int, batch: int | None = None) -> None:
        for m in ctx.model.modules():
            if isinstance(m, DROPOUT) and getattr(m, "p", 0) > 0:
                ctx.set_attr(m, "p", 0.0)
        result = overfit(ctx, x, y, steps, batch, 0, no_weight_decay=True)
        result.pop("losses")
        ctx.event("overfit_unregularized", removed=removed, **result)

    @staticmethod
    def _symmetry(ctx: Context) -> None:
        stats = ctx.trace.view().events("weight_stats")
        if not stats:
            return
        identical = [s["name"] for s in stats[-1].data["layers"] if s["rows_identical"]]
        modules = {ctx.name_of(m): m for m in ctx.model.modules()}
        still = {}
        for name in identical:
            w = getattr(modules.get(name), "weight", None)
            if isinstance(w, torch.Tensor):
                rows = w.detach().reshape(w.shape[0], -1)
                still[name] = bool((rows == rows[:1]).all())
        if still:
            ctx.event("symmetry", layers=still)


def regularization(ctx: Context) -> dict[str, Any]:
    """Weight decay per optimizer group and dropout probabilities, where they are on."""
    found: dict[str, Any] = {}
    opt = ctx.optimizer()
    decay = [float(g.get("weight_decay", 0) or 0) for g in opt.param_groups]
    if any(d > 0 for d in decay):
        found["weight_decay"] = max(decay)
        found["optimizer"] = type(opt).__name__
    dropout = {ctx.name_of(m): float(m.p) for m in ctx.model.modules() if isinstance(m, DROPOUT) and m.p > 0}
    if dropout:
        found["dropout"] = dropout
    return found


def overfit(
    ctx: Context,
    x: torch.Tensor,
    y: torch.Tensor,
    steps: int,
    batch: int | None,
    extra_steps: int,
    no_weight_decay: bool = False,
) -> dict[str, Any]:
    """Train on ``(x, y)`` from the current weights until memorised or out of steps."""
    opt = ctx.optimizer()
    if no_weight_decay:
        for g in opt.param_groups:
            if "weight_decay" in g:
                g["weight_decay"] = 0.0
    initial = evaluate(ctx, x, y, train_mode=True).loss  # what the first training step sees
    state: dict[str, Any] = {"reached_at": None}

    def check(step: int, loss: float) -> bool:
        if (step + 1) % CHECK_EVERY and step != 0:
            return False
        if loss > _floor(ctx, initial) * 1.5 and ctx.task.kind == "regression":
            return False
        done = memorised(ctx, x, y, initial)
        ctx.model.train()
        if done:
            state["reached_at"] = step + 1
        return done

    losses: list[float] = []
    diverged = None
    try:
        train(ctx, opt, x, y, steps, batch, on_step=check, blowup=1e4, out=losses)
        if (
            state["reached_at"] is None
            and extra_steps
            and curve_shape(losses, initial, target=_floor(ctx, initial))["shape"] == "slow"
        ):
            offset = len(losses)
            train(ctx, opt, x, y, extra_steps, batch, on_step=lambda s, v: check(s + offset, v), blowup=1e4, out=losses)
    except Diverged as exc:
        diverged = exc
    ev = evaluate(ctx, x, y)
    result: dict[str, Any] = {
        "n": len(x),
        "batch": batch or len(x),
        "max_steps": steps + extra_steps,
        "steps": len(losses) if diverged is None else diverged.step + 1,
        "initial": initial,
        "eval_loss": ev.loss,
        "floor": _floor(ctx, initial),
        "reached": state["reached_at"] is not None or (diverged is None and memorised(ctx, x, y, initial)),
    }
    if ctx.task.classification and len(ev.predictions):
        result["accuracy"] = 1.0 - error_rate(ctx, ev.predictions, y)
    finite = [v for v in losses if math.isfinite(v)]
    if finite:
        result.update(final=float(np.mean(finite[-5:])), best=float(min(finite)))
    if diverged is not None:
        result.update(shape="explodes", diverged_at=diverged.step, diverged_loss=diverged.loss, reason=diverged.reason)
    elif not result["reached"] and losses:
        result.update(curve_shape(losses, initial, _nonnegative(ctx), target=_floor(ctx, initial)))
    result["losses"] = [v if math.isfinite(v) else None for v in losses]
    return result


def _nonnegative(ctx: Context) -> bool:
    return ctx.task.loss in (
        "cross_entropy",
        "nll_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "mse_loss",
        "l1_loss",
        "smooth_l1_loss",
        "huber_loss",
        "multilabel_soft_margin_loss",
    )


def _floor(ctx: Context, initial: float) -> float:
    share = CLASSIFICATION_FLOOR if ctx.task.classification else LOSS_FLOOR
    return share * abs(initial)


def memorised(ctx: Context, x: torch.Tensor, y: torch.Tensor, initial: float) -> bool:
    """Eval-mode loss at its floor and, for classification, every example right."""
    ev = evaluate(ctx, x, y)
    if not math.isfinite(ev.loss) or ev.loss > _floor(ctx, initial) or (ev.loss < 0 and _nonnegative(ctx)):
        return False
    if ctx.task.classification:
        # Every example right; with one label per position (segmentation, tagging), 95 % of them.
        dense = _dense(ctx, y)
        return error_rate(ctx, ev.predictions, y) <= (DENSE_ERROR if dense else 0.0)
    return True


def _dense(ctx: Context, y: torch.Tensor) -> bool:
    """One label per position (a mask, a tag per token) rather than per example."""
    if ctx.task.kind == "multiclass":
        return y.dim() > (2 if ctx.task.soft_targets else 1)
    return y.dim() > 2


def curve_shape(
    losses: list[float], initial: float, nonnegative: bool = True, target: float | None = None
) -> dict[str, Any]:
    """Classify a loss curve that did not reach its floor.

    - ``negative``: a loss that cannot be negative went below zero (sign flipped, wrong loss input);
    - ``explodes``: it rose above 10x where it started;
    - ``increasing``: it ends clearly higher, with a rising trend;
    - ``oscillating``: it swings (relative spread of the last half above 20 %) without a downward trend;
    - ``plateau``: it ends within 30 % of where it started, and no longer falls (``still_falling``:
      it fell by 10 % over its last quarter, or at that quarter's rate it would reach ``target``
      within three times the steps it has taken);
    - ``slow``: it goes down steadily, only not far enough.
    """
    a = np.asarray(losses, dtype=float)
    if len(a) < 4:
        return {"shape": "plateau"}
    start = float(np.mean(a[:3]))
    tail = a[-max(3, len(a) // 10) :]
    end = float(np.mean(tail))
    half = a[len(a) // 2 :]
    swing = float(np.std(half) / (abs(np.mean(half)) + 1e-12))
    trend = _spearman(np.arange(len(a)), a)
    quarter = a[-max(4, len(a) // 4) :]
    k = max(1, len(quarter) // 5)
    begin = float(np.mean(quarter[:k]))
    late_end = float(np.mean(quarter[-k:]))
    rate = (begin - late_end) / max(len(quarter) - k, 1)  # loss per step over the last quarter
    steps_left = (end - target) / rate if target is not None and rate > 0 and end > target else None
    info = {
        "start": start,
        "end": end,
        "relative_change": (end - start) / (abs(start) + 1e-12),
        "trend": trend,
        "swing": swing,
        # How much the loss still fell over the last quarter of the steps (relative): still going?
        "late_drop": (begin - late_end) / (abs(begin) + 1e-12),
        "steps_to_target": steps_left,
    }
    info["still_falling"] = bool(
        info["late_drop"] > STILL_FALLING or (steps_left is not None and steps_left <= 3 * len(a))
    )
    if nonnegative and float(a.min()) < -1e-6:
        return {"shape": "negative", **info}
    if float(a.max()) > 10 * max(abs(start), abs(initial), 1e-12):
        return {"shape": "explodes", **info}
    if end > 1.1 * start and trend > 0.5:
        return {"shape": "increasing", **info}
    if swing > 0.2 and end > 0.5 * start and trend > -0.5:
        return {"shape": "oscillating", **info}
    if end > 0.7 * start and not info["still_falling"]:
        return {"shape": "plateau", **info}
    return {"shape": "slow", **info}


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    if np.std(ra) == 0 or np.std(rb) == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _describe(r: dict[str, Any]) -> str:
    if r["reached"]:
        return f"{r['n']} examples memorised in {r['steps']} steps (loss {r['initial']:.3g} -> {r['eval_loss']:.3g})"
    return f"{r['n']} examples NOT memorised in {r['steps']} steps ({r.get('shape')}, loss {r['initial']:.3g} -> {r.get('final', float('nan')):.3g})"
