"""How much a model's predictions vary across the samples of a batch."""

from __future__ import annotations

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import first_tensor, is_float
from nndoctor.quantities.base import Quantity
from nndoctor.quantities.loss_inputs import prediction_collapse


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
        with torch.no_grad():
            info = prediction_collapse(out)  # the loss usually gets this very tensor: measured once
        spread = info.get("pred_spread")
        if spread is None:  # NaN/Inf in the output: no statement about collapse
            return
        key, step, trace = self.ctx.name_of(root), self.ctx.step, self.ctx.trace
        trace.scalar("output_spread", step, spread, key)
        if out.dim() == 2 and "pred_majority_share" in info:
            trace.scalar("output_argmax_share", step, info["pred_majority_share"], key)
