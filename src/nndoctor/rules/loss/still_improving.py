"""still-improving: training stopped while the loss was still falling steeply."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve

MIN_POINTS = 20
#: The last quarter of the run: its second half is this much lower than its first (relative).
MIN_RECENT_DROP = 0.1
#: The drop must stand out of the noise: this many standard errors of the halves' medians.
MIN_DROP_OVER_NOISE = 3.0
#: A schedule that annealed the learning rate to this share of its peak ended the run on purpose.
ANNEALED = 0.1


@register
class StillImproving(Rule):
    """Training stopped while the loss was still falling steeply.

    What it detects:
        At the end of the run, the training loss over the last quarter was still falling: the
        second half of that quarter is 10% or more below the first half, well beyond noise,
        and the validation loss (when measured) was still improving too. Runs whose schedule
        annealed the learning rate to near zero are left alone.
    Why it matters:
        More epochs would most likely give a better model: the run ended before convergence.
    Fix:
        Train longer (more epochs) or with a somewhat higher learning rate, and stop on a
        validation criterion instead of a fixed epoch count.
    """

    id = "still-improving"
    severity = Severity.INFO
    title = "Training stopped while the loss was still falling"
    requires = frozenset({"loss", "val_loss", "param_stats"})

    def check(self, view):
        if not view.final or _curve.adversarial(view):
            return
        curve = _curve.loss_curve(view)
        if curve is None:
            return
        curve = curve.finite_prefix()
        n = len(curve)
        if n < MIN_POINTS or not np.all(np.isfinite(curve.y)):
            return
        tail = curve.y[-max(8, n // 4) :]
        half = len(tail) // 2
        a, b = tail[:half], tail[half:]
        ma, mb = _curve.median(a), _curve.median(b)
        if not (ma > 0 and mb >= 0) or (ma - mb) / ma < MIN_RECENT_DROP:
            return
        noise = _curve.robust_step_noise(tail)
        if np.isfinite(noise) and ma - mb < MIN_DROP_OVER_NOISE * 1.25 * noise * np.sqrt(2 / half):
            return
        if _curve.median(curve.y[: max(3, n // 10)]) <= ma:
            return  # it is not a descent from the start
        if _annealed(view):
            return
        val = view.series("val_loss")
        if len(val) >= 3 and not val.values[-1] < 0.99 * np.min(val.values[:-1]):
            return  # validation stopped improving: more epochs would not help
        evidence = {
            "loss_recent_first_half": ma,
            "loss_recent_second_half": mb,
            "recent_drop": (ma - mb) / ma,
            f"{curve.unit.replace(' ', '_')}s": n,
        }
        if len(val):
            evidence["last_val_loss"] = float(val.values[-1])
        message = (
            f"The loss was still falling when training stopped: {ma:.4g} -> {mb:.4g} "
            f"({(ma - mb) / ma:.0%}) over the last {len(tail)} {curve.unit}s. More training would likely help."
        )
        fix = "Train for more epochs (or stop on a validation criterion instead of a fixed count):\n```\nepochs = 2 * epochs\n```"
        yield self.finding(message, fix, step=curve.step_at(n - 1), evidence=evidence)


def _annealed(view) -> bool:
    for key in view.keys("lr"):
        s = view.series("lr", key)
        if len(s) >= 2 and s.values.max() > 0 and s.values[-1] <= ANNEALED * s.values.max():
            return True
    return False
