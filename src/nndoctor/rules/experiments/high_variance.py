"""high-variance: the model overfits (bias-variance verdict)."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments._bias_variance import errors
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

FIXES = [
    "more training data",
    "regularization (weight decay, dropout)",
    "data augmentation",
    "early stopping on the validation loss",
    "a smaller model",
]


@register
class HighVariance(ExamineRule):
    """The model overfits: validation error far above training error, and above the baseline.

    What it detects:
        After a short training, validation error exceeds training error by a clear margin
        (10 points or 3 standard errors for error rates, 50 % for MSE) and is also worse than
        the best simple baseline by that margin: the gap, not the fit, is the problem.
    Why it matters:
        The model memorises the training set instead of learning what generalises; a
        linear model already does better on new data.
    Fix:
        In this order: more data, regularization, augmentation, early stopping, a smaller model.
    """

    id = "high-variance"
    severity = Severity.WARNING
    title = "High variance: the model overfits"

    def check(self, view):
        e = errors(view)
        if e is None:
            return
        if e.val - e.train <= e.margin(e.train, e.val) or e.val <= e.baseline + e.margin(e.baseline, e.val):
            return
        shift = data_of(view, "two_sample")
        if shift and shift["auc"] >= 0.75:
            return  # validation differs from training (distribution-shift): the gap is not overfitting
        evidence = {**e.evidence(), "fixes_ranked": FIXES}
        message = (
            f"After the short training the model's validation {e.metric} is {g(e.val)} against {g(e.train)} on "
            f"its training data, and the simple baseline reaches {g(e.baseline)} on validation: the model "
            f"overfits. Fixes, in order: {'; '.join(FIXES)}."
        )
        fix = "Regularize (and stop early on the validation loss):\n```\noptimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-2); nn.Dropout(0.3)\n```"
        yield self.finding(message, fix, evidence=evidence)
