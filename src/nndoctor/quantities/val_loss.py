"""The loss of evaluation passes: loss-function calls that are never backpropagated."""

from __future__ import annotations

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


@register_quantity
class ValidationLoss(Quantity):
    """``val_loss``: mean of loss-function results computed under ``no_grad`` or in eval mode.

    One value per evaluation phase (the calls between two optimizer steps), recorded at the
    step the phase followed.
    """

    name = "val_loss"
    every_step = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._sum = 0.0
        self._n = 0

    def on_loss(self, fn_name, args, kwargs, result):
        if not isinstance(result, torch.Tensor) or result.numel() != 1:
            return
        if torch.is_grad_enabled() and self.ctx.last_root_training:
            return
        self._sum += float(result.detach())
        self._n += 1

    def on_before_step(self, optimizer):
        self.flush()

    def flush(self) -> None:
        if self._n:
            self.ctx.trace.scalar("val_loss", self.ctx.step, self._sum / self._n)
            self._sum, self._n = 0.0, 0
