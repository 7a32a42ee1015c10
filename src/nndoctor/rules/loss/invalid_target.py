"""invalid-target (live): a binary loss given targets outside [0, 1]."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

BINARY = ("binary_cross_entropy", "binary_cross_entropy_with_logits")


@register
class InvalidTargetLive(Rule):
    """A binary cross-entropy receives targets outside [0, 1].

    What it detects:
        A ``binary_cross_entropy`` or ``binary_cross_entropy_with_logits`` call (module or
        functional) whose targets go below 0 or above 1, such as -1/+1 labels from an SVM-style
        convention or raw counts. (Class indices out of range crash ``CrossEntropyLoss`` by
        themselves; ``examine`` checks those too.)
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
