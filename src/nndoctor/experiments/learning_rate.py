"""Learning rate: does the recipe's LR survive the first 100 iterations, and where is the cliff?

0. Descent: one step of the recipe's optimizer at 1 % and 0.1 % of its learning rate must
   lower the loss on the batch it was computed on (to first order, any descent method does);
   when both raise it, the optimizer ascends (``maximize=True``, an update with the wrong sign).
1. Divide by 3 until clean: 100 mini-batch iterations at the recipe's learning rate; if the loss
   diverges (NaN/Inf, a spike above 4x its start, or an end 20 % above its start), start again
   from the same weights at a third of the rate, until
   a rate trains cleanly (at most ``lr_retries`` times). That rate is 1-3x below the divergence
   threshold: a rate that is known to work.
2. An LR range test (Smith 2015, as in fastai's ``lr_find``): the rate grows exponentially from
   1e-7 to 10 over ``range_steps`` iterations; the curve of the smoothed loss against the rate
   goes into the report, and it stops when the loss passes 4x its minimum.

Records ``descent`` {checks, ascends, descends}, ``lr_trials`` {trials, user_lr, clean_lr, suggested_lr, all_diverged}, the series
``lr_trial_loss`` (key: the rate) and ``lr_range_curve`` {lrs, losses, suggested_lr, user_lr}.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np
import torch

from nndoctor.experiments.base import Context, Diverged, Experiment, Skip
from nndoctor.experiments.training import forward_loss, train

#: A trial diverged when its loss ends this many times above where it started (it did not train)...
RISE = 1.2
#: ...or spikes above this multiple of where it started (fastai's range test stops at 4x)...
SPIKE = 4.0
#: ...or any single loss exceeds this multiple of the first one (stop early), or is NaN/Inf.
BLOWUP = 100.0
RANGE_START, RANGE_END = 1e-7, 10.0
#: Fractions of the learning rate for the descent check (small: first-order behaviour).
DESCENT_SCALES = (1e-2, 1e-3)


class LearningRate(Experiment):
    name = "learning-rate"
    title = "learning-rate search (divide by 3 until clean) and range test"

    def run(self, ctx: Context) -> str:
        x, y = ctx.fit_split
        opt = ctx.optimizer()
        base = [g.get("lr") for g in opt.param_groups]
        if not all(isinstance(lr, (int, float)) and lr > 0 for lr in base):
            raise Skip("the optimizer has no numeric learning rate")
        ctx.event("descent", **descent_check(ctx, x, y, base))
        trials: list[dict[str, Any]] = []
        factor = 1.0
        for _ in range(ctx.budget.lr_retries + 1):
            ctx.reset()
            trial = lr_trial(ctx, x, y, base, factor)
            trials.append(trial)
            # After a divergence, a rate whose loss merely stalls is not clean yet: keep dividing.
            if not trial["diverged"] and not (trial.get("stalled") and trials[0]["diverged"]):
                break
            factor /= 3.0
        clean = next((t["lr"] for t in trials if not t["diverged"] and not t.get("stalled")), None)
        if clean is None and not trials[0]["diverged"]:
            clean = base[0]  # the recipe's rate does not diverge (it may stall: not this experiment's call)
        ctx.event(
            "lr_trials",
            trials=trials,
            user_lr=base[0],
            clean_lr=clean,
            suggested_lr=clean if len(trials) > 1 else None,
            all_diverged=clean is None,
            steps=ctx.budget.lr_steps,
            optimizer=type(opt).__name__,
        )
        ctx.reset()
        curve = range_test(ctx, x, y, ctx.budget.range_steps)
        if curve:
            ctx.event("lr_range_curve", user_lr=base[0], **curve)
        if len(trials) == 1:
            summary = f"lr {base[0]:.3g}: {ctx.budget.lr_steps} iterations clean"
        elif clean is not None:
            summary = f"lr {base[0]:.3g} diverged; clean at {clean:.3g} after {len(trials) - 1} divisions by 3"
        else:
            summary = f"diverged at every rate down to {trials[-1]['lr']:.3g}"
        if curve:
            summary += f"; range test suggests {curve['suggested_lr']:.3g}"
        return summary


def descent_check(ctx: Context, x, y, base: list[float]) -> dict[str, Any]:
    """Loss on one batch before and after one optimizer step at a small fraction of the rate."""
    xb, yb = x[: ctx.recipe.batch_size], y[: ctx.recipe.batch_size]
    checks = []
    for scale in DESCENT_SCALES:
        ctx.reset()
        opt = ctx.optimizer()
        for g, lr in zip(opt.param_groups, base, strict=True):
            g["lr"] = lr * scale
        before = _seeded_loss(ctx, xb, yb, ctx.seed)
        opt.zero_grad(set_to_none=True)
        torch.manual_seed(ctx.seed)  # the same dropout mask as the measurement
        loss, _ = forward_loss(ctx, xb, yb)
        loss.backward()
        opt.step()
        after = _seeded_loss(ctx, xb, yb, ctx.seed)
        checks.append({"lr": base[0] * scale, "before": before, "after": after})
    moved = [
        c
        for c in checks
        if math.isfinite(c["before"])
        and math.isfinite(c["after"])
        and abs(c["after"] - c["before"]) > 1e-6 * max(abs(c["before"]), 1e-12)
    ]
    return {
        "checks": checks,
        "ascends": len(moved) == len(checks) and all(c["after"] > c["before"] for c in moved),
        "descends": any(c["after"] < c["before"] for c in moved),
    }


@torch.no_grad()
def _seeded_loss(ctx: Context, x, y, seed: int) -> float:
    ctx.model.train()
    torch.manual_seed(seed)
    loss, _ = forward_loss(ctx, x, y)
    return float(loss)


def lr_trial(ctx: Context, x, y, base: list[float], factor: float) -> dict[str, Any]:
    """``lr_steps`` iterations at ``factor`` x the recipe's rates: did it diverge, where, how."""
    opt = ctx.optimizer()
    for g, lr in zip(opt.param_groups, base, strict=True):
        g["lr"] = lr * factor
    lr = base[0] * factor
    losses: list[float] = []
    result: dict[str, Any] = {"lr": lr, "diverged": False}
    try:
        train(ctx, opt, x, y, ctx.budget.lr_steps, ctx.recipe.batch_size, blowup=BLOWUP, out=losses)
    except Diverged as exc:
        result.update(diverged=True, reason=exc.reason, step=exc.step, loss=exc.loss)
    finite = [v for v in losses if math.isfinite(v)]
    if finite:
        first, last = float(np.mean(finite[:5])), float(np.mean(finite[-10:]))
        result.update(first_loss=first, last_loss=last, max_loss=max(finite), iterations=len(losses))
        # Ratios mean something only for a loss bounded below by 0 (NLL of logits is not).
        if not result["diverged"] and first > 0 and min(finite) >= 0:
            if last > RISE * first and last - first > 1e-6:
                result.update(
                    diverged=True,
                    reason=f"loss ended {last / first:.3g}x above its start",
                    step=len(losses) - 1,
                    loss=last,
                )
            elif max(finite) > SPIKE * first:
                peak = int(np.argmax(losses))
                result.update(
                    diverged=True,
                    reason=f"loss spiked to {max(finite) / first:.3g}x its start",
                    step=peak,
                    loss=max(finite),
                )
            elif last >= first:
                result["stalled"] = True  # no divergence, and no progress either
    for step, v in enumerate(losses):
        if math.isfinite(v):
            ctx.trace.scalar("lr_trial_loss", step, v, f"{lr:.3g}")
    return result


