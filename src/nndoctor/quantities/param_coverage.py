"""Which trainable parameters get gradients, and which get updated by an optimizer."""

from __future__ import annotations

import contextlib
import weakref

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity


@register_quantity
class ParamCoverage(Quantity):
    """``params_without_grad`` / ``params_not_in_optimizer`` counts and events naming them.

    ``params_without_grad``: parameters an optimizer holds, requiring grad, whose ``.grad`` is
    None at the step. ``params_not_in_optimizer``: parameters of a watched model that receive
    gradients (a ``.grad`` new or changed since the last measurement, not one left over from an
    earlier stage) but belong to no live optimizer. ``stale_optimizer_params``: parameters an
    optimizer holds that belong to no watched model and get no gradient; with orphans in the
    model, the signature of an optimizer built before a layer was replaced.
    ``orphan_param_norm`` (key: parameter name): the norm of each parameter not in any optimizer,
    and ``orphan_param_moved`` (same key): 1.0 when that very tensor's norm changed since it was
    last measured, else 0.0, to tell parameters nothing updates from ones updated by hand (a
    model rebuilt under the same name, a k-fold loop's next fold, is a new tensor, not a move).
    The last three on full sampled steps only (``full_sample``): walking every parameter of every
    model is not free; and only while a watched model is alive (between a dropped model and the
    discovery of the next one there is nothing to say).
    """

    name = "param_coverage"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._last_without: dict[str, tuple[str, ...]] = {}
        self._last_orphans: tuple[str, ...] | None = None
        self._last_stale: dict[str, int] = {}
        #: id(parameter) -> (weak reference to it, its norm when last measured)
        self._last_norms: dict[int, tuple[weakref.ref, float]] = {}
        #: id(parameter) -> (weak reference to its .grad, that tensor's version) when last measured
        self._last_grads: dict[int, tuple[weakref.ref, int]] = {}

    def _fresh(self, found: list[tuple[str, torch.Tensor]]) -> list[tuple[str, torch.Tensor]]:
        """The parameters whose gradient is still being written: a new ``.grad`` tensor or one
        changed in place since the last measurement (or not measured before). A gradient left over
        from an earlier stage of the script (a pretraining head no longer used, whose optimizer is
        gone and never cleared it) sits unchanged: that parameter gets no gradient now."""
        fresh, seen = [], {}
        for name, p in found:
            grad = p.grad
            before = self._last_grads.get(id(p))
            if before is None or before[0]() is not grad or before[1] != grad._version:
                fresh.append((name, p))
            with contextlib.suppress(TypeError):  # (a tensor subclass without weak references: always fresh)
                seen[id(p)] = (weakref.ref(grad), grad._version)
        self._last_grads = seen
        return fresh

    def on_before_step(self, optimizer):
        params = self.ctx.optimizer_params(optimizer)
        without: list[str] = []
        stale: list[list[int]] = []
        for p in params:
            if not p.requires_grad or p.grad is not None:
                continue
            name = self.ctx.param_name(p)
            if name is not None:
                without.append(name)
            else:
                stale.append(list(p.shape))
        label = self.ctx.optimizer_label(optimizer)
        step, trace = self.ctx.step, self.ctx.trace
        trace.scalar("params_without_grad", step, float(len(without)), label)
        trace.scalar("params_in_optimizer", step, float(len(params)), label)
        if tuple(without) != self._last_without.get(label):
            self._last_without[label] = tuple(without)
            trace.event("params_without_grad", step, optimizer=label, names=without)
        if stale or label in self._last_stale:
            trace.scalar("stale_optimizer_params", step, float(len(stale)), label)
        if len(stale) != self._last_stale.get(label, 0):
            self._last_stale[label] = len(stale)
            trace.event("stale_optimizer_params", step, optimizer=label, count=len(stale), shapes=stale[:20])

    def on_after_step(self, optimizer):
        if not self.ctx.full_sample:  # which parameters the optimizers hold rarely changes
            return
        named = self.ctx.named_root_params()
        if not named:
            return
        owned = {id(p) for p in self.ctx.all_optimizer_params()}
        found = [(name, p) for name, p in named if p.requires_grad and p.grad is not None and id(p) not in owned]
        found = self._fresh(found)
        orphans = tuple(name for name, _ in found)
        step, trace = self.ctx.step, self.ctx.trace
        trace.scalar("params_not_in_optimizer", step, float(len(orphans)))
        if orphans != self._last_orphans:
            self._last_orphans = orphans
            trace.event("params_not_in_optimizer", step, names=list(orphans))
        # Their norms show whether anything else (a manual update, an EMA) changes them.
        if found:
            with torch.no_grad():
                norms = torch.stack(torch._foreach_norm([p.detach() for _, p in found[:64]])).tolist()
            last_norms: dict[int, tuple[weakref.ref, float]] = {}
            for (name, p), norm in zip(found, norms, strict=False):
                trace.scalar("orphan_param_norm", step, norm, name)
                before = self._last_norms.get(id(p))
                moved = before is not None and before[0]() is p and not _same(before[1], norm)
                trace.scalar("orphan_param_moved", step, float(moved), name)
                last_norms[id(p)] = (weakref.ref(p), norm)
            self._last_norms = last_norms


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-7 * max(abs(a), 1e-12) or (a != a and b != b)
