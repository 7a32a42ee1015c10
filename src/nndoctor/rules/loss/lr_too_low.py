"""lr-too-low: updates are far below ~1e-3 of the weights and the loss barely moves."""

from __future__ import annotations

import math

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import (
    first_nonfinite_step,
    loss_improvement,
    optimizer_configs,
    primary_lr,
    smoothed,
    update_ratios,
)

#: The update/weight ratio healthy runs reach early in training (measured 0.005-0.05).
TARGET_RATIO = 1e-2
#: A schedule that has cut the rate by this factor has annealed it away: what is left moves nothing.
DECAYED = 100.0
#: Gradient norms (measured just before the optimizer step) that vary by less than this share
#: of their median over the second half were rescaled to one value: clip_grad_norm_ is binding.
CLIPPED_SPREAD = 0.01
#: A backward value this many times smaller than the loss function's output: a loss divided by a
#: large constant (gradient accumulation over k micro-batches divides by k, rarely above 32).
SCALED_DOWN = 100.0
#: ... and the loss still at this share of the constant-predictor (or starting) loss is far from
#: converged: annealing at the end of a healthy run happens once the loss is low.
FAR_FROM_CONVERGED = 0.5
#: A schedule that cut the rate this many times within the first EARLY_SHARE of the run annealed
#: it away however low the loss already was (a schedule's end comes late, a cosine's at the end).
COLLAPSED = 1e4
EARLY_SHARE = 0.1


