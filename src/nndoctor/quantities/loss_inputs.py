"""What each loss function receives: shapes, value ranges, and which module produced its input."""

from __future__ import annotations

from typing import Any

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import is_float
from nndoctor.quantities.base import Quantity

#: Losses that compare prediction and target elementwise and silently broadcast on mismatch.
ELEMENTWISE = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"}
#: Losses that expect unnormalised scores (logits).
EXPECT_LOGITS = {"cross_entropy", "binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"}


def describe_prediction(x: torch.Tensor) -> dict[str, Any]:
    """Range facts about a prediction tensor that tell logits, probabilities and log-probs apart."""
    x = x.detach().float()
    finite = torch.isfinite(x)
    if not bool(finite.all()):
        return {"finite": False}
    info: dict[str, Any] = {"finite": True, "min": float(x.min()), "max": float(x.max())}
    info["in_unit_interval"] = info["min"] >= 0.0 and info["max"] <= 1.0
    if x.dim() >= 2 and x.shape[1] > 1:
        sums = x.sum(dim=1)
        info["rows_sum_to_one"] = bool(info["in_unit_interval"] and torch.allclose(sums, torch.ones_like(sums), atol=1e-3))
        lse = torch.logsumexp(x, dim=1)
        info["rows_are_log_probs"] = bool(info["max"] <= 1e-6 and torch.allclose(lse, torch.zeros_like(lse), atol=1e-3))
        info["classes"] = int(x.shape[1])
    return info


@register_quantity
class LossInputs(Quantity):
    """Event ``loss_call``: function, shapes, dtypes, prediction range and producing module.

    Recorded on sampled steps for training calls (grad enabled, model in train mode).
    """

    name = "loss_inputs"

    def on_loss(self, fn_name, args, kwargs, result):
        if not torch.is_grad_enabled():
            return
        pred = args[0] if args else kwargs.get("input")
        target = args[1] if len(args) > 1 else kwargs.get("target")
        if not isinstance(pred, torch.Tensor) or not is_float(pred):
            return
        data: dict[str, Any] = {
            "fn": fn_name,
            "input_shape": list(pred.shape),
            "target_shape": list(target.shape) if isinstance(target, torch.Tensor) else None,
            "target_dtype": str(target.dtype).replace("torch.", "") if isinstance(target, torch.Tensor) else None,
        }
        with torch.no_grad():
            data.update(describe_prediction(pred))
            if isinstance(target, torch.Tensor) and target.numel():
                t = target.detach()
                data["target_min"] = float(t.min())
                data["target_max"] = float(t.max())
        producer = self.ctx.producer_of(pred)
        if producer is not None:
            data["producer"] = self.ctx.name_of(producer)
            data["producer_type"] = type(producer).__name__
            dim = getattr(producer, "dim", None)
            if dim is not None:
                data["producer_dim"] = dim
        self.ctx.trace.event("loss_call", self.ctx.step, **data)
