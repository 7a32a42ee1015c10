"""still-improving: training stopped while the loss was still falling steeply."""

from __future__ import annotations

import math

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve, _squeezed
from nndoctor.rules.loss.inverted_objective import inverted_picks

MIN_POINTS = 20
#: Training again as long would lower the loss by at least this share of its level, at the
#: rate of the last quarter of the run (robust slope) ...
MIN_PROJECTED_GAIN = 0.1
#: ... and that last quarter falls consistently (rank correlation with time).
MAX_SPEARMAN = -0.5
#: A schedule that annealed the learning rate to this share of its peak ended the run on purpose.
ANNEALED = 0.1
#: A loss already at this share of the constant predictor's (or, without one, of its starting
#: level) has little left to gain in absolute terms, however fast it still falls relatively (a
#: classifier at 0.03 against ln 2 halving its loss again changes no prediction).
CONVERGED_SHARE = 0.05


@register
class StillImproving(Rule):
    """Training stopped while the loss was still falling steeply.

    What it detects:
        At the end of the run, the training loss over the last quarter was still falling
        consistently (rank correlation with time -0.5 or lower) and fast enough that training
        as long again would lower it by 10% or more, and the validation loss (when measured)
        was still improving too. Runs whose schedule annealed the learning rate to near zero
        are left alone, as are losses already below 5% of the constant predictor's (or of their
        starting level), and losses fed squeezed scores (their floor is above zero).
    Why it matters:
        More epochs would most likely give a better model: the run ended before convergence.
    Fix:
        Train longer (more epochs) or with a somewhat higher learning rate, and stop on a
        validation criterion instead of a fixed epoch count.
    """

    id = "still-improving"
    severity = Severity.INFO
    title = "Training stopped while the loss was still falling"
    requires = frozenset({"loss", "val_loss", "param_stats", "picked_class"})

    def check(self, view):
        if not view.final or _curve.adversarial(view):
            return
        curve = _curve.loss_curve(view)
        if curve is None:
            return
        curve = curve.finite_prefix()
        n = len(curve)
        if n < MIN_POINTS:
            return
        tail = curve.y[-max(8, n // 4) :]
        level = _curve.median(tail)
        rate = _curve.relative_drop(tail) / len(tail)  # share of the level lost per point
        projected, slowing = _projected_drop(curve.y, len(tail), rate)
        rho = _curve.spearman(tail)
        if not level > 0 or projected < MIN_PROJECTED_GAIN or rho > MAX_SPEARMAN:
            return
        start = _curve.median(curve.y[: max(3, n // 10)])
        if start <= level:
            return  # it is not a descent from the start
        reference = _reference_level(view) or start
        if level < CONVERGED_SHARE * reference:
            return  # (nearly) converged: the rest of the fall is small in absolute terms
        if _annealed(view) or _squeezed.squeezed_scores(view) or inverted_picks(view):
            return  # (an objective that rewards wrong answers: more training makes it worse)
        val = view.series("val_loss")
        if len(val) >= 3 and not val.values[-1] < 0.99 * np.min(val.values[:-1]):
            return  # validation stopped improving: more epochs would not help
        evidence = {
            "recent_loss": level,
            "recent_relative_drop_per_point": rate,
            "projected_drop_if_trained_as_long_again": projected,
            "rank_correlation_recent": rho,
            f"{curve.unit.replace(' ', '_')}s": n,
        }
        if len(val):
            evidence["last_val_loss"] = float(val.values[-1])
        message = (
            f"The loss was still falling when training stopped (at {level:.4g}, losing {100 * rate:.2g}% of its level per "
            f"{curve.unit} over the last {len(tail)}): training as long again at that rate"
            + (", slowing as it has slowed," if slowing else "")
            + f" would lower it by about "
            f"{projected:.0%}. More training would likely help."
        )
        fix = "Train for more epochs (or stop on a validation criterion instead of a fixed count):\n```\nepochs = 2 * epochs\n```"
        yield self.finding(message, fix, step=curve.step_at(n - 1), evidence=evidence)


def _reference_level(view) -> float | None:
    """The constant predictor's loss, when the run has one loss function with a baseline and the
    backward value is that loss (not a sum of terms or a rescaled loss)."""
    keys = view.keys("loss_fn_value")
    if len(keys) != 1:
        return None
    base = _curve.baseline(view, keys[0])
    backward, fn = view.series("loss"), view.series("loss_fn_value", keys[0])
    if base is None or len(backward) != len(fn) or not np.allclose(backward.values, fn.values, equal_nan=True):
        return None
    return base


def _annealed(view) -> bool:
    for key in view.keys("lr"):
        s = view.series("lr", key)
        if len(s) >= 2 and s.values.max() > 0 and s.values[-1] <= ANNEALED * s.values.max():
            return True
    return False


def _projected_drop(y, window: int, rate: float) -> tuple[float, bool]:
    """The share of its level the loss would lose over as many points again, and whether its
    slowing was projected. ``rate`` (share per point over the last ``window``) is compounded (a
    linear projection passes 100%); where the window before lost more per point, the rate is taken
    to keep falling as a power of the position, ``rate * (t_now / t) ** p`` with ``p`` from the two
    windows, as training curves do (a power-law curve 2 / sqrt(1 + t / 20): 29% projected, 33%
    true, 43% at a constant rate; probe 10's distilled student, losing 0.38% a point at the end:
    95% at a constant rate, 45% slowing, 38% measured when trained as long again). A rising loss
    gains nothing."""
    n = len(y)
    if rate <= 0:
        return rate * n, False
    before = y[-2 * window : -window] if n >= 2 * window else None
    if before is not None and len(before) >= 8:
        earlier = _curve.relative_drop(before) / len(before)
        if earlier > rate:
            t_now, t_before = n - window / 2, n - 1.5 * window
            p = math.log(earlier / rate) / math.log(t_now / t_before)
            if abs(p - 1) < 1e-6:
                total = rate * t_now * math.log(2)
            else:
                total = rate * t_now**p * ((2 * n) ** (1 - p) - n ** (1 - p)) / (1 - p)
            return -math.expm1(-total), True
    return -math.expm1(-rate * n), False
