"""unnormalized-target: regression targets far from unit scale."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: Targets whose standard deviation or mean magnitude exceeds this are unscaled (house prices, counts)...
MAX_SCALE = 10.0
#: ...or whose scale is below this (everything near zero).
MIN_SCALE = 0.01


@register
class UnnormalizedTarget(ExamineRule):
    """Regression targets are far from unit scale.

    What it detects:
        A regression loss with targets whose standard deviation or mean magnitude is above
        10 (or both below 0.01).
    Why it matters:
        The output layer starts near 0 and must reach values in the hundreds: the MSE and its
        gradients are huge at first, Adam moves weights by about the learning rate per step
        so it takes thousands of steps just to get the offset right, and the learning rate
        that suits the loss scale does not suit the weights.
    Fix:
        Standardise the targets with the training statistics and undo it for predictions.
    """

    id = "unnormalized-target"
    severity = Severity.WARNING
    title = "Regression targets are not normalised"

    def check(self, view):
        t = data_of(view, "target_stats")
        if not t:
            return
        scale = max(t["std"], abs(t["mean"]))
        if MIN_SCALE <= scale <= MAX_SCALE:
            return
        evidence = {"mean": t["mean"], "std": t["std"], "min": t["min"], "max": t["max"]}
        size = "large" if scale > MAX_SCALE else "small"
        message = (
            f"The regression targets have mean {g(t['mean'])} and standard deviation {g(t['std'])} (from "
            f"{g(t['min'])} to {g(t['max'])}): far from unit scale ({size}), so the loss and its gradients are "
            "badly scaled for the output layer and the optimizer."
        )
        fix = (
            "Standardise the targets with the training statistics, and invert for predictions:\n"
            "```\nmu, sd = y_train.mean(), y_train.std(); y_train = (y_train - mu) / sd\nprediction = model(x) * sd + mu\n```"
        )
        yield self.finding(message, fix, evidence=evidence)
