"""Weight scales at initialisation against what Xavier/Kaiming initialisation would give.

For a layer with ``fan_in`` inputs, ``std(W) * sqrt(fan_in)`` is about 0.58 with PyTorch's
default init, 1.0 with LeCun, 1.41 with Kaiming (ReLU) and between 0.3 and 1.4 with Xavier: a
value far outside that band makes activations grow or shrink layer after layer. Rows that are
all identical (all zero, or a constant fill) make every unit of the layer compute the same thing
and receive the same gradient, so they stay identical: symmetry is never broken.

Records ``weight_stats`` {layers: [...]} with, per Linear/Conv layer, the measured std, the
Kaiming and default stds, the ratio ``std * sqrt(fan_in)``, identical/zero rows and whether it
is the model's output layer.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from nndoctor.experiments.base import Context, Experiment

WEIGHTED = (
    nn.Linear,
    nn.Bilinear,
    nn.Conv1d,
    nn.Conv2d,
    nn.Conv3d,
    nn.ConvTranspose1d,
    nn.ConvTranspose2d,
    nn.ConvTranspose3d,
)


def fan_in_out(w: torch.Tensor) -> tuple[int, int]:
    """As torch.nn.init computes them: dim 1 x receptive field, dim 0 x receptive field."""
    receptive = math.prod(w.shape[2:]) if w.dim() > 2 else 1
    return int(w.shape[1]) * receptive, int(w.shape[0]) * receptive


class InitScale(Experiment):
    name = "init"
    title = "weight scales at initialisation"
    needs_loss = False

    def run(self, ctx: Context) -> str:
        layers = [
            (n, m)
            for n, m in ctx.model.named_modules()
            if isinstance(m, WEIGHTED) and isinstance(m.weight, torch.Tensor)
        ]
        if not layers:
            return "no Linear/Conv layers"
        output_module = self._output_module(ctx)
        stats = [self._stats(ctx, m, m is output_module) for _, m in layers]
        stats = [s for s in stats if s is not None]
        ctx.event("weight_stats", layers=stats)
        ratios = [s["ratio"] for s in stats]
        identical = [s["name"] for s in stats if s["rows_identical"]]
        extra = f"; identical rows in {', '.join(identical)}" if identical else ""
        return f"{len(stats)} layers, std*sqrt(fan_in) from {min(ratios):.3g} to {max(ratios):.3g}{extra}"

    @staticmethod
    def _output_module(ctx: Context) -> nn.Module | None:
        outs = ctx.trace.view().events("output_module")
        chosen = None
        if outs:
            name = outs[0].data.get("module", "")
            chosen = dict(ctx.model.named_modules()).get(name.removeprefix("model.").removeprefix("model"))
        if not isinstance(chosen, WEIGHTED):  # else: the last weighted layer to be defined
            weighted = [m for m in ctx.model.modules() if isinstance(m, WEIGHTED)]
            chosen = weighted[-1] if weighted else None
        return chosen

    @staticmethod
    @torch.no_grad()
    def _stats(ctx: Context, m: nn.Module, is_output: bool) -> dict[str, Any] | None:
        w = m.weight.detach().double()
        if w.dim() < 2 or w.numel() < 4 or not bool(torch.isfinite(w).all()):
            return None
        fan_in, fan_out = fan_in_out(w)
        rows = w.reshape(w.shape[0], -1)
        std = float(w.std())
        return {
            "name": ctx.name_of(m),
            "type": type(m).__name__,
            "fan_in": fan_in,
            "fan_out": fan_out,
            "units": int(rows.shape[0]),
            "std": std,
            "absmean": float(w.abs().mean()),
            "kaiming_std": math.sqrt(2.0 / fan_in),
            "xavier_std": math.sqrt(2.0 / (fan_in + fan_out)),
            "default_std": 1.0 / math.sqrt(3.0 * fan_in),
            "ratio": std * math.sqrt(fan_in),
            "all_zero": bool((w == 0).all()),
            "rows_identical": bool(rows.shape[0] > 1 and (rows == rows[:1]).all()),
            "is_output": is_output,
        }