def range_test(ctx: Context, x, y, steps: int) -> dict[str, Any] | None:
    """Exponentially growing LR; smoothed loss per rate; stops past 4x the best loss."""
    if steps < 10:
        return None
    opt = ctx.optimizer()
    lrs = np.geomspace(RANGE_START, RANGE_END, steps)
    seen: list[float] = []
    smooth: list[float] = []
    avg, beta = 0.0, 0.9

    def on_step(step: int, loss: float) -> bool:
        nonlocal avg
        avg = beta * avg + (1 - beta) * loss
        value = avg / (1 - beta ** (step + 1))
        seen.append(float(lrs[step]))
        smooth.append(value)
        return step > 5 and value > 4 * min(smooth)

    with contextlib.suppress(Diverged):  # a NaN ends the test like a blow-up does
        train(ctx, opt, x, y, steps, ctx.recipe.batch_size, on_step=on_step, lr_at=lambda s: float(lrs[s]))
    if len(smooth) < 5:
        return None
    skip = max(1, len(smooth) // 10)  # the first iterations say nothing (fastai's skip_start)
    best = skip + int(np.argmin(smooth[skip:]))
    grads = np.gradient(np.asarray(smooth[: best + 1])) if best >= 2 else np.zeros(1)
    steepest = int(np.argmin(grads)) if best >= 2 else best
    return {
        "lrs": seen,
        "losses": smooth,
        "min_loss_lr": seen[best],
        "steepest_lr": seen[steepest],
        "suggested_lr": seen[best] / 10.0,
    }
