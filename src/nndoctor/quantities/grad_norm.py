"""The global gradient norm over an optimizer's parameters, every step."""

from __future__ import annotations

import math

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


def combined_norm(norms: list[float]) -> float | None:
    """The L2 norm of several tensors together (what ``clip_grad_norm_`` returns) from their own
    norms, or None when there are none."""
    if not norms:
        return None
    return math.hypot(*norms)  # one accurate C call (an Inf anywhere gives Inf)


@register_quantity
class GradNorm(Quantity):
    """``grad_norm`` (key: optimizer label) before each optimizer step.

    On CPU on *frequent* steps: every step of the first 100, where divergence and NaN usually
    strike, then every 10th (it costs 30-100 us in a real loop, a tenth of a small model's
    step; a NaN gradient on an unmeasured step still shows as a NaN loss at the next step). On
    an accelerator only on sampled steps, because reading the value back forces a device sync.
    The per-parameter norms it is made of are measured once per step by the monitor
    (``param_grad_norms``) and shared with ``param_stats``.
    """

    name = "grad_norm"
    frequent = True

    def on_before_step(self, optimizer):
        params = self.ctx.optimizer_params(optimizer)
        if not params:
            return
        if not params[0].is_cpu and not self.ctx.sampled:
            return
        norm = combined_norm(self.ctx.param_grad_norms(optimizer)[1])
        if norm is None:
            return
        self.ctx.trace.scalar("grad_norm", self.ctx.step, norm, self.ctx.optimizer_label(optimizer))
        if not math.isfinite(norm):
            self.ctx.report_nonfinite("gradient", {"grad_norm": norm})
