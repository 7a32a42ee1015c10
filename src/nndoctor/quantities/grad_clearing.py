"""Whether gradients were cleared between two optimizer steps.

PyTorch adds every ``backward()`` into ``.grad``; a loop that never calls ``zero_grad`` steps
with the sum of all past gradients. The question asked here is exactly the one that matters:
between optimizer ``O``'s step ``k`` and its step ``k + 1``, were ``O``'s gradients ever set to
``None`` or zero? Asking it only at "the first backward after a step" is wrong for GANs, whose
generator backward adds into the discriminator's gradients before ``netD.zero_grad()`` clears
them; and gradient accumulation (several backward passes, ``zero_grad`` after ``step``) is
simply a window in which the gradients were cleared.

A watch window opens after the step of a sampled training step and closes at the same
optimizer's next step. Inside it, each backward (before it accumulates) checks a few sample
parameters, the smallest ones that had a non-zero gradient, so the check costs microseconds
(``p.grad is None`` after the default ``zero_grad(set_to_none=True)``).

Loops that update parameters by hand (``p -= lr * p.grad``, no optimizer) get the same
question asked between backward passes: a parameter that changed since the last backward
while its gradient still holds the old value was updated without clearing.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import host_array
from nndoctor.quantities.base import Quantity

#: Parameters checked per optimizer (the smallest ones with a non-zero gradient).
SAMPLES = 4
#: Manual-update loops: check every backward among the first ones, then every ``MANUAL_EVERY``.
MANUAL_DENSE = 60
MANUAL_EVERY = 25


def _cleared(p: torch.Tensor) -> bool:
    g = p.grad
    if g is None:
        return True
    host = host_array(g)  # the sample parameters are the smallest: NumPy reads them in a microsecond
    return not (host.any() if host is not None else bool(g.detach().any()))


def _pick_samples(params: list[torch.Tensor]) -> list[torch.Tensor]:
    """Up to ``SAMPLES`` parameters with a non-zero dense gradient, smallest first (cheap to read)."""
    candidates = sorted(
        (p for p in params if p.grad is not None and not p.grad.is_sparse and p.grad.numel()),
        key=lambda p: p.numel(),
    )
    out = []
    for p in candidates[: 4 * SAMPLES]:
        if not _cleared(p):
            out.append(p)
            if len(out) == SAMPLES:
                break
    return out


@dataclass
class _Window:
    label: str
    params: list[torch.Tensor]
    pending: list[torch.Tensor]
    backwards: int = 0


@dataclass
class _Manual:
    params: list[torch.Tensor] = field(default_factory=list)
    snapshots: list[torch.Tensor] = field(default_factory=list)
    calls: int = 0
    snap_call: int = -2


@register_quantity
class GradClearing(Quantity):
    """``stale_grad`` (key: optimizer label, or ``"manual"``): share of sample parameters whose
    gradient from the previous step was never cleared before the next one (0.0 or 1.0 almost
    always). Event ``stale_grad_params`` once per key: the names of those parameters.
    """

    name = "grad_clearing"
    # Sampled, and on the step after each sampled one (watch_next_step): a window opens when a
    # sampled step ends and closes at the next step, so the every-step path carries none of it.

    def __init__(self, ctx):
        super().__init__(ctx)
        self._windows: dict[int, _Window] = {}
        self._manual = _Manual()
        self._stepped = False
        self._named: set[str] = set()
        #: Per optimizer (weakly: the entry, and the parameters it holds, go with the optimizer).
        self._picked: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def on_after_step(self, optimizer):
        self._stepped = True
        if self._manual.params:  # an optimizer steps: the hand-written-update check is over
            self._manual = _Manual()
        if self.ctx.sampled:
            params = self._samples_of(optimizer)
            if params:
                label = self.ctx.optimizer_label(optimizer)
                self._windows[id(optimizer)] = _Window(label, params, list(params))
        if self._windows:  # open until each optimizer's next step, however many steps that takes
            self.ctx.watch_next_step(self.name)

    def _samples_of(self, optimizer) -> list[torch.Tensor]:
        """The sample parameters of ``optimizer``: last time's while its parameter list is the same
        one and they all still hold a non-zero gradient (sorting every parameter is not free)."""
        all_params = self.ctx.optimizer_params(optimizer)
        try:
            cached = self._picked.get(optimizer)
        except TypeError:  # an optimizer class that cannot be weakly referenced: no cache
            return _pick_samples(all_params)
        if cached is not None and cached[0] is all_params and not any(_cleared(p) for p in cached[1]):
            return cached[1]
        picked = _pick_samples(all_params)
        self._picked[optimizer] = (all_params, picked)
        return picked

    def on_backward(self, tensor, loss_value):
        if self._windows:
            for w in self._windows.values():
                w.backwards += 1
                if w.pending:
                    w.pending = [p for p in w.pending if not _cleared(p)]
        elif not self._stepped:
            self._check_manual()

    def on_before_step(self, optimizer):
        w = self._windows.pop(id(optimizer), None)
        if w is None or w.backwards == 0:
            return
        stale = [p for p in w.pending if not _cleared(p)]
        self._record(w.label, len(stale) / len(w.params), stale)

    def _record(self, key: str, value: float, stale: list[torch.Tensor]) -> None:
        self.ctx.trace.scalar("stale_grad", self.ctx.step, value, key)
        if stale and key not in self._named:
            self._named.add(key)
            names = [n for n in (self.ctx.param_name(p) for p in stale) if n]
            self.ctx.trace.event("stale_grad_params", self.ctx.step, key=key, params=names)

    def _check_manual(self) -> None:
        """No optimizer has stepped: were parameters updated by hand without clearing?

        Only consecutive backward passes are compared, so a hand-written accumulation loop
        (parameters unchanged between its micro-batches) is never judged mid-accumulation.
        """
        m = self._manual
        m.calls += 1
        if m.calls > MANUAL_DENSE and m.calls % MANUAL_EVERY not in (0, 1):
            return
        if not m.params:
            params = [p for _, p in self.ctx.named_root_params() if p.requires_grad]
            m.params = sorted(params, key=lambda p: p.numel())[:SAMPLES]
        consecutive = m.snap_call == m.calls - 1
        with torch.no_grad():
            changed = (
                [not torch.equal(p, s) for p, s in zip(m.params, m.snapshots, strict=False)] if consecutive else []
            )
            m.snapshots = [p.detach().clone() for p in m.params]
        m.snap_call = m.calls
        updated = [p for p, c in zip(m.params, changed, strict=False) if c]
        if updated:
            stale = [p for p in updated if not _cleared(p)]
            self._record("manual", len(stale) / len(updated), stale)
