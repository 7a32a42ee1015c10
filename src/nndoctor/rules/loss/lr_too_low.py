"""lr-too-low: updates are far below ~1e-3 of the weights and the loss barely moves."""

from __future__ import annotations

import math

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import (
    loss_improvement,
    optimizer_configs,
    primary_lr,
    smoothed,
    update_ratios,
)

#: The update/weight ratio healthy runs reach early in training (measured 0.005-0.05).
TARGET_RATIO = 1e-2


@register
class LrTooLow(Rule):
    """The learning rate is too low: tiny updates, and the loss barely moves.

    What it detects:
        After ``min_steps`` steps, even the fastest-moving weight tensor changes by less than
        ``ratio`` (1e-4, 10x below the ~1e-3 rule of thumb) of its norm per step over the
        sampled steps of the second half of the run, while the loss has improved by less than
        ``max_improvement`` since the start. It waits while a warm-up is still raising the
        rate. Using the fastest layer keeps frozen or vanishing-gradient layers from counting;
        the measured update covers Adam, momentum and weight decay alike.
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
        if not (0 < level < self.ratio):
            return
        improvement = loss_improvement(view)
        if improvement is None or improvement >= self.max_improvement:
            return
        if self._diverged(view):
            return  # tiny updates after a blow-up: dead units or a wrecked net, not a timid rate
        loss = view.loss.values[np.isfinite(view.loss.values)]
        if len(loss) and abs(float(np.mean(loss[-10:]))) < 1e-6:
            return  # already at zero loss: nothing left to learn
        rate = float(lr.values[-1]) if len(lr) else None
        k = max(1, math.ceil(math.log(TARGET_RATIO / level) / math.log(3)))
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
        message = (
            f"Over the last {view.last_step - int(ratios.steps[0])} steps even the fastest-moving layer changed by "
            f"only {level:.2g} of its norm per update (rule of thumb ~1e-3), and the loss improved by "
            f"{max(improvement, 0):.1%} in {view.last_step} steps."
            + (f" Try lr={suggestion:.2g}." if suggestion else "")
        )
        kind = "SGD"
        configs = optimizer_configs(view)
        if configs:
            kind = (configs.get("optimizer") or next(iter(configs.values()))).get("type") or kind
        value = f"{suggestion:.2g}" if suggestion else "lr * 10"
        fix = (
            "Raise the learning rate (multiply by 3 until the loss falls visibly within 100 steps):\n"
            f"```\noptimizer = torch.optim.{kind}(model.parameters(), lr={value})\n```"
        )
        yield self.finding(message, fix, step=int(ratios.steps[0]), evidence=evidence)

    @staticmethod
    def _diverged(view) -> bool:
        """The loss went non-finite or rose well above its start at some point."""
        if any(e.data.get("kind") in ("loss", "gradient") for e in view.events("nonfinite")):
            return True
        values = view.loss.values
        values = values[np.isfinite(values)]
        if len(values) < 10:
            return False
        start = float(np.median(values[:5]))
        return start > 0 and float(np.max(smoothed(values))) > 2 * start
