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

import math
import weakref
from typing import Any

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

BINS = 32
#: At most this many weight tensors per recording (evenly spread, first and last kept).
MAX_TENSORS = 32
#: Tensors larger than this are read through an even stride (no random sampling: no RNG use)
#: for the counts and moments: a 32-bin picture needs no more, and the temporaries stay small
#: (on the CPU a block of a few hundred kilobytes is mapped afresh each time, and its page
#: faults cost more than the arithmetic).
MAX_ELEMENTS = 1 << 14
#: Non-finite values are looked for in up to this many (strided) elements: one NaN must not
#: hide between the histogram's samples.
MAX_CHECKED = 1 << 20
#: The first checkpoint; later ones double (500, 1000, 2000, ...).
FIRST_CHECKPOINT = 500


def histogram(t: torch.Tensor, bins: int = BINS) -> dict[str, Any]:
    """Counts, bin edges and moments of a tensor's finite values (strided if very large).

    Finite weights, the usual case, are checked by their extremes alone (``aminmax`` propagates
    NaN and reports an Inf): a full ``isfinite`` pass runs only when one is not finite. Counts
    are one ``bincount`` of the bin indices, a third of ``histc``'s time on the CPU."""
    empty = {"counts": [], "edges": [], "n": 0, "mean": 0.0, "std": 0.0, "nonfinite": 0}
    with torch.no_grad():
        flat = t.detach().reshape(-1)
        if flat.numel() > MAX_CHECKED:
            flat = flat[:: -(-flat.numel() // MAX_CHECKED)]
        if flat.numel() == 0:
            return empty
        lo, hi = (float(v) for v in torch.aminmax(flat))
        nonfinite = 0
        if not (math.isfinite(lo) and math.isfinite(hi)):
            finite = torch.isfinite(flat)
            nonfinite = int(flat.numel() - int(finite.sum()))
            flat = flat[finite]
            if flat.numel() == 0:
                return {**empty, "nonfinite": nonfinite}
            lo, hi = (float(v) for v in torch.aminmax(flat))
        if flat.numel() > MAX_ELEMENTS:
            flat = flat[:: -(-flat.numel() // MAX_ELEMENTS)]
        x = flat.float()
        if hi <= lo:
            pad = abs(lo) * 1e-3 or 1e-3
            lo, hi = lo - pad, hi + pad
        index = ((x - lo) * (bins / (hi - lo))).long().clamp_(0, bins - 1)
        counts = torch.bincount(index, minlength=bins)
        mean = float(x.mean())
        std = float(x.std(unbiased=False))  # (std_mean takes several times as long on the CPU)
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
