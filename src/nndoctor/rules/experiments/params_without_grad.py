"""params-without-grad: trainable parameters that receive no gradient."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of

MAX_REPORTED = 5


@register
class ParamsWithoutGrad(ExamineRule):
    """Trainable parameters never receive a gradient.

    What it detects:
        Parameters with ``requires_grad=True`` whose ``.grad`` is still None after three
        backward passes from the recipe's loss: one finding per module.
    Why it matters:
        They are cut off from the loss: a ``.detach()`` or ``.data`` in the forward pass, a
        tensor converted through NumPy, a layer defined but never called, an output that is
        computed and then not used. Those weights keep their random values forever.
    Fix:
        Remove the graph cut, call the layer, or freeze it on purpose with
        ``requires_grad_(False)``.
    """

    id = "params-without-grad"
    severity = Severity.WARNING
    title = "Parameters receive no gradient"

    def check(self, view):
        d = data_of(view, "grad_flow")
        if not d or not d["missing"]:
            return
        for module in d["missing_modules"][:MAX_REPORTED]:
            params = [p for p in d["missing"] if p.rsplit(".", 1)[0] == module]
            message = (
                f"{', '.join(params)} ({len(params)} trainable parameter{'s' if len(params) > 1 else ''}) got no "
                f"gradient from the loss in 3 backward passes: {module} is cut off from the loss (a .detach(), "
                "a layer that is never called, or an output that is not used)."
            )
            fix = (
                f"Make sure {module}'s output reaches the loss without .detach()/.data/.numpy(); freeze it on purpose "
                f"otherwise:\n```\nmodel.{module.removeprefix('model.')}.requires_grad_(False)   # if it is meant to stay fixed\n```"
            )
            yield self.finding(
                message,
                fix,
                where=module,
                evidence={"parameters": params, "missing_total": len(d["missing"]), "trainable_total": d["trainable"]},
            )
