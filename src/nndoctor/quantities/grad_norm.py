"""The global gradient norm over an optimizer's parameters, every step."""

from __future__ import annotations

import math

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import host_values
from nndoctor.quantities.base import Quantity


def global_grad_norm(params: list[torch.Tensor]) -> float | None:
    """L2 norm of all gradients together (what ``clip_grad_norm_`` returns), or None."""
    grads = [p.grad for p in params if p.grad is not None and not p.grad.is_sparse]
    if not grads:
        return None
    # Per-tensor norms in one call and one device-to-host copy; the last sum is a few floats.
    return math.sqrt(math.fsum(n * n for n in host_values(torch._foreach_norm(grads))))


@register_quantity
class GradNorm(Quantity):
    """``grad_norm`` (key: optimizer label) before each optimizer step.

    On CPU on *frequent* steps: every step of the first 100, where divergence and NaN usually
    strike, then every 10th (it costs 30-100 us in a real loop, a tenth of a small model's
    step; a NaN gradient on an unmeasured step still shows as a NaN loss at the next step). On
    an accelerator only on sampled steps, because reading the value back forces a device sync.
    """

    name = "grad_norm"
    frequent = True

    def on_before_step(self, optimizer):
        params = self.ctx.optimizer_params(optimizer)
        if not params:
            return
        if params[0].device.type != "cpu" and not self.ctx.sampled:
            return
        norm = global_grad_norm(params)
        if norm is None:
            return
        self.ctx.trace.scalar("grad_norm", self.ctx.step, norm, self.ctx.optimizer_label(optimizer))
        if not math.isfinite(norm):
            self.ctx.report_nonfinite("gradient", {"grad_norm": norm})
