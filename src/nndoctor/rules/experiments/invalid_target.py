"""invalid-target: targets outside what the loss accepts."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g, prediction_shape

BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")


@register
class InvalidTarget(ExamineRule):
    """The targets are outside what the loss accepts.

    What it detects:
        Class indices at or above the number of model outputs (or negative, other than
        ``ignore_index``); binary-loss targets outside [0, 1] (such as -1/+1 labels); a
        classification training set whose labels are all one class.
    Why it matters:
        An out-of-range index crashes on CPU ("Target 10 is out of bounds") and, on GPU, a
        device-side assert or silent garbage. BCE with a target of -1 is unbounded below. One
        class only: the model learns a constant.
    Fix:
        Map the labels to 0..C-1 (and give the model C outputs), map -1/+1 to 0/1, check the
        label column.
    """

    id = "invalid-target"
    severity = Severity.ERROR
    title = "Targets outside what the loss accepts"

    def check(self, view):
        p = data_of(view, "loss_probe")
        if not p or p.get("target_min") is None:
            return
        loss = p["loss"]
        shape = prediction_shape(p)
        units = shape[1] if len(shape) > 1 else 1
        lo, hi = p["target_min"], p["target_max"]
        evidence = {
            "loss": loss,
            "target_min": lo,
            "target_max": hi,
            "output_units": units,
            "target_distinct": p.get("target_distinct"),
            "loss_error": p.get("loss_error"),
        }
        if (
            loss in ("cross_entropy", "nll_loss")
            and p.get("target_integer")
            and units > 1
            and (hi >= units or (lo < 0 and lo != p.get("ignore_index")))
        ):
            message = (
                f"{loss} expects class indices in [0, {units - 1}] (the model has {units} outputs), but the targets "
                f"range from {lo:g} to {hi:g}"
                + (f"; the loss raised: {p['loss_error']}" if p.get("loss_error") else ".")
            )
            fix = f"Give the model one output per class (max label + 1 = {int(hi) + 1}), or remap the labels to 0..C-1:\n```\nclasses, y = torch.unique(y, return_inverse=True)   # labels 0..C-1, C = len(classes)\n```"
        elif loss in BINARY and (lo < 0 or hi > 1) and p.get("target_distinct", 0) <= 2:
            message = (
                f"{loss} expects targets in [0, 1], but they range from {g(lo)} to {g(hi)} "
                f"(values {p.get('target_values')}); with -1 labels the loss is unbounded below."
            )
            fix = "Map the labels to 0/1:\n```\ny = (y > 0).float()\n```"
        elif p.get("task") in ("multiclass", "binary") and p.get("target_distinct") == 1:
            message = (
                f"Every training label is {g(lo)}: there is only one class, so the model can only learn a constant."
            )
            fix = "Check the label column and the split (a sorted dataset cut in two gives one class per split):\n```\nprint(torch.unique(y_train, return_counts=True))\n```"
        else:
            return
        yield self.finding(message, fix, where=p.get("producer"), evidence=evidence)
