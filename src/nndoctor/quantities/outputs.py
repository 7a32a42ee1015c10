"""How much a model's predictions vary across the samples of a batch."""

from __future__ import annotations

import math

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import first_tensor, is_float, relative_spread
from nndoctor.quantities.base import Quantity


@register_quantity
class OutputStats(Quantity):
    """``output_spread`` and ``output_argmax_share`` (key: the model's name), training passes.

    ``output_spread``: mean over output units of the standard deviation across the batch,
    relative to the mean absolute output; ~0 when the model predicts the same for every input.
    ``output_argmax_share``: share of the batch predicted as the most common class (C > 1).
    On full sampled steps only (``thinned``): a collapse lasts, so a sparser look still sees it.
    """

    name = "outputs"
    thinned = True

    def on_root_output(self, root, output, grad_enabled):
        if not grad_enabled:
            return
        out = first_tensor(output)
        if not is_float(out) or out.dim() < 2 or out.shape[0] < 8:
            return
        key, step, trace = self.ctx.name_of(root), self.ctx.step, self.ctx.trace
        with torch.no_grad():
            flat = out.detach().float().reshape(out.shape[0], -1)
            parts = [relative_spread(flat)]
            classes = out.dim() == 2 and out.shape[1] > 1
            if classes:
                counts = torch.bincount(flat.argmax(dim=1), minlength=flat.shape[1])
                parts.append(counts.max().float() / flat.shape[0])
            values = torch.stack(parts).tolist()  # one device-to-host copy
        if not math.isfinite(values[0]):
            return
        trace.scalar("output_spread", step, values[0], key)
        if classes:
            trace.scalar("output_argmax_share", step, values[1], key)
