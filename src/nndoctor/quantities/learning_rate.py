"""The learning rate of every parameter group, as the optimizer holds it at each step.

Schedulers (warm-up, cosine, one-cycle, step decay) change it between steps, and the loss-curve
rules must know whether a warm-up is still raising it or a decay has frozen it, at the step
where they judge, not at the last sampled step (sampled steps are 100 and more apart after the
first 200). Reading ``param_groups`` costs about a microsecond a group, so it is read on
*frequent* steps and written only when it changed (and on sampled steps, for the plots).
"""

from __future__ import annotations

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


@register_quantity
class LearningRate(Quantity):
    """``lr`` (key: ``<optimizer label>.group<i>``) when it changes, and on sampled steps."""

    name = "learning_rate"
    frequent = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._last: dict[str, float] = {}

    def on_before_step(self, optimizer):
        label = None
        for i, group in enumerate(optimizer.param_groups):
            lr = group.get("lr")
            if isinstance(lr, torch.Tensor):
                lr = float(lr)
            if not isinstance(lr, (int, float)):
                continue
            if label is None:
                label = self.ctx.optimizer_label(optimizer)
            key = f"{label}.group{i}"
            if self.ctx.sampled or self._last.get(key) != lr:
                self._last[key] = lr
                self.ctx.trace.scalar("lr", self.ctx.step, float(lr), key)
