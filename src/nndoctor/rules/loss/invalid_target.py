"""invalid-target (live): a binary loss given targets outside [0, 1], or class ids out of range."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.quantities.loss import CLASSIFICATION
from nndoctor.registry import register
from nndoctor.rules.base import Rule

BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")


@register
class InvalidTargetLive(Rule):
    """A binary cross-entropy receives targets outside [0, 1], or class ids out of range.

    What it detects:
        A ``binary_cross_entropy`` or ``binary_cross_entropy_with_logits`` call (module or
        functional) whose targets go below 0 or above 1, such as -1/+1 labels from an SVM-style
        convention or raw counts; or a ``cross_entropy``/``nll_loss`` call that raised on class
        ids outside ``[0, C)`` for a prediction with ``C`` classes (labels numbered from 1, one
        output too few): PyTorch's ``IndexError``, or on a GPU a cryptic device-side assert,
        does not say which labels or why.
    Why it matters:
        BCE is ``-(y log p + (1 - y) log(1 - p))``: with ``y = -1`` it becomes
        ``log p - 2 log(1 - p)``, which is unbounded below, so the optimizer drives those
        samples' logits to -infinity and the loss to negative values instead of learning to
        classify them. PyTorch accepts such targets without a warning.
    Fix:
        Map the labels to 0/1 (``y = (y > 0).float()``), or use a margin loss built for -1/+1.
    """

    id = "invalid-target"
    severity = Severity.ERROR
    title = "Targets outside what the loss accepts"
    requires = frozenset({"loss_inputs"})

    def check(self, view):
        for e in view.events("loss_call_failed"):
            finding = self._class_ids_out_of_range(e)
            if finding is not None:
                yield finding
                return
        for e in view.events("loss_call"):
            d = e.data
            fn = d.get("fn")
            lo, hi = d.get("target_min"), d.get("target_max")
            if fn not in BINARY or lo is None or hi is None or (lo >= 0 and hi <= 1):
                continue
            evidence = {
                "loss_function": fn,
                "target_min": lo,
                "target_max": hi,
                "target_frac_negative": d.get("target_frac_negative"),
                "target_frac_above_one": d.get("target_frac_above_one"),
            }
            message = (
                f"{fn} expects targets in [0, 1], but this batch's targets range from {lo:.3g} to {hi:.3g} "
                f"({(d.get('target_frac_negative') or 0):.0%} negative, {(d.get('target_frac_above_one') or 0):.0%} "
                "above 1): for such targets the loss is unbounded below, so the optimizer pushes those logits to "
                "infinity and the loss goes negative instead of measuring mistakes."
            )
            fix = "Map the labels to 0/1 before the loss:\n```\ny = (y > 0).float()   # -1/+1 -> 0/1\n```"
            yield self.finding(message, fix, where=d.get("producer"), step=e.step, evidence=evidence)
            return

    def _class_ids_out_of_range(self, e):
        d = e.data
        lo, hi, classes = d.get("target_min"), d.get("target_max"), d.get("classes")
        if d.get("fn") not in CLASSIFICATION or not d.get("target_integer") or None in (lo, hi, classes):
            return None
        lo, hi, ignore = int(lo), int(hi), d.get("ignore_index", -100)
        below = lo < 0 and lo != ignore
        if not (below or hi >= classes):
            return None
        evidence = {
            "loss_function": d["fn"],
            "target_min": lo,
            "target_max": hi,
            "classes": classes,
            "target_shape": d.get("target_shape"),
            "prediction_shape": d.get("input_shape"),
            "error": d.get("error"),
        }
        if lo == 1 and hi == classes:
            cause = f"the labels run from 1 to {classes}: they are numbered from 1, PyTorch counts classes from 0"
            fix = (
                f"Shift the labels to 0..{classes - 1} (or keep them and give the model {classes + 1} outputs):\n"
                f"```\ny = y - 1\n```\n"
                f"If {classes} stands for class 0 instead (SVHN stores the digit 0 as 10), map just that label:\n"
                f"```\ny[y == {classes}] = 0\n```"
            )
        elif hi >= classes:
            cause = f"the largest label, {hi}, needs at least {hi + 1} outputs"
            fix = (
                f"Give the last layer one output per class ({hi + 1} here), or remap the labels to 0..{classes - 1}:\n"
                f"```\nnn.Linear(hidden, {hi + 1})   # or: y = torch.unique(y, return_inverse=True)[1]\n```"
            )
        else:
            cause = f"a label is negative ({lo}) and is not the ignore_index ({ignore})"
            fix = "Remap the labels to 0..C-1, or mark the padding with the loss's ignore_index:\n```\ny[y < 0] = -100\n```"
        message = (
            f"{d['fn']} was given class ids from {lo} to {hi} for a prediction with {classes} classes "
            f"(valid: 0..{classes - 1}) and raised: {cause}."
        )
        return self.finding(message, fix, step=e.step, evidence=evidence)
