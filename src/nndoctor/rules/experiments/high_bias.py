"""high-bias: the model underfits the training data (bias-variance verdict)."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments._bias_variance import errors, still_improving
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

FIXES = [
    "a bigger model (wider or deeper layers)",
    "less regularization (weight decay, dropout)",
    "error analysis: look at the training examples it gets wrong",
    "another architecture (convolutions for images, attention for sequences)",
    "tune the optimization: learning rate, more steps",
]


@register
class HighBias(ExamineRule):
    """The model underfits: its training error is above what a simple baseline reaches.

    What it detects:
        After a short training, the model's error on its own training data is higher than
        the best simple baseline's error on validation (logistic/ridge regression or the
        majority/mean), by 10 points or 3 standard errors (error rates) or by 50 % (MSE). When
        the training loss was still falling steeply at the end, it is only advice (train longer).
    Why it matters:
        Avoidable bias: the model does not even fit what it has seen, so more data or more
        regularization cannot help; the fixes are the ones that add fitting power.
    Fix:
        In this order: a bigger model, less regularization, error analysis, another
        architecture, optimization tuning.
    """

    id = "high-bias"
    severity = Severity.WARNING
    title = "High bias: the model underfits"

    def check(self, view):
        e = errors(view)
        if e is None or e.train <= e.baseline + e.margin(e.baseline, e.train):
            return
        evidence = {**e.evidence(), "fixes_ranked": FIXES}
        message = (
            f"After the short training the model's training {e.metric} is {g(e.train)}, worse than the simple "
            f"baseline's validation {e.metric} {g(e.baseline)}: it underfits (validation {g(e.val)}). Fixes, "
            f"in order: {'; '.join(FIXES)}."
        )
        fix = "Give the model more capacity first (then reduce regularization):\n```\nnn.Linear(d, 4 * hidden)   # wider; or add a layer\n```"
        late = still_improving(data_of(view, "baselines") or {})
        if late is not None:  # not converged yet: the short training may simply have been too short
            evidence["late_drop"] = late
            message += (
                f" The training loss was still falling ({late:.0%} over the last half of the steps): "
                "train longer before adding capacity."
            )
            fix = "Train for more steps (or raise the learning rate), then compare again:\n```\nfor epoch in range(2 * epochs): ...\n```"
            yield self.finding(message, fix, evidence=evidence, severity=Severity.INFO)
            return
        yield self.finding(message, fix, evidence=evidence)
