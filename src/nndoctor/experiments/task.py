"""What the recipe is learning, read from its loss function and targets.

The experiments need to know whether errors are classification errors or squared errors,
what loss to expect at initialisation, and how to turn an output into a prediction. The loss
function tells most of it: an ``nn`` loss module by its class, a functional loss by the call
the monitor saw during the probe, anything else by the targets' dtype.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

#: ``nn`` loss modules and the functional name they call.
LOSS_MODULES: dict[type, str] = {
    nn.CrossEntropyLoss: "cross_entropy",
    nn.NLLLoss: "nll_loss",
    nn.BCELoss: "binary_cross_entropy",
    nn.BCEWithLogitsLoss: "binary_cross_entropy_with_logits",
    nn.MSELoss: "mse_loss",
    nn.L1Loss: "l1_loss",
    nn.SmoothL1Loss: "smooth_l1_loss",
    nn.HuberLoss: "huber_loss",
    nn.KLDivLoss: "kl_div",
    nn.MultiLabelSoftMarginLoss: "multilabel_soft_margin_loss",
    nn.MultiMarginLoss: "multi_margin_loss",
}
MULTICLASS = {"cross_entropy", "nll_loss", "multi_margin_loss"}
BINARY = {"binary_cross_entropy", "binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"}
REGRESSION = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"}
#: Losses whose input must be logits (unnormalised scores).
EXPECT_LOGITS = {"cross_entropy", "binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"}


@dataclass(frozen=True)
class Task:
    """``kind`` is multiclass, binary, multilabel, regression or unknown."""

    kind: str
    loss: str
    classes: int = 0
    #: Multiclass targets given as class probabilities (N, C) rather than indices (N,).
    soft_targets: bool = False

    @property
    def classification(self) -> bool:
        return self.kind in ("multiclass", "binary", "multilabel")

    def predict(self, output: torch.Tensor) -> torch.Tensor:
        """Class predictions (classification) or the output itself (regression)."""
        out = output.detach()
        if self.kind == "multiclass":
            return out.argmax(dim=1) if out.dim() > 1 else out.round().long()
        if self.kind in ("binary", "multilabel"):
            threshold = 0.5 if self.loss == "binary_cross_entropy" else 0.0
            return (out > threshold).long()
        return out

    def labels(self, y: torch.Tensor) -> torch.Tensor:
        """Targets as comparable labels (class indices for soft targets)."""
        if self.kind == "multiclass" and self.soft_targets:
            return y.argmax(dim=1)
        if self.kind in ("binary", "multilabel"):
            return (y > 0.5).long()
        return y


def loss_name(loss_fn: object, observed: str | None) -> str:
    """The functional name of a loss: from its module class, else what the probe observed."""
    for cls, name in LOSS_MODULES.items():
        if isinstance(loss_fn, cls):
            return name
    return observed or "unknown"


def infer_task(loss: str, output: torch.Tensor | None, y: torch.Tensor) -> Task:
    """The task from the loss, the output shape and the targets."""
    out_dim = int(output.shape[1]) if output is not None and output.dim() > 1 else 1
    if loss in MULTICLASS or (loss == "unknown" and not y.is_floating_point() and out_dim > 1):
        soft = y.is_floating_point() and y.dim() > 1 and y.shape[1:] == (output.shape[1:] if output is not None else ())
        return Task("multiclass", loss, classes=out_dim, soft_targets=bool(soft))
    if loss in BINARY:
        per_example = y[0].numel() if y.dim() > 1 else 1
        return Task("multilabel" if per_example > 1 else "binary", loss, classes=2)
    if loss in REGRESSION or (loss == "unknown" and y.is_floating_point()):
        return Task("regression", loss)
    return Task("unknown", loss)
