"""Which exp()/log() made a non-finite loss, read from the loss's autograd graph.

The monitor's replay re-runs the model and the last library loss call; an ``exp`` or ``log``
written in the training loop between the two (a hand-written softmax or log-likelihood) is
outside what it replays. The autograd graph still holds those operations: ``exp`` saves its
result (inf when it overflowed) and ``log`` saves its input (0 or negative when it returned
-inf/NaN). Costs nothing while the loss is finite: the graph is read only when it is not.
"""

from __future__ import annotations

from typing import Any

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import walk_graph
from nndoctor.quantities.base import Quantity

EXP_NODES = {"ExpBackward0": "exp", "Exp2Backward0": "exp2", "Expm1Backward0": "expm1"}
LOG_NODES = {"LogBackward0": "log", "Log2Backward0": "log2", "Log10Backward0": "log10"}
DIV_NODES = frozenset({"DivBackward0", "DivBackward1"})


def _saved(node: Any, attr: str) -> torch.Tensor | None:
    try:
        t = getattr(node, attr)
    except Exception:
        return None
    return t.detach() if isinstance(t, torch.Tensor) and t.is_floating_point() and t.numel() else None


def culprit_ops(loss: torch.Tensor) -> list[dict[str, Any]]:
    """exp() nodes whose result overflowed, log() nodes that got 0 or negative inputs, and
    divisions by an exact zero (``x / d`` saves ``d`` when ``x`` needs a gradient; 0/0 is NaN
    whatever the learning rate: a Dice or a normalisation without an epsilon)."""
    found = []
    for node in walk_graph(loss.grad_fn):
        tname = type(node).__name__
        if tname in EXP_NODES:
            out = _saved(node, "_saved_result")
            if out is not None and bool(torch.isposinf(out).any()):
                found.append({"op": EXP_NODES[tname], "cause": "exp-overflow"})
        elif tname in LOG_NODES:
            x = _saved(node, "_saved_self")
            if x is not None and bool(torch.isfinite(x).all()) and bool((x <= 0).any()):
                found.append(
                    {
                        "op": LOG_NODES[tname],
                        "cause": "log-of-nonpositive",
                        "op_input_min": float(x.min()),
                        "op_input_absmax": float(x.abs().max()),
                    }
                )
        elif tname in DIV_NODES:
            d = _saved(node, "_saved_other")
            if d is not None and bool(torch.isfinite(d).all()) and bool((d == 0).any()):
                found.append({"op": "div", "cause": "division-by-zero", "zero_denominators": int((d == 0).sum())})
    return found


@register_quantity
class NonFiniteOps(Quantity):
    """Event ``nonfinite_op`` (once): the exp/log operations that made the first non-finite loss."""

    name = "nonfinite_ops"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._done = False

    def on_nonfinite_loss(self, tensor, loss_value):
        if self._done:
            return
        self._done = True
        if not isinstance(tensor, torch.Tensor) or tensor.grad_fn is None:
            return
        with torch.no_grad():
            ops = culprit_ops(tensor)
        if ops:
            self.ctx.trace.event("nonfinite_op", self.ctx.step, ops=ops[:5], **ops[0])
