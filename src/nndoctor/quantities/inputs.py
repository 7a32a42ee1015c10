"""Statistics of the batches fed to a model, and of what its first weight layer actually receives.

Scale matters where the weights meet the data: a model that divides by 255 or standardises
inside ``forward`` (or starts with a batch-norm layer) hands its first Linear/Conv layer
normalised values even though the batch itself is raw. So the same statistics are measured
twice: on the model's input and on the input of the first Linear/Conv/RNN layer to run.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import first_tensor, is_float, relative_spread
from nndoctor.quantities.base import Quantity

#: Layers whose weights multiply the data: the scale of their input is what matters.
WEIGHT_LAYERS = (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd, nn.RNNBase, nn.MultiheadAttention)
CHANNEL_FIRST = (nn.modules.conv._ConvNd,)


def feature_dim(x: torch.Tensor, channels_first: bool | None = None) -> int:
    """The dimension that indexes features: channels of images (N, C, H, W), the last dim otherwise."""
    if channels_first is None:
        channels_first = x.dim() >= 4
    return 1 if channels_first and x.dim() > 2 else x.dim() - 1


def scale_stats(x: torch.Tensor, dim: int) -> dict[str, float]:
    """rms, mean, std, absmax of a batch, and the per-feature rms (largest, median, which one).

    Non-finite values are left out (counted by ``input_nonfinite``).
    """
    x = x.detach().float()
    if x.dim() < 2:
        x, dim = x.reshape(-1, 1), 1
    finite = torch.isfinite(x)
    if not bool(finite.all()):
        x = torch.where(finite, x, torch.zeros_like(x))
    feats = x.movedim(dim, 0).reshape(x.shape[dim], -1)
    feat_rms = feats.pow(2).mean(dim=1).sqrt()
    return {
        "rms": float(x.pow(2).mean().sqrt()),
        "mean": float(x.mean()),
        "std": float(x.std()) if x.numel() > 1 else 0.0,
        "absmax": float(x.abs().max()),
        "feature_rms_max": float(feat_rms.max()),
        "feature_rms_median": float(feat_rms.median()),
        "feature_argmax": float(feat_rms.argmax()),
        "features": float(feats.shape[0]),
    }


@register_quantity
class InputStats(Quantity):
    """Series (key: the model's name) ``input_mean``, ``input_std``, ``input_absmax``,
    ``input_nonfinite``, ``input_spread``, ``input_rms``, ``input_feature_rms_max``,
    ``input_feature_rms_median``, ``input_feature_argmax``, and the same statistics of the first
    weight layer's input as ``first_layer_input_*``; event ``first_layer`` (once per model).

    Only floating inputs count (integer inputs are token or class ids). ``input_spread`` is the
    mean across features of the per-feature standard deviation over the batch, relative to the
    mean absolute value: near zero when every sample is the same.
    """

    name = "inputs"
    module_hooks = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._waiting: dict[int, str] = {}  # id(root) -> model name, first weight layer not seen yet
        self._announced: set[str] = set()

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        if not grad_enabled:
            return
        x = first_tensor(args) if args else first_tensor(kwargs)
        if not is_float(x):
            return
        key, step, trace = self.ctx.name_of(root), self.ctx.step, self.ctx.trace
        self._waiting[id(root)] = key
        with torch.no_grad():
            xf = x.detach().float()
            finite = torch.isfinite(xf)
            n_bad = int((~finite).sum())
            trace.scalar("input_nonfinite", step, n_bad / xf.numel(), key)
            if n_bad:
                self.ctx.report_nonfinite("input", {"model": key, "nonfinite_values": n_bad})
                xf = torch.where(finite, xf, torch.zeros_like(xf))
            stats = scale_stats(xf, feature_dim(xf))
            trace.scalar("input_mean", step, stats["mean"], key)
            trace.scalar("input_std", step, stats["std"], key)
            trace.scalar("input_absmax", step, stats["absmax"], key)
            for name in ("rms", "feature_rms_max", "feature_rms_median", "feature_argmax"):
                trace.scalar(f"input_{name}", step, stats[name], key)
            if xf.dim() >= 2 and xf.shape[0] >= 4:
                trace.scalar("input_spread", step, relative_spread(xf.reshape(xf.shape[0], -1)), key)

    def on_module_forward(self, module, inputs, output):
        if not self._waiting or not isinstance(module, WEIGHT_LAYERS) or not torch.is_grad_enabled():
            return
        root = self.ctx.root_of(module)
        key = self._waiting.pop(id(root), None) if root is not None else None
        if key is None:
            return
        x = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
        if not is_float(x):
            return
        with torch.no_grad():
            stats = scale_stats(x, feature_dim(x, isinstance(module, CHANNEL_FIRST)))
        step, trace = self.ctx.step, self.ctx.trace
        for name in ("rms", "absmax", "mean", "std", "feature_rms_max", "feature_rms_median", "feature_argmax"):
            trace.scalar(f"first_layer_input_{name}", step, stats[name], key)
        if key not in self._announced:
            self._announced.add(key)
            data: dict[str, Any] = {"model": key, "module": self.ctx.name_of(module), "type": type(module).__name__}
            trace.event("first_layer", step, **data)

    def on_root_output(self, root, output, grad_enabled):
        self._waiting.pop(id(root), None)
