"""Whether gradients were cleared between optimizer steps.

At the first backward after an optimizer step, the gradients of the optimizer's parameters
should be None or zero; if they are not, the new gradient is added to the last step's.
Gradient accumulation (several backward passes per step, ``zero_grad`` after ``step``) reads 0.
"""

from __future__ import annotations

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


@register_quantity
class GradClearing(Quantity):
    """``stale_grad``: 1.0 when the first backward after a step found last step's gradients."""

    name = "grad_clearing"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._checked_step = -1

    def on_backward(self, tensor, loss_value):
        step = self.ctx.step
        if step == 0 or self._checked_step == step:
            return
        self._checked_step = step
        grads = [p.grad for p in self.ctx.all_optimizer_params() if p.grad is not None][:8]
        with torch.no_grad():
            stale = any(bool(g.detach().abs().max() > 0) for g in grads if g.numel())
        self.ctx.trace.scalar("stale_grad", step, 1.0 if stale else 0.0)
