"""Gradient flow after a backward pass: who gets a gradient, and how it shrinks with depth.

Three training batches are run forward and backward (no optimizer step). A trainable parameter
whose ``.grad`` is still None afterwards is cut off from the loss (a ``.detach()``, a layer
defined but never called, a tensor rebuilt from ``.data``). For each weight layer, in the order
the forward pass calls it, the relative gradient ``||grad|| / ||weight||`` is recorded: in a
healthy network it varies by a factor of a few across depth, not by orders of magnitude.

Also lists the trainable parameters that the recipe's optimizer does not hold (they get
gradients and never change).

Records ``grad_flow`` {layers: [{name, grad_norm, weight_norm, relative}], missing,
missing_modules, trainable, not_in_optimizer}.
"""

from __future__ import annotations

from collections import defaultdict

import torch
from torch import nn

from nndoctor.experiments.base import Context, Experiment
from nndoctor.experiments.training import forward_loss

BATCHES = 3


class GradientFlow(Experiment):
    name = "gradient-flow"
    title = "gradient flow after one backward"

    def run(self, ctx: Context) -> str:
        model = ctx.model
        r = ctx.recipe
        order: list[nn.Module] = []
        hooks = [
            m.register_forward_hook(lambda m, i, o: order.append(m) if m not in order else None)
            for m in model.modules()
            if next(m.parameters(recurse=False), None) is not None
        ]
        params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        got = {id(p): False for _, p in params}
        norms: dict[int, float] = defaultdict(float)
        model.train()
        bs = r.batch_size
        try:
            for b in range(min(BATCHES, max(1, len(r.train_x) // bs))):
                for _, p in params:
                    p.grad = None
                loss, _ = forward_loss(ctx, r.train_x[b * bs : (b + 1) * bs], r.train_y[b * bs : (b + 1) * bs])
                loss.backward()
                for _, p in params:
                    if p.grad is not None:
                        got[id(p)] = True
                        norms[id(p)] += float(p.grad.detach().float().norm()) / BATCHES
        finally:
            for h in hooks:
                h.remove()
        missing = [f"model.{n}" for n, p in params if not got[id(p)]]
        modules = sorted({m.rsplit(".", 1)[0] for m in missing})
        layers = []
        for m in order:
            w = getattr(m, "weight", None)
            if isinstance(w, torch.Tensor) and w.dim() >= 2 and w.requires_grad and got.get(id(w)):
                wn = float(w.detach().float().norm())
                layers.append(
                    {
                        "name": ctx.name_of(m),
                        "type": type(m).__name__,
                        "grad_norm": norms[id(w)],
                        "weight_norm": wn,
                        "relative": norms[id(w)] / wn if wn > 0 else None,  # zero-initialised: undefined
                    }
                )
        in_optimizer = {id(p) for g in ctx.optimizer().param_groups for p in g["params"]}
        outside = [f"model.{n}" for n, p in params if id(p) not in in_optimizer]
        ctx.event(
            "grad_flow",
            layers=layers,
            missing=missing,
            missing_modules=modules,
            trainable=len(params),
            not_in_optimizer=outside,
        )
        rel = [layer["relative"] for layer in layers if layer["relative"] is not None]
        spread = f", relative gradient {rel[0]:.2g} (first layer) to {rel[-1]:.2g} (last)" if rel else ""
        return f"{len(params) - len(missing)}/{len(params)} parameters get gradients{spread}"
