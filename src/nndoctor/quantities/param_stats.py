"""Per-parameter gradient norm, weight norm and update/weight ratio, on sampled steps.

The update/weight ratio ``||w_after - w_before|| / ||w_before||`` is the rule of thumb's
~1e-3 quantity; it is measured from the real update, so it covers every optimizer.
"""

from __future__ import annotations

from typing import Any

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import l2_norms
from nndoctor.quantities.base import Quantity

#: Optimizer hyperparameters worth recording (the lr rules and the fix lines read them).
HYPERPARAMETERS = ("lr", "momentum", "nesterov", "betas", "weight_decay", "eps", "alpha", "dampening")
#: The copy of the weights taken before a sampled step is kept for the next one when the
#: weights are on the CPU and hold at most this many elements: a fresh copy of a few hundred
#: kilobytes lands on fresh pages (glibc maps large blocks anew), and their page faults cost
#: more than the copy itself (~80 us against ~6 for a copy into kept memory, for an MLP of
#: 85k weights). Accelerator allocators keep their blocks anyway, and a bigger model's copy
#: is not worth holding on to between samples.
KEEP_COPY_ELEMENTS = 1 << 22


def optimizer_config(optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    """The optimizer's type and per-group hyperparameters, as plain JSON-able values."""
    groups = []
    for group in optimizer.param_groups:
        g: dict[str, Any] = {"n_params": len(group["params"])}
        for key in HYPERPARAMETERS:
            value = group.get(key)
            if isinstance(value, torch.Tensor) and value.numel() == 1:
                value = float(value)
            if isinstance(value, (bool, int, float)):
                g[key] = value
            elif isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value):
                g[key] = [float(v) for v in value]
        groups.append(g)
    return {"type": type(optimizer).__name__, "groups": groups}


@register_quantity
class ParamStats(Quantity):
    """``param_grad_norm``, ``param_norm``, ``update_ratio`` (key: parameter name).

    Also, once per optimizer, the event ``optimizer_config``: its type, hyperparameters per group
    and the shape of each named parameter it holds (rules tell weight matrices from biases and
    norm scales by their shape).
    """

    name = "param_stats"

    def __init__(self, ctx):
        super().__init__(ctx)
        #: id(optimizer) -> (names, parameters, weights, copies of the weights before the step,
        #: weight norms)
        self._before: dict[int, tuple[list[str | None], list, list[torch.Tensor], list[torch.Tensor], list[float]]] = {}
        self._described: set[int] = set()
        #: id(optimizer) -> (ids of the parameters copied, the copy): scratch memory for the next
        #: sampled step (ids, not the tensors: a model the script dropped is not kept alive).
        self._kept: dict[int, tuple[list[int], list[torch.Tensor]]] = {}

    def _describe(self, optimizer) -> None:
        self._described.add(id(optimizer))
        config = optimizer_config(optimizer)
        shapes = {}
        for p in self.ctx.optimizer_params(optimizer):
            name = self.ctx.param_name(p)
            if name is not None:
                shapes[name] = list(p.shape)
        self.ctx.trace.event(
            "optimizer_config", self.ctx.step, optimizer=self.ctx.optimizer_label(optimizer), shapes=shapes, **config
        )

    def on_before_step(self, optimizer):
        if id(optimizer) not in self._described:
            self._describe(optimizer)
        params, gnorms = self.ctx.param_grad_norms(optimizer)  # measured once per step, shared with grad_norm
        if not params:
            return
        step, trace = self.ctx.step, self.ctx.trace
        with torch.no_grad():
            weights = [p.detach() for p in params]
            wnorms = l2_norms(weights)
            before = self._copy(id(optimizer), params, weights)
        names = [self.ctx.param_name(p) for p in params]
        for name, g, w in zip(names, gnorms, wnorms, strict=True):
            if name is not None:
                trace.scalar("param_grad_norm", step, g, name)
                trace.scalar("param_norm", step, w, name)
        self._before[id(optimizer)] = (names, params, weights, before, wnorms)

    def on_after_step(self, optimizer):
        saved = self._before.pop(id(optimizer), None)
        if saved is None:
            return
        names, params, weights, before, wnorms = saved
        with torch.no_grad():
            torch._foreach_sub_(before, weights)  # the copy becomes minus the update: no new tensors
            unorms = l2_norms(before)
        step, trace = self.ctx.step, self.ctx.trace
        for name, u, w in zip(names, unorms, wnorms, strict=True):
            if name is not None and w > 0:
                trace.scalar("update_ratio", step, u / w, name)
        if weights and weights[0].is_cpu and sum(t.numel() for t in before) <= KEEP_COPY_ELEMENTS:
            if len(self._kept) >= 4:  # optimizers come and go (a k-fold loop): keep the latest few
                self._kept.pop(next(iter(self._kept)))
            self._kept[id(optimizer)] = ([id(p) for p in params], before)

    def _copy(self, key: int, params: list[torch.Tensor], weights: list[torch.Tensor]) -> list[torch.Tensor]:
        """A copy of ``weights``: into the copy kept from the last sampled step when it was
        taken of the same parameters, else a new one (one call for every tensor). (A dead
        parameter's id taken by a new one only reuses memory: the copy is overwritten, and a
        shape that changed makes the copy raise.)"""
        kept = self._kept.pop(key, None)
        if (
            kept is not None
            and kept[0] == [id(p) for p in params]
            and kept[1][0].dtype == weights[0].dtype
            and weights[0].is_cpu
        ):
            try:
                torch._foreach_copy_(kept[1], weights)
                return kept[1]
            except RuntimeError:  # a parameter's data was replaced by another shape
                pass
        return torch._foreach_mul(weights, 1.0)  # x * 1.0 == x
