"""discarded-gradients: most backward passes are cleared by zero_grad() before any step uses them."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

FIX = (
    "Step once per batch, inside the batch loop (check the indentation of optimizer.step()):\n"
    "```\nfor x, y in loader:\n    optimizer.zero_grad()\n    loss_fn(model(x), y).backward()\n"
    "    optimizer.step()\n```"
)


@register
class DiscardedGradients(Rule):
    """The gradients of most backward passes are cleared before an optimizer step uses them.

    What it detects:
        With one optimizer, ``zero_grad()`` clears the gradients of ``min_per_step`` or more
        backward passes (median over the last measured steps, 3 at least) that no step used:
        the classic ``optimizer.step()`` indented one level too little, outside the batch loop,
        so each epoch makes one update from its last batch. Gradient accumulation clears after
        the step, and a two-phase loop discards at most one backward pass per step: neither is
        reported. GANs and other multi-optimizer loops (whose backward passes feed another
        optimizer's parameters on purpose) are left alone.
    Why it matters:
        The model learns from one batch per epoch: training is tens of times slower than it
        looks, and the learning rate gets blamed.
    Fix:
        Call ``optimizer.step()`` after every ``backward()`` (or every k for accumulation, with
        ``zero_grad()`` after the step).
    """

    id = "discarded-gradients"
    severity = Severity.ERROR
    title = "Gradients computed and thrown away"
    requires = frozenset({"step_order", "grad_norm"})

    def __init__(self, min_per_step: float = 3.0, window: int = 10) -> None:
        if min_per_step < 2:
            raise ValueError(
                f"min_per_step must be at least 2 (one discarded pass can be deliberate), got {min_per_step}"
            )
        self.min_per_step = min_per_step
        self.window = window

    def check(self, view):
        if len(view.keys("grad_norm")) != 1:
            return
        s = view.series("discarded_backwards")
        recent = s.values[-self.window :]
        if len(recent) < 3 or float(np.median(recent)) < self.min_per_step:
            return
        per_step = float(np.median(recent))
        first = int(s.steps[int(np.argmax(s.values >= self.min_per_step))])
        evidence = {
            "discarded_backward_passes_per_step": per_step,
            "steps_checked": len(recent),
            "first_step": first,
            "optimizer_steps": int(view.last_step) + 1,
        }
        message = (
            f"About {per_step:.0f} backward passes per optimizer step have their gradients cleared by zero_grad() "
            "before any step uses them: only the last backward before each step() counts, so the model learns from "
            "one batch out of every "
            f"{per_step + 1:.0f}. optimizer.step() is probably outside the batch loop."
        )
        yield self.finding(message, FIX, step=first, evidence=evidence)
