"""The training loss at each backward pass (the monitor reads it once; see ``Monitor``)."""

from __future__ import annotations

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


@register_quantity
class TrainingLoss(Quantity):
    """``loss``: the value of every tensor ``.backward()`` is called on (unscaled under AMP)."""

    name = "loss"
    every_step = True

    def on_backward(self, tensor, loss_value):
        if loss_value is not None:
            self.ctx.trace.scalar("loss", self.ctx.step, loss_value)
