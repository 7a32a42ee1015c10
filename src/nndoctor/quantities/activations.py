"""Dead ReLU units and saturated sigmoid/tanh units, per activation module.

A unit is a feature: dim 1 of (N, C) and of conv maps (N, C, H, W); the last dim of sequences
(N, T, C). A ReLU unit is *dead in a batch* when it outputs zero for every sample and position.
"""

from __future__ import annotations

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import is_float
from nndoctor.quantities.base import Quantity

RELU_TYPES = (nn.ReLU, nn.ReLU6)
SATURATING = (nn.Sigmoid, nn.Tanh, nn.Hardtanh, nn.Hardsigmoid)


def unit_matrix(out: torch.Tensor) -> torch.Tensor | None:
    """Reshape an activation to (units, everything else) so each row is one unit's values."""
    if out.dim() < 2 or out.shape[0] < 2:
        return None
    unit_dim = -1 if out.dim() == 3 else 1
    return out.detach().movedim(unit_dim, 0).reshape(out.shape[unit_dim], -1)


def dead_fraction(out: torch.Tensor) -> float | None:
    """Share of units whose output is zero for the whole batch."""
    units = unit_matrix(out)
    if units is None or units.shape[1] < 8:
        return None
    return float((units.amax(dim=1) <= 0).float().mean())


def saturated_fraction(module: nn.Module, out: torch.Tensor) -> float:
    """Share of outputs sitting in the flat tails (within 1% of the bounds)."""
    y = out.detach()
    if isinstance(module, (nn.Sigmoid, nn.Hardsigmoid)):
        flat = (y < 0.01) | (y > 0.99)
    else:
        lo, hi = (module.min_val, module.max_val) if isinstance(module, nn.Hardtanh) else (-1.0, 1.0)
        margin = 0.01 * (hi - lo) / 2
        flat = (y < lo + margin) | (y > hi - margin)
    return float(flat.float().mean())


@register_quantity
class ActivationStats(Quantity):
    """``dead_fraction`` (ReLU modules) and ``saturated_fraction`` (sigmoid/tanh), key: module."""

    name = "activations"
    module_hooks = True

    def on_module_forward(self, module, inputs, output):
        if not isinstance(output, torch.Tensor) or not is_float(output) or not torch.is_grad_enabled():
            return
        if isinstance(module, RELU_TYPES):
            frac = dead_fraction(output)
            if frac is not None:
                self.ctx.trace.scalar("dead_fraction", self.ctx.step, frac, self.ctx.name_of(module))
        elif isinstance(module, SATURATING):
            self.ctx.trace.scalar(
                "saturated_fraction", self.ctx.step, saturated_fraction(module, output), self.ctx.name_of(module)
            )
