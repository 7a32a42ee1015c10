"""The loss of evaluation passes: loss-function calls that are never backpropagated."""

from __future__ import annotations

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

#: Deeper nesting than this means a root's output hook never came; start counting afresh.
MAX_DEPTH = 8


@register_quantity
class ValidationLoss(Quantity):
    """``val_loss``: mean of loss-function results computed under ``no_grad`` or in eval mode.

    One value per evaluation phase (the calls between two optimizer steps), recorded at the
    step the phase followed. Whether a call is evaluation is decided by the *outermost* model
    of the forward pass: a frozen backbone kept in eval mode inside a model in train mode is
    part of training, not an evaluation. A loss computed with grad enabled (an eval-mode
    forward) that is then backpropagated before the next forward pass was a training loss
    after all (the monitor may not see a wrapper model around a frozen, eval-mode root), so it
    is dropped. ``reduction="none"`` results count by their mean.
    """

    name = "val_loss"
    every_step = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._sum = 0.0
        self._n = 0
        self._pending_sum = 0.0
        self._pending_n = 0
        self._depth = 0
        self._outer_training = True

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        if self._depth == 0 or self._depth >= MAX_DEPTH:
            self._depth = 0
            self._outer_training = bool(root.training)
            self._commit()
        self._depth += 1

    def on_root_output(self, root, output, grad_enabled):
        self._depth = max(0, self._depth - 1)

    def on_loss(self, fn_name, args, kwargs, result):
        if not isinstance(result, torch.Tensor) or not result.numel() or not result.is_floating_point():
            return
        if torch.is_grad_enabled() and self._outer_training:
            return
        with torch.no_grad():
            value = float(result.detach().float().mean()) if result.numel() > 1 else float(result.detach())
        if result.requires_grad:
            self._pending_sum += value
            self._pending_n += 1
        else:
            self._sum += value
            self._n += 1

    def on_backward(self, tensor, loss_value):
        self._pending_sum, self._pending_n = 0.0, 0

    def on_before_step(self, optimizer):
        self._depth = 0
        self.flush()

    def _commit(self) -> None:
        self._sum += self._pending_sum
        self._n += self._pending_n
        self._pending_sum, self._pending_n = 0.0, 0

    def flush(self) -> None:
        self._commit()
        if self._n:
            self.ctx.trace.scalar("val_loss", self.ctx.step, self._sum / self._n)
            self._sum, self._n = 0.0, 0
