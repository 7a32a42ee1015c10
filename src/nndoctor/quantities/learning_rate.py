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
    """``lr`` (key: ``<optimizer label>.group<i>``) when it changes, and on sampled steps;
    ``lr_initial`` (same key) when a scheduler's base rate (``initial_lr``) is first seen or changes."""

    name = "learning_rate"
    frequent = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._last: dict[str, float] = {}
        self._base: dict[str, float] = {}
        #: id(optimizer) -> its series keys, one per group (made once: this runs on many steps)
        self._keys: dict[int, list[str]] = {}

    def _keys_of(self, optimizer, groups: list) -> list[str]:
        keys = self._keys.get(id(optimizer))
        if keys is None or len(keys) != len(groups):
            label = self.ctx.optimizer_label(optimizer)
            keys = self._keys[id(optimizer)] = [f"{label}.group{i}" for i in range(len(groups))]
        return keys

    def on_before_step(self, optimizer):
        groups = optimizer.param_groups
        for key, group in zip(self._keys_of(optimizer, groups), groups, strict=True):
            lr = group.get("lr")
            if isinstance(lr, torch.Tensor):
                lr = float(lr)
            if not isinstance(lr, (int, float)):
                continue
            if self.ctx.sampled or self._last.get(key) != lr:
                self._last[key] = lr
                self.ctx.trace.scalar("lr", self.ctx.step, float(lr), key)
                base = group.get("initial_lr")  # set by every LR scheduler: the rate it scales
                if isinstance(base, (int, float)) and self._base.get(key) != base:
                    self._base[key] = base
                    self.ctx.trace.scalar("lr_initial", self.ctx.step, float(base), key)
