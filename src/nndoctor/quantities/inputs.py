"""Statistics of the batches fed to a model: scale, centre, spread, non-finite values."""

from __future__ import annotations

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import first_tensor, is_float
from nndoctor.quantities.base import Quantity


@register_quantity
class InputStats(Quantity):
    """``input_mean``, ``input_std``, ``input_absmax``, ``input_nonfinite``, ``input_spread``.

    Key: the model's name. Only floating inputs count (integer inputs are token or class ids).
    ``input_spread`` is the mean across features of the per-feature standard deviation over the
    batch, relative to the mean absolute value: near zero when every sample is the same.
    """

    name = "inputs"

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        if not grad_enabled:
            return
        x = first_tensor(args) if args else first_tensor(kwargs)
        if not is_float(x):
            return
        key, step, trace = self.ctx.name_of(root), self.ctx.step, self.ctx.trace
        with torch.no_grad():
            x = x.detach().float()
            finite = torch.isfinite(x)
            n_bad = int((~finite).sum())
            trace.scalar("input_nonfinite", step, n_bad / x.numel(), key)
            if n_bad:
                self.ctx.report_nonfinite("input", {"model": key, "nonfinite_values": n_bad})
                x = torch.where(finite, x, torch.zeros_like(x))
            trace.scalar("input_mean", step, float(x.mean()), key)
            trace.scalar("input_std", step, float(x.std()) if x.numel() > 1 else 0.0, key)
            trace.scalar("input_absmax", step, float(x.abs().max()), key)
            if x.dim() >= 2 and x.shape[0] >= 4:
                flat = x.reshape(x.shape[0], -1)
                spread = float(flat.std(dim=0).mean() / (flat.abs().mean() + 1e-12))
                trace.scalar("input_spread", step, spread, key)
