"""params-not-updated (examine): trainable parameters the optimizer does not hold."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of

MAX_REPORTED = 5


@register
class ParamsNotInOptimizer(ExamineRule):
    """Trainable parameters that the recipe's optimizer never updates.

    What it detects:
        Parameters with ``requires_grad=True`` that are in no parameter group of the optimizer
        the recipe's factory builds from ``model.parameters()``.
    Why it matters:
        They receive gradients (and cost their backward pass) but keep their initial values: an
        optimizer built from part of the model (``model.fc.parameters()``), or before a layer was
        added or replaced.
    Fix:
        Give the optimizer every trainable parameter, or freeze the others with
        ``requires_grad_(False)``.
    """

    id = "params-not-updated"
    severity = Severity.WARNING
    title = "Parameters the optimizer never updates"

    def check(self, view):
        d = data_of(view, "grad_flow")
        outside = (d or {}).get("not_in_optimizer") or []
        if not outside:
            return
        modules = sorted({p.rsplit(".", 1)[0] for p in outside})
        message = (
            f"{len(outside)} of {d['trainable']} trainable parameters are in no parameter group of the optimizer "
            f"({', '.join(outside[:MAX_REPORTED])}{', ...' if len(outside) > MAX_REPORTED else ''}): they get "
            "gradients but never change."
        )
        fix = (
            "Build the optimizer from every trainable parameter (or freeze the rest on purpose):\n"
            "```\noptimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)\n```"
        )
        yield self.finding(message, fix, where=modules[0], evidence={"parameters": outside[:20], "modules": modules})
