"""unnormalized-target (live): regression targets far from unit scale, and the model not fitting them."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.loss import _curve

REGRESSION_LOSSES = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"}
#: Targets reaching this magnitude are not standardised (30 standard deviations never happen).
MIN_TARGET_SCALE = 30.0
#: ... and the model has not fitted them: its recent loss is still this share of the loss of
#: the best constant prediction (a model that de-normalises its output internally fits well
#: below it, and is left alone).
MIN_SHARE_OF_CONSTANT = 0.9
#: Loss values needed at the end of a run / while it trains (the loss of a run with large
#: targets starts far above the constant predictor's: judge only once it had time to fall).
MIN_POINTS_FINAL = 60
MIN_POINTS_LIVE = 300
#: At the end of a run, a loss still at this share of the constant predictor's or more (R^2 of
#: 0.9 or less) that is still falling steadily (rank correlation with time of the last quarter
#: at most MAX_SPEARMAN, and at that pace training as long again would take off a tenth or
#: more) is a fit the targets' scale slows down: the offset and the spread are being learned a
#: learning-rate-sized step at a time (measured in a probe: raw prices ~40000, Adam 1e-3, the
#: loss at 21% of the constant's after 1500 steps and falling 0.3% a step, where standardised
#: targets fit to ~1% within a few hundred).
MIN_SLOW_SHARE = 0.1
MAX_SPEARMAN = -0.5
MIN_PROJECTED_GAIN = 0.1


@register
class UnnormalizedTargetLive(Rule):
    """Regression targets far from unit scale, and a model that does not fit them.

    What it detects:
        A regression loss (MSE, L1, Huber) whose float targets reach magnitudes of 30 or
        more, while the training loss, late in the run, is still 90% or more of what the best
        *constant* prediction scores (the target variance for MSE): the model has not even
        learned the targets' offset and scale. At the end of a run, also a loss still at 10% or
        more of the constant prediction's that is still falling steadily: a fit the targets'
        scale slows down.
    Why it matters:
        The output layer starts near 0 and must reach values in the hundreds or more: the loss
        and its gradients are huge, Adam moves each weight by about the learning rate per step,
        so thousands of steps go into the offset alone, and a rate that suits the loss scale
        does not suit the weights. Models that fit such targets anyway are not reported.
    Fix:
        Standardise the targets with the training statistics and undo it for predictions.
    """

    id = "unnormalized-target"
    severity = Severity.WARNING
    title = "Regression targets are not normalised"
    requires = frozenset({"loss", "loss_inputs"})

    def check(self, view):
        calls = [e for e in view.events("loss_call") if e.data.get("fn") in REGRESSION_LOSSES]
        if not calls:
            return
        curves = _curve.fn_curves(view)
        for fn in sorted({e.data["fn"] for e in calls}):
            mine = [e.data for e in calls if e.data["fn"] == fn and not e.data.get("target_integer", True)]
            lows = [d["target_min"] for d in mine if "target_min" in d]
            highs = [d["target_max"] for d in mine if "target_max" in d]
            if not lows:
                continue
            lo, hi = min(lows), max(highs)
            scale = max(abs(lo), abs(hi))
            curve = curves.get(fn)
            base = _curve.baseline(view, fn)
            if scale < MIN_TARGET_SCALE or curve is None or base is None:
                continue
            curve = curve.finite_prefix()
            n = len(curve)
            if n < (MIN_POINTS_FINAL if view.final else MIN_POINTS_LIVE):
                continue
            tail = curve.y[-max(3, n // 4) :]
            level = _curve.median(tail)
            share = level / base
            slow = view.final and share >= MIN_SLOW_SHARE and _still_falling(tail, n)
            if share < MIN_SHARE_OF_CONSTANT and not slow:
                continue
            evidence = {
                "loss_function": fn,
                "target_min": lo,
                "target_max": hi,
                "target_scale": scale,
                "recent_loss": level,
                "constant_predictor_loss": base,
                "share_of_constant_predictor": share,
            }
            if share >= MIN_SHARE_OF_CONSTANT:
                message = (
                    f"The {fn} targets range from {lo:.4g} to {hi:.4g}, far from unit scale, and after {n} steps the "
                    f"loss ({level:.4g}) is still {share:.0%} of what predicting their mean scores ({base:.4g}): the "
                    "model has not even learned the targets' offset and scale, because its output starts near 0 and "
                    "the loss and gradients are badly scaled for the optimizer."
                )
            else:
                evidence["still_falling"] = True
                message = (
                    f"The {fn} targets range from {lo:.4g} to {hi:.4g}, far from unit scale, and the fit is slow: after "
                    f"{n} steps the loss ({level:.4g}) is still {share:.0%} of what predicting their mean scores "
                    f"({base:.4g}) and still falling steadily. The output layer has to grow to the targets' scale a "
                    "learning-rate-sized step at a time; standardised targets fit in a fraction of the steps."
                )
            fix = (
                "Standardise the targets with the training statistics, and invert for predictions:\n"
                "```\nmu, sd = y_train.mean(), y_train.std(); y_train = (y_train - mu) / sd\n"
                "prediction = model(x) * sd + mu\n```"
            )
            yield self.finding(message, fix, step=curve.step_at(n - 1), evidence=evidence)
            return


def _still_falling(tail, n: int) -> bool:
    """The last quarter of the loss falls consistently, fast enough that training as long again
    would take off ``MIN_PROJECTED_GAIN`` of its level (still-improving's measure)."""
    if len(tail) < 8:
        return False
    rate = _curve.relative_drop(tail) / len(tail)
    return _curve.spearman(tail) <= MAX_SPEARMAN and rate * n >= MIN_PROJECTED_GAIN
