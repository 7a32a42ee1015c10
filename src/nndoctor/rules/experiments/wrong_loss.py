"""wrong-loss: a loss function unsuited to the targets."""

from __future__ import annotations

import math

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, prediction_shape

REGRESSION = ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss")
BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")


@register
class WrongLoss(ExamineRule):
    """The loss does not suit the targets.

    What it detects:
        Cross-entropy over a single output unit (always 0); a binary loss (BCE) on
        integer targets with more than two classes; a regression loss (MSE, L1) on integer
        class labels, either against one score per class or as a single number.
    Why it matters:
        Cross-entropy over one logit is identically zero: nothing is learned. BCE with targets
        2, 3, ... rewards pushing scores without bound. MSE on class indices pretends class 7 is
        "closer" to class 8 than to class 1, and against C scores it broadcasts.
    Fix:
        Classes: CrossEntropyLoss on C logits with integer targets. Binary: one logit with
        BCEWithLogitsLoss and float 0/1 targets. Regression: MSE on float targets.
    """

    id = "wrong-loss"
    severity = Severity.ERROR
    title = "The loss function does not fit the targets"

    def check(self, view):
        p = data_of(view, "loss_probe")
        if not p:
            return
        loss = p["loss"]
        shape = prediction_shape(p)
        units = shape[1] if len(shape) > 1 else 1
        distinct = p.get("target_distinct", 0)
        evidence = {
            "loss": loss,
            "output_shape": shape,
            "target_dtype": p.get("target_dtype"),
            "target_min": p.get("target_min"),
            "target_max": p.get("target_max"),
            "target_distinct": distinct,
        }
        severity = None
        if loss == "cross_entropy" and units == 1 and len(shape) == 2:
            message = (
                "cross_entropy over a single output unit: softmax of one logit is always 1, so the loss is "
                f"identically 0 (measured: {p.get('loss_value')}) and nothing is learned."
            )
            fix = "For two classes use one logit with BCEWithLogitsLoss (float 0/1 targets), or 2 outputs with CrossEntropyLoss:\n```\nloss_fn = nn.BCEWithLogitsLoss(); loss = loss_fn(model(x).squeeze(1), y.float())\n```"
        elif loss in BINARY and p.get("target_integer_valued") and distinct > 2 and (p.get("target_max") or 0) > 1:
            message = (
                f"{loss} is a binary loss, but the targets take {distinct} integer values "
                f"({p.get('target_min'):g} to {p.get('target_max'):g}): this is a multi-class problem."
            )
            fix = f"Use one output per class and CrossEntropyLoss with integer targets:\n```\nmodel = nn.Sequential(..., nn.Linear(h, {int(p.get('target_max', 1)) + 1}))\nloss_fn = nn.CrossEntropyLoss()\n```"
        elif loss in REGRESSION and p.get("target_integer") and distinct >= 2 and units > 1 and _one_per_example(p):
            message = (
                f"{loss} compares {units} output scores with integer class labels (dtype {p.get('target_dtype')}, "
                f"{distinct} values): the labels broadcast against every score and the loss means nothing."
            )
            fix = f"Use CrossEntropyLoss for class labels:\n```\nloss_fn = nn.CrossEntropyLoss()   # logits (N, {units}), targets (N,) int64\n```"
        elif loss in REGRESSION and p.get("target_integer") and 3 <= distinct <= 100 and units == 1:
            severity = Severity.WARNING
            message = (
                f"{loss} regresses integer labels (dtype {p.get('target_dtype')}, {distinct} distinct values "
                f"from {p.get('target_min'):g} to {p.get('target_max'):g}) with a single output: if these are "
                "classes, regression treats neighbouring class ids as similar."
            )
            fix = f"If the labels are classes, predict one score per class with CrossEntropyLoss:\n```\nmodel = nn.Sequential(..., nn.Linear(h, {distinct})); loss_fn = nn.CrossEntropyLoss()\n```"
        else:
            return
        yield self.finding(message, fix, where=p.get("producer"), evidence=evidence, severity=severity)


def _one_per_example(p: dict) -> bool:
    """One target value per example (a class index), as the loss received it (else as the recipe gives it)."""
    shape = p["loss_target_shape"][1:] if p.get("loss_target_shape") is not None else p.get("target_shape") or []
    return math.prod(shape) <= 1
