"""Statistics of the batches fed to a model, and of what its first weight layer actually receives.

Scale matters where the weights meet the data: a model that divides by 255 or standardises
inside ``forward`` (or starts with a batch-norm layer) hands its first Linear/Conv layer
normalised values even though the batch itself is raw. So the same statistics are measured
twice: on the model's input and on the input of the first Linear/Conv/RNN layer to run.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import (
    first_tensor,
    host_array,
    host_lower_median,
    host_relative_spread,
    is_float,
    quiet_numpy,
    relative_spread,
)
from nndoctor.quantities.base import Quantity

#: Layers whose weights multiply the data: the scale of their input is what matters.
WEIGHT_LAYERS = (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd, nn.RNNBase, nn.MultiheadAttention)
CHANNEL_FIRST = (nn.modules.conv._ConvNd,)


def feature_dim(x: torch.Tensor, channels_first: bool | None = None) -> int:
    """The dimension that indexes features: channels of images (N, C, H, W), the last dim otherwise."""
    if channels_first is None:
        channels_first = x.dim() >= 4
    return 1 if channels_first and x.dim() > 2 else x.dim() - 1


STAT_NAMES = ("rms", "mean", "std", "absmax", "feature_rms_max", "feature_rms_median", "feature_argmax", "features")


def scale_stats(x: torch.Tensor, dim: int) -> dict[str, float]:
    """rms, mean, std, absmax of a batch, and the per-feature rms (largest, median, which one).

    Non-finite values are left out (counted by ``input_nonfinite``). One device-to-host copy.
    """
    x = x.detach().float()
    if x.dim() < 2:
        x, dim = x.reshape(-1, 1), 1
    host = host_array(x)
    if host is not None:
        with quiet_numpy():
            values = host_stats(host, dim)
        if all(map(math.isfinite, values)):
            return dict(zip(STAT_NAMES, values, strict=True))
    finite = torch.isfinite(x)
    if not bool(finite.all()):
        x = torch.where(finite, x, torch.zeros_like(x))
    return dict(zip(STAT_NAMES, _stats(x, dim).tolist(), strict=True))


def host_stats(x: np.ndarray, dim: int) -> list[float]:
    """:func:`_stats` of a NumPy view of a small CPU batch (see ``host_array``): the same numbers
    in the same order, from a dozen ufunc reductions instead of two dozen torch operations
    (each several microseconds in a training loop, where this runs cold)."""
    if x.ndim < 2:
        x, dim = x.reshape(-1, 1), 1
    feats = np.moveaxis(x, dim, 0).reshape(x.shape[dim], -1)
    n, per_feature = x.size, feats.shape[1]
    feat_ms = np.add.reduce(feats * feats, 1) / per_feature
    feat_rms = np.sqrt(feat_ms)
    mean = float(np.add.reduce(x, None, dtype=np.float64)) / n
    centred = x - mean
    std = math.sqrt(float(np.add.reduce(centred * centred, None)) / (n - 1)) if n > 1 else 0.0
    absmax = max(float(np.maximum.reduce(x, None)), -float(np.minimum.reduce(x, None)))
    return [
        math.sqrt(float(np.add.reduce(feat_ms)) / feats.shape[0]),
        mean,
        std,
        absmax,
        float(np.maximum.reduce(feat_rms)),
        host_lower_median(feat_rms),
        float(np.argmax(feat_rms)),
        float(feats.shape[0]),
    ]


def _stats(x: torch.Tensor, dim: int) -> torch.Tensor:
    feats = x.movedim(dim, 0).reshape(x.shape[dim], -1)
    feat_rms = feats.pow(2).mean(dim=1).sqrt()
    std = x.std() if x.numel() > 1 else x.new_zeros(())
    return torch.stack(
        [
            x.pow(2).mean().sqrt(),
            x.mean(),
            std,
            x.abs().max(),
            feat_rms.max(),
            feat_rms.median(),
            feat_rms.argmax().to(x.dtype),
            x.new_tensor(float(feats.shape[0])),
        ]
    )


@register_quantity
class InputStats(Quantity):
    """Series (key: the model's name) ``input_mean``, ``input_std``, ``input_absmax``,
    ``input_nonfinite``, ``input_spread``, ``input_rms``, ``input_feature_rms_max``,
    ``input_feature_rms_median``, ``input_feature_argmax``, and the same statistics of the first
    weight layer's input as ``first_layer_input_*``; event ``first_layer`` (once per model).
    ``input_computed`` (1.0) marks a sample whose input has an autograd history: the output of
    another model (an encoder's latent fed to a decoder), not data the script prepared.

    Only floating inputs count (integer inputs are token or class ids). ``input_spread`` is the
    mean across features of the per-feature standard deviation over the batch, relative to the
    mean absolute value: near zero when every sample is the same.
    """

    name = "inputs"
    thinned = True
    module_hooks = True

    def __init__(self, ctx):
        super().__init__(ctx)
        # id(root) -> (model name, its input, its statistics): the first weight layer is not seen yet
        self._waiting: dict[int, tuple[str, torch.Tensor, dict[str, float]]] = {}
        self._announced: set[str] = set()

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        if not grad_enabled:
            return
        x = first_tensor(args) if args else first_tensor(kwargs)
        if not is_float(x):
            return
        key, step, trace = self.ctx.name_of(root), self.ctx.step, self.ctx.trace
        spread = x.dim() >= 2 and x.shape[0] >= 4
        with torch.no_grad():
            xf = x.detach().float()
            dim = feature_dim(xf) if xf.dim() >= 2 else 1
            host = host_array(xf)
            if host is not None:
                with quiet_numpy():  # NaN/Inf show in the numbers, checked below
                    values = host_stats(host, dim)
                    if spread:
                        values.append(host_relative_spread(host.reshape(host.shape[0], -1)))
            else:
                parts = [_stats(xf.reshape(-1, 1) if xf.dim() < 2 else xf, dim)]
                if spread:
                    parts.append(relative_spread(xf.reshape(xf.shape[0], -1)).reshape(1))
                values = torch.cat(parts).tolist()  # one device-to-host copy
            if not all(map(math.isfinite, values)):
                finite = torch.isfinite(xf)
                n_bad = int((~finite).sum())
                if n_bad:
                    self.ctx.report_nonfinite("input", {"model": key, "nonfinite_values": n_bad})
                    trace.scalar("input_nonfinite", step, n_bad / xf.numel(), key)
                    return  # statistics of a broken batch would only mislead
            trace.scalar("input_nonfinite", step, 0.0, key)
            if x.grad_fn is not None:  # made by another model in this graph (a VAE's latent), not data
                trace.scalar("input_computed", step, 1.0, key)
            stats = dict(zip(STAT_NAMES, values, strict=False))
            self._waiting[id(root)] = (key, x, stats)
            trace.scalar("input_mean", step, stats["mean"], key)
            trace.scalar("input_std", step, stats["std"], key)
            trace.scalar("input_absmax", step, stats["absmax"], key)
            for name in ("rms", "feature_rms_max", "feature_rms_median", "feature_argmax"):
                trace.scalar(f"input_{name}", step, stats[name], key)
            if spread:
                trace.scalar("input_spread", step, values[-1], key)

    def on_module_forward(self, module, inputs, output):
        if not self._waiting or not isinstance(module, WEIGHT_LAYERS) or not torch.is_grad_enabled():
            return
        root = self.ctx.root_of(module)
        waiting = self._waiting.pop(id(root), None) if root is not None else None
        if waiting is None:
            return
        key, root_input, root_stats = waiting
        x = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
        if not is_float(x):
            return
        channels_first = isinstance(module, CHANNEL_FIRST)
        if x is root_input and channels_first == (x.dim() >= 4):
            stats = root_stats  # the layer gets the batch as it is: same numbers, no second pass
        else:
            with torch.no_grad():
                stats = scale_stats(x, feature_dim(x, channels_first))
        step, trace = self.ctx.step, self.ctx.trace
        for name in ("rms", "absmax", "mean", "std", "feature_rms_max", "feature_rms_median", "feature_argmax"):
            trace.scalar(f"first_layer_input_{name}", step, stats[name], key)
        if key not in self._announced:
            self._announced.add(key)
            data: dict[str, Any] = {"model": key, "module": self.ctx.name_of(module), "type": type(module).__name__}
            trace.event("first_layer", step, **data)

    def on_root_output(self, root, output, grad_enabled):
        self._waiting.pop(id(root), None)
