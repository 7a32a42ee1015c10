"""Where ``zero_grad()`` sits between ``backward()`` and ``step()``, and optimizers that never step.

Two common loop bugs leave every parameter at its initial value without any error:

- ``loss.backward(); optimizer.zero_grad(); optimizer.step()`` (lines reordered): each step finds
  the gradients just cleared, so it updates nothing (``None`` gradients are skipped);
- ``optimizer.step()`` never runs (lost in a refactor, under an ``if`` that is never true): the
  optimizer is seen only through its ``zero_grad()`` calls, since PyTorch's step hooks never fire.

The first is an order of calls, so it is recorded as such: a step is *cleared before step* when
the optimizer's last ``zero_grad()`` came after the last ``backward()``. Gradient accumulation,
GANs and two-phase losses all call ``backward()`` between ``zero_grad()`` and ``step()``.
The second needs proof that nothing else updates the parameters (a hand-written update that
calls ``zero_grad()`` for convenience): the parameters' norms when the optimizer is first seen
are compared with their norms after ``CHECK_AT`` backward passes with no step (any real update
changes them; a copy of the parameters would cost their size in memory).
"""

from __future__ import annotations

import weakref

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import host_values
from nndoctor.quantities.base import Quantity

#: Backward passes without any optimizer step after which the parameters are compared.
CHECK_AT = (30, 100, 300)


@register_quantity
class StepOrder(Quantity):
    """``discarded_backwards`` at each step that had any (and on sampled steps): backward passes
    whose gradients ``zero_grad()`` cleared before any step used them (an ``optimizer.step()``
    dedented out of the batch loop throws away all but the last batch of each epoch).
    ``cleared_before_step`` (key: optimizer label) on sampled steps: 1.0 when the optimizer's
    gradients were cleared after the last backward and before its step, else 0.0; event
    ``cleared_before_step`` the first time (``step_before_backward``: the loop's first step came
    before any backward pass, so it calls ``step()`` before ``backward()``). Event
    ``never_stepped`` after ``CHECK_AT`` backward passes with no optimizer step while an
    optimizer's ``zero_grad()`` runs: whether its parameters are unchanged since the first
    backward.
    """

    name = "step_order"
    # Frequent steps see every event between two optimizer steps (the tier changes only at a
    # step), and the order a loop calls them in is the same on every iteration.
    frequent = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._backward_since_step = False
        self._backward_since_clear = False
        self._discarded = 0
        self._cleared_late: set[int] = set()
        self._announced = False
        self._stepped = False
        self._backwards = 0
        self._zero_grads = 0
        self._optimizers: list[weakref.ref] = []
        #: The first optimizer step came before any backward pass (``zero_grad(); step();`` then
        #: the forward and backward): the same cycle of calls as a zero_grad() between backward()
        #: and step(), told apart only by where the loop starts.
        self._step_before_backward = False
        #: The optimizers' parameters and their norms when last snapshotted.
        self._snapshot: tuple[list[torch.Tensor], list[float]] | None = None

    def on_backward(self, tensor, loss_value):
        if self.ctx.in_closure:
            return  # a closure evaluation inside step(closure): the step itself uses it
        self._backward_since_step = True
        self._backward_since_clear = True
        if self._cleared_late:
            self._cleared_late.clear()
        if not self._stepped:
            self._count_stepless_backward()

    def on_zero_grad(self, optimizer):
        if self.ctx.in_closure or getattr(self.ctx, "in_step", False):
            # LBFGS re-evaluates the loss several times per step, SAM clears the gradients inside
            # its step(closure) before re-evaluating it: the optimizer's own, nothing discarded
            return
        if self._backward_since_step:
            self._cleared_late.add(id(optimizer))
        if self._backward_since_clear:  # gradients of a backward pass cleared before any step used them
            self._discarded += 1
            self._backward_since_clear = False
        if not self._stepped:
            self._zero_grads += 1
            if not any(ref() is optimizer for ref in self._optimizers):
                self._optimizers.append(weakref.ref(optimizer))
                self._take_snapshot()  # (again) with every optimizer known so far

    def on_before_step(self, optimizer):
        if not (self._cleared_late or self._discarded or self.ctx.sampled) and self._stepped:
            self._backward_since_step = self._backward_since_clear = False  # the usual step: nothing to record
            return
        late = id(optimizer) in self._cleared_late
        if late or self.ctx.sampled:
            label = self.ctx.optimizer_label(optimizer)
            if self.ctx.sampled:
                self.ctx.trace.scalar("cleared_before_step", self.ctx.step, float(late), label)
            if late and not self._announced:
                self._announced = True
                self.ctx.trace.event(
                    "cleared_before_step",
                    self.ctx.step,
                    optimizer=label,
                    step_before_backward=self._step_before_backward,
                )
        if self._discarded or self.ctx.sampled:
            self.ctx.trace.scalar("discarded_backwards", self.ctx.step, float(self._discarded))
            self._discarded = 0
        self._cleared_late.discard(id(optimizer))
        self._backward_since_step = False
        self._backward_since_clear = False
        if not self._stepped:
            self._stepped = True
            self._step_before_backward = self._backwards == 0
            self._snapshot = None

    # ------------------------------------------------------------------ optimizers that never step
    def _count_stepless_backward(self) -> None:
        self._backwards += 1
        if self._backwards in CHECK_AT and self._snapshot is not None:
            params, before = self._snapshot
            unchanged = all(a == b or (a != a and b != b) for a, b in zip(_norms(params), before, strict=True))
            self.ctx.trace.event(
                "never_stepped",
                self.ctx.step,
                backward_calls=self._backwards,
                zero_grad_calls=self._zero_grads,
                optimizers=len(self._optimizers),
                params=len(params),
                params_unchanged=unchanged,
            )

    def _take_snapshot(self) -> None:
        params = []
        for ref in self._optimizers:
            opt = ref()
            if opt is not None:
                params.extend(p for g in opt.param_groups for p in g["params"] if isinstance(p, torch.Tensor))
        if params:
            self._snapshot = (params, _norms(params))


def _norms(params: list[torch.Tensor]) -> list[float]:
    """Each parameter's norm: a fingerprint that any real update changes (a copy of the
    parameters would cost their whole size in memory)."""
    with torch.no_grad():
        return host_values(torch._foreach_norm([p.detach() for p in params]))
