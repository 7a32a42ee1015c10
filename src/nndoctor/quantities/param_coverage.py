"""Which trainable parameters get gradients, and which get updated by an optimizer."""

from __future__ import annotations

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


@register_quantity
class ParamCoverage(Quantity):
    """``params_without_grad`` / ``params_not_in_optimizer`` counts and events naming them.

    ``params_without_grad``: parameters an optimizer holds, requiring grad, whose ``.grad`` is
    None at the step. ``params_not_in_optimizer``: parameters of a watched model that received a
    gradient but belong to no optimizer seen so far.
    """

    name = "param_coverage"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._last_without: tuple[str, ...] | None = None
        self._last_orphans: tuple[str, ...] | None = None

    def on_before_step(self, optimizer):
        params = self.ctx.optimizer_params(optimizer)
        without = tuple(
            n for p in params if p.requires_grad and p.grad is None and (n := self.ctx.param_name(p)) is not None
        )
        label = self.ctx.optimizer_label(optimizer)
        self.ctx.trace.scalar("params_without_grad", self.ctx.step, float(len(without)), label)
        self.ctx.trace.scalar("params_in_optimizer", self.ctx.step, float(len(params)), label)
        if without != self._last_without:
            self._last_without = without
            self.ctx.trace.event("params_without_grad", self.ctx.step, optimizer=label, names=list(without))

    def on_after_step(self, optimizer):
        owned = {id(p) for p in self.ctx.all_optimizer_params()}
        orphans = tuple(
            name
            for name, p in self.ctx.named_root_params()
            if p.requires_grad and p.grad is not None and id(p) not in owned
        )
        self.ctx.trace.scalar("params_not_in_optimizer", self.ctx.step, float(len(orphans)))
        if orphans != self._last_orphans:
            self._last_orphans = orphans
            self.ctx.trace.event("params_not_in_optimizer", self.ctx.step, names=list(orphans))
