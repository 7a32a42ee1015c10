"""Per-layer weight histograms at the start of training, at a few checkpoints and at the end.

The reports draw them (start against end shows a layer that never moved, weights that blew up,
an initialisation that was off) and export them to TensorBoard. It is cheap by construction:
it runs on a logarithmic number of steps (the first sampled step, then the first sampled step
at or after 500, 1000, 2000... so a killed run still has a recent one, and at ``flush()`` when
the monitor stops), on at most :data:`MAX_TENSORS` weight tensors, each read through at most
:data:`MAX_ELEMENTS` evenly strided elements.

Each recording is one event ``weight_histogram``::

    {"phase": "start" | "checkpoint" | "end",
     "layers": {"model.fc1.weight": {"counts": [...], "edges": [...], "n": int,
                                     "mean": float, "std": float, "nonfinite": int}, ...}}

``edges`` has one more entry than ``counts``; ``n`` counts the finite elements histogrammed.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

BINS = 32
#: At most this many weight tensors per recording (evenly spread, first and last kept).
MAX_TENSORS = 32
#: Tensors larger than this are read through an even stride (no random sampling: no RNG use).
MAX_ELEMENTS = 1 << 20
#: The first checkpoint; later ones double (500, 1000, 2000, ...).
FIRST_CHECKPOINT = 500


def histogram(t: torch.Tensor, bins: int = BINS) -> dict[str, Any]:
    """Counts, bin edges and moments of a tensor's finite values (strided if very large)."""
    with torch.no_grad():
        flat = t.detach().reshape(-1)
        if flat.numel() > MAX_ELEMENTS:
            flat = flat[:: -(-flat.numel() // MAX_ELEMENTS)]
        x = flat.float()
        finite = torch.isfinite(x)
        nonfinite = int(x.numel() - int(finite.sum()))
        if nonfinite:
            x = x[finite]
        if x.numel() == 0:
            return {"counts": [], "edges": [], "n": 0, "mean": 0.0, "std": 0.0, "nonfinite": nonfinite}
        lo, hi = (float(v) for v in torch.aminmax(x))
        if hi <= lo:
            pad = abs(lo) * 1e-3 or 1e-3
            lo, hi = lo - pad, hi + pad
        counts = torch.histc(x, bins=bins, min=lo, max=hi)
        mean = float(x.mean())
        std = float(x.std(unbiased=False))
    step = (hi - lo) / bins
    edges = [float(f"{lo + i * step:.6g}") for i in range(bins)] + [float(f"{hi:.6g}")]
    return {
        "counts": [int(c) for c in counts.tolist()],
        "edges": edges,
        "n": int(x.numel()),
        "mean": mean,
        "std": std,
        "nonfinite": nonfinite,
    }


def pick_evenly(items: list, limit: int) -> list:
    """At most ``limit`` items spread evenly through ``items``, the first and last included."""
    if len(items) <= limit:
        return list(items)
    if limit == 1:
        return [items[0]]
    idx = sorted({round(i * (len(items) - 1) / (limit - 1)) for i in range(limit)})
    return [items[i] for i in idx]


@register_quantity
class WeightHistogram(Quantity):
    """Event ``weight_histogram`` (phase start / checkpoint / end) with per-layer histograms."""

    name = "weight_histogram"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._params: dict[str, weakref.ref[torch.Tensor]] = {}
        self._started: set[int] = set()
        self._next_checkpoint = FIRST_CHECKPOINT

    def _choose(self, params: list[torch.Tensor]) -> list[tuple[str, torch.Tensor]]:
        named = [(self.ctx.param_name(p), p) for p in params]
        named = [(n, p) for n, p in named if n is not None and p.numel() > 0]
        weights = [(n, p) for n, p in named if p.dim() >= 2] or named
        return pick_evenly(weights, MAX_TENSORS)

    def _record(self, phase: str, named: list[tuple[str, torch.Tensor]]) -> None:
        layers = {name: histogram(p) for name, p in named}
        if layers:
            self.ctx.trace.event("weight_histogram", self.ctx.step, phase=phase, layers=layers)

    def on_before_step(self, optimizer):
        if id(optimizer) not in self._started:
            self._started.add(id(optimizer))
            named = [(n, p) for n, p in self._choose(self.ctx.optimizer_params(optimizer)) if n not in self._params]
            for n, p in named:
                self._params[n] = weakref.ref(p)
            self._record("start", named)
        elif self.ctx.step >= self._next_checkpoint:
            while self._next_checkpoint <= self.ctx.step:
                self._next_checkpoint *= 2
            self._record("checkpoint", self._alive())

    def _alive(self) -> list[tuple[str, torch.Tensor]]:
        alive = [(n, ref()) for n, ref in self._params.items()]
        return [(n, p) for n, p in alive if p is not None]

    def flush(self) -> None:
        """At the end of the run (the monitor's stop): the final weights of the same tensors."""
        if self._params:
            self._record("end", self._alive())
