"""loss-increasing (examine): one optimizer step raises the loss it was computed on."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g


@register
class OptimizerAscends(ExamineRule):
    """The optimizer climbs the loss instead of descending it.

    What it detects:
        One step of the recipe's optimizer, at 1 % and at 0.1 % of its learning rate, raises
        the loss on the very batch whose gradient it used. At such small steps any descent
        method lowers the loss (first order), so the update has the wrong sign.
    Why it matters:
        ``maximize=True``, a hand-written update ``p += lr * p.grad`` or a custom optimizer
        with a sign error: every step makes the model worse, and the loss goes up from the start.
    Fix:
        Descend: ``maximize=False`` (the default), ``p -= lr * p.grad``.
    """

    id = "loss-increasing"
    severity = Severity.ERROR
    title = "The optimizer increases the loss"

    def check(self, view):
        d = data_of(view, "descent")
        if not d or not d.get("ascends"):
            return
        steps = ", ".join(f"lr {g(c['lr'])}: {c['before']:.6g} -> {c['after']:.6g}" for c in d["checks"])
        message = (
            f"One optimizer step raises the loss of the batch it was computed on ({steps}): at such small steps "
            "any descent lowers it, so the optimizer ascends."
        )
        fix = "Step downhill: remove maximize=True (or fix the sign of a hand-written update):\n```\ntorch.optim.SGD(model.parameters(), lr=lr)   # maximize=False; p -= lr * p.grad\n```"
        yield self.finding(message, fix, step=0, evidence={"checks": d["checks"]})