@register
class LrTooLow(Rule):
    """The learning rate is too low: tiny updates, and the loss barely moves.

    What it detects:
        After ``min_steps`` steps, even the fastest-moving weight tensor changes by less than
        ``ratio`` (1e-4, 10x below the ~1e-3 rule of thumb) of its norm per step over the
        sampled steps of the second half of the run, while the loss has improved by less than
        ``max_improvement`` since the start, or since a schedule cut the rate 100x before the
        second half began while the loss is still above half the constant-predictor loss (a
        scheduler stepped per batch instead of per epoch anneals the rate away early). It waits while a warm-up is still raising the
        rate. Using the fastest layer keeps frozen or vanishing-gradient layers from counting;
        the measured update covers Adam, momentum and weight decay alike. The finding names two
        causes that shrink the step behind the rate's back: a gradient norm pinned at one value
        on every step (``clip_grad_norm_`` with a tiny ``max_norm``), and a backward value 100x or
        more below the loss function's output (a mean loss divided again by a dataset size).
    Why it matters:
        Training that moves the weights by 1e-5 of their size per step needs 100x more steps
        than it should; within the run's budget the model stays near its initialisation.
    Fix:
        Multiply the learning rate by 3 until the loss falls visibly in the first hundred steps
        (``evidence.suggested_lr`` is where the update ratio would reach ~1e-2).
    """

    id = "lr-too-low"
    severity = Severity.WARNING
    title = "Learning rate too low"
    requires = frozenset({"loss", "param_stats"})
    retractable = True  # a state of the run: withdrawn if the end of the run no longer shows it

    def __init__(self, ratio: float = 1e-4, max_improvement: float = 0.05, min_steps: int = 50) -> None:
        if not 0 < ratio < TARGET_RATIO:
            raise ValueError(f"ratio must be in (0, {TARGET_RATIO}), got {ratio}")
        if not 0 < max_improvement < 1:
            raise ValueError(f"max_improvement must be in (0, 1), got {max_improvement}")
        self.ratio = ratio
        self.max_improvement = max_improvement
        self.min_steps = min_steps

    def check(self, view):
        if view.last_step < self.min_steps:
            return
        lr = primary_lr(view)
        if len(lr) >= 2 and lr.values[-1] > 1.01 * float(lr.values[:-1].max()):
            return  # a warm-up is still raising the rate
        ratios = update_ratios(view).since(max(1, view.last_step // 2))
        if len(ratios) < 3:
            return
        level = float(np.median(ratios.max))
        if not level < self.ratio:
            return
        if level <= 0 and not (len(lr) and float(lr.values[-1]) <= 1e-3 * float(lr.values.max())):
            return  # nothing moves, but the rate was never cut: frozen weights, not a timid rate
        improvement = loss_improvement(view)
        if improvement is None:
            return
        # A schedule that annealed the rate away explains tiny updates whether or not the loss
        # improved before it struck (found in a probe: a per-epoch StepLR stepped every batch cut
        # the rate 1e60x within ~100 steps, while the loss had improved 2%; read as a timid rate,
        # the suggestion was lr=2.6e-52).
        decay = self._annealed_early(view, lr, int(ratios.steps[0]))
        if decay is None and improvement >= self.max_improvement:
            return
        if self._diverged(view):
            return  # tiny updates after a blow-up: dead units or a wrecked net, not a timid rate
        loss = view.loss.values[np.isfinite(view.loss.values)]
        if len(loss) and abs(float(np.mean(loss[-10:]))) < 1e-6:
            return  # already at zero loss: nothing left to learn
        rate = float(lr.values[-1]) if len(lr) else None
        k = max(
            1, math.ceil(math.log(TARGET_RATIO / max(level, 1e-12)) / math.log(3))
        )  # 0: float32 updates underflowed
        suggestion = rate * 3**k if rate else None
        evidence = {
            "lr": rate,
            "suggested_lr": suggestion,
            "suggested_lr_basis": (
                f"estimate: the fastest layer moves {level:.2g} of its norm per step; multiplying the rate by 3^{k} "
                f"brings that to ~{TARGET_RATIO:g} (healthy early training measures 5e-3 to 5e-2)"
            ),
            "max_layer_update_ratio": level,
            "median_layer_update_ratio": float(np.median(ratios.median)),
            "loss_improvement": improvement,
            "steps": view.last_step,
        }
        if decay is not None:
            evidence.update(decay)
            evidence["suggested_lr"] = decay["lr_peak"]
            evidence["suggested_lr_basis"] = "the rate before the schedule annealed it away"
        moved = (
            f"only {level:.2g} of its norm"
            if level > 0
            else "nothing at all (the rate is 0)"
            if rate == 0
            else "nothing at all (updates that small round to 0 in float32)"
        )
        message = (
            f"Over the last {view.last_step - int(ratios.steps[0])} steps even the fastest-moving layer changed by "
            f"{moved} per update (rule of thumb ~1e-3), and the loss improved by "
            f"{max(improvement, 0):.1%} in {view.last_step} steps."
            + (f" Try lr={suggestion:.2g}." if suggestion else "")
        )
        if decay is not None:
            message = (
                f"The learning rate schedule had cut the rate {_cut(decay['lr_peak'], decay['lr_at_decayed_step'])} "
                f"by step {decay['decayed_by_step']}, less than halfway through the run"
                + (
                    f", and {_cut(decay['lr_peak'], rate or 0.0)} "
                    + ("by the end" if view.final else f"by step {view.last_step}")
                    if decay["lr_at_decayed_step"] > 0
                    else ""
                )
                + "; since then even the fastest-moving "
                f"layer changes by {moved} per update and the loss has improved by "
                f"{max(decay['loss_improvement_since_decay'], 0):.1%}, stuck at {decay['stalled_loss']:.3g} "
                f"({decay['share_of_reference_loss']:.0%} of {decay['reference_loss']:.3g}). A scheduler stepped every "
                "batch instead of every epoch does this, so does a schedule whose length (total_steps, T_max, the "
                "decay's end in a LambdaLR) counts one epoch's batches where the run has many, and so does a "
                "ReduceLROnPlateau whose mode does not match its metric (mode='max' fed a loss)."
            )
        kind = "SGD"
        configs = optimizer_configs(view)
        if configs:
            kind = (configs.get("optimizer") or next(iter(configs.values()))).get("type") or kind
        value = f"{suggestion:.2g}" if suggestion else "lr * 10"
        if decay is not None:
            fix = (
                "Step the scheduler once per epoch (after the batch loop), or give it a length counted in batches "
                "over the whole run (total_steps = len(loader) * epochs); a ReduceLROnPlateau stepped with a loss "
                "needs mode='min':\n```\nfor epoch in range(epochs):\n"
                "    train_one_epoch()\n    scheduler.step()   # ReduceLROnPlateau(optimizer, mode='min'): scheduler.step(val_loss)\n"
                "# a schedule stepped every batch (OneCycleLR, a LambdaLR warm-up) spans the whole run:\n"
                "total_steps = len(loader) * epochs\n```"
            )
            yield self.finding(message, fix, step=int(ratios.steps[0]), evidence=evidence)
            return
        scaled = self._loss_scaled_down(view)
        if scaled is not None:
            evidence["loss_scaled_down_by"] = scaled
            message = message.replace(f" Try lr={suggestion:.2g}.", "") if suggestion else message
            message += (
                f" The value backward() is called on is 1/{scaled:.3g} of what the loss function returns, so every "
                "gradient is that much smaller: the loss is divided by a large constant (a dataset size, a number "
                "of batches) on top of its own mean."
            )
            fix = (
                "Call backward() on the loss function's mean itself (divide only by the accumulation steps, if "
                "any) before raising the learning rate:\n```\nloss = criterion(model(x), y)\nloss.backward()\n```"
            )
            yield self.finding(message, fix, step=int(ratios.steps[0]), evidence=evidence)
            return
        clipped = self._clipped_norm(view, int(ratios.steps[0]))
        if clipped is not None:
            evidence["clipped_grad_norm"] = clipped
            evidence.pop("suggested_lr", None)  # (a higher rate is not the fix: the clip sets the step)
            evidence.pop("suggested_lr_basis", None)
            message = message.replace(f" Try lr={suggestion:.2g}.", "") if suggestion else message
            message += (
                f" The gradient norm is {clipped:.3g} on every step: gradient clipping (clip_grad_norm_ with "
                f"max_norm={clipped:.2g}) rescales every gradient to that size, so it sets the step size, not the "
                "learning rate."
            )
            fix = (
                "Clip only the rare spikes: set max_norm near the typical gradient norm (1.0 is a common choice) "
                "before raising the learning rate:\n```\ntorch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n```"
            )
            yield self.finding(message, fix, step=int(ratios.steps[0]), evidence=evidence)
            return
        fix = (
            "Raise the learning rate (multiply by 3 until the loss falls visibly within 100 steps):\n"
            f"```\noptimizer = torch.optim.{kind}(model.parameters(), lr={value})\n```"
        )
        yield self.finding(message, fix, step=int(ratios.steps[0]), evidence=evidence)

    @staticmethod
    def _loss_scaled_down(view) -> float | None:
        """How many times smaller the backward value is than the loss function's output, if >= SCALED_DOWN."""
        backward = view.series("loss")
        keys = view.keys("loss_fn_value")
        if backward.empty or len(keys) != 1 or view.series("constant_baseline", keys[0]).empty:
            return None  # several losses, or a sum reduction (no baseline): its division is legitimate
        fn = view.series("loss_fn_value", keys[0])
        b = np.abs(backward.values[np.isfinite(backward.values)])
        f = np.abs(fn.values[np.isfinite(fn.values)])
        if len(b) < 10 or len(f) < 10:
            return None
        mb, mf = float(np.median(b)), float(np.median(f))
        if mb <= 0 or mf / mb < SCALED_DOWN:
            return None
        return mf / mb

    @staticmethod
    def _clipped_norm(view, since: int) -> float | None:
        """The value every pre-step gradient norm since ``since`` was rescaled to, if one was."""
        for key in view.keys("grad_norm"):
            s = view.series("grad_norm", key)
            v = s.values[(s.steps >= since) & np.isfinite(s.values)]
            if len(v) < 10:
                continue
            med = float(np.median(v))
            if med > 0 and float(v.max() - v.min()) < CLIPPED_SPREAD * med:
                return med
        return None

    def _annealed_early(self, view, lr, since: int) -> dict | None:
        """The schedule cut the rate ``DECAYED`` x before ``since`` (the second half of the run),
        and since then the loss has not moved although it is far from converged; None otherwise."""
        if len(lr) < 3:
            return None
        peak = float(lr.values.max())
        before = lr.values[lr.steps <= since]
        if not len(before) or peak <= 0 or float(before[-1]) > peak / DECAYED:
            return None
        first = int(np.flatnonzero(lr.values <= peak / DECAYED)[0])
        by_step, rate_then = int(lr.steps[first]), float(lr.values[first])
        loss = view.loss
        ok = np.isfinite(loss.values)
        values, steps = loss.values[ok], loss.steps[ok]
        window = values[steps >= since]
        if len(window) < 20 or not values[0] > 0:
            return None
        head, tail = float(np.mean(window[:10])), float(np.mean(window[-10:]))
        if head <= 0 or 1.0 - tail / head >= self.max_improvement:
            return None  # still improving
        reference = None
        for key in view.keys("constant_baseline"):
            s = view.series("constant_baseline", key)
            if len(s) and np.isfinite(s.values[-1]) and s.values[-1] > 0:
                reference = float(s.values[-1])
                break
        reference = reference or float(np.mean(values[:5]))
        # A rate cut COLLAPSED x within the run's first EARLY_SHARE is no schedule's end, whatever the
        # loss (found in a probe: a per-epoch StepLR stepped every batch froze a regression at
        # 0.28 of its constant predictor's loss, rate 7e-97 from 0.05).
        collapsed = by_step <= EARLY_SHARE * view.last_step and peak >= COLLAPSED * float(lr.values[-1])
        if tail < FAR_FROM_CONVERGED * reference and not collapsed:
            return None  # annealed once the loss was already low: a finished run
        return {
            "lr_peak": peak,
            "lr_decay_factor": peak / float(lr.values[-1]) if lr.values[-1] > 0 else float("inf"),
            "decayed_by_step": by_step,
            "lr_at_decayed_step": rate_then,
            "loss_improvement_since_decay": 1.0 - tail / head,
            "stalled_loss": tail,
            "reference_loss": reference,
            "share_of_reference_loss": tail / reference,
        }

    @staticmethod
    def _diverged(view) -> bool:
        """The loss went non-finite or rose well above its start at some point."""
        if first_nonfinite_step(view) is not None:
            return True
        values = view.loss.values
        values = values[np.isfinite(values)]
        if len(values) < 10:
            return False
        start = float(np.median(values[:5]))
        return start > 0 and float(np.max(smoothed(values))) > 2 * start


def _cut(peak: float, rate: float) -> str:
    """How far a schedule cut the rate: ``4e+03x (to 1.2e-05)``, or ``to 0``."""
    return f"{peak / rate:.3g}x (to {rate:.2g})" if rate > 0 else "to 0"
