"""The training loss, the loss functions' own values, and what a constant predictor would score.

``loss`` is the tensor ``backward()`` is called on: what the optimizer minimises, whatever the
user made of the loss functions (a sum of terms, a division for accumulation, a minus sign).
``loss_fn_value`` is what each loss function returned in training: comparing the two shows a
flipped sign (``loss = -criterion(out, y)``).

``constant_baseline`` is the loss of the best *constant* prediction on the training targets
seen so far: the entropy of the label distribution for cross-entropy (``ln C`` for balanced
classes), the binary entropy of the positive rate for BCE, the target variance for MSE. A
model stuck at that level has learned nothing from its inputs; a model above it and rising
is being pushed the wrong way. Targets are pooled over the sampled batches of the whole run
(the median-based L1-type baselines over the last ``ROBUST_WINDOW`` of them): an estimate
from a few batches is too noisy to compare a loss with, and when targets drift (reinforcement
learning) pooling over time only makes the baseline larger, so the rules stay conservative.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import host_array, quiet_numpy
from nndoctor.quantities.base import Quantity

CLASSIFICATION = {"cross_entropy", "nll_loss"}
BINARY = {"binary_cross_entropy", "binary_cross_entropy_with_logits"}
REGRESSION = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"}
#: Sampled batches pooled for the median-based (L1-type) baselines.
ROBUST_WINDOW = 50
#: Target values kept per sampled batch for the median-based (L1-type) baselines.
ROBUST_SAMPLE = 256


def _arg(args: tuple, kwargs: dict, index: int, name: str, default: Any = None) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name, default)


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-np.add.reduce(p * np.log(p)))


def _binary_entropy(p: torch.Tensor) -> torch.Tensor:
    p = p.clamp(1e-12, 1 - 1e-12)
    return -(p * p.log() + (1 - p) * (1 - p).log())


def _columns(t: torch.Tensor) -> torch.Tensor:
    """2-D targets keep their columns (a constant per output); others are one column."""
    t = t.detach().double()
    return t if t.dim() == 2 else t.reshape(-1, 1)


class _Baselines:
    """Running statistics of the training targets, per loss function."""

    def __init__(self) -> None:
        self.counts: dict[str, np.ndarray] = {}
        self.binary: dict[str, list[torch.Tensor]] = {}
        self.moments: dict[str, tuple] = {}
        self.samples: dict[str, deque] = {}

    def update(self, fn: str, args: tuple, kwargs: dict) -> float | None:
        pred, target = _arg(args, kwargs, 0, "input"), _arg(args, kwargs, 1, "target")
        if not isinstance(pred, torch.Tensor) or not isinstance(target, torch.Tensor) or not target.numel():
            return None
        if _arg(args, kwargs, 99, "reduction", "mean") != "mean" or kwargs.get("size_average") is not None:
            return None
        if fn in CLASSIFICATION:
            return self._classification(fn, pred, target, args, kwargs)
        if fn in BINARY:
            if _arg(args, kwargs, 2, "weight") is not None or kwargs.get("pos_weight") is not None:
                return None
            return self._binary(fn, target)
        if fn in REGRESSION:
            return self._regression(fn, target, kwargs)
        return None

    def _classification(self, fn, pred, target, args, kwargs) -> float | None:
        if _arg(args, kwargs, 2, "weight") is not None or pred.dim() == 0:
            return None
        classes = int(pred.shape[1] if pred.dim() >= 2 else pred.shape[0])
        smoothing = float(kwargs.get("label_smoothing", 0.0) or 0.0)
        if target.is_floating_point():
            if target.shape != pred.shape:
                return None
            t = target.detach().double()
            batch = (t.movedim(1, -1) if t.dim() >= 2 else t).reshape(-1, classes).sum(0).cpu().numpy()
        else:
            ignore = int(kwargs.get("ignore_index", -100))
            ids = host_array(target)
            if ids is None:
                ids = target.detach().cpu().numpy()
            ids = ids.reshape(-1)
            ids = ids[ids != ignore]
            if not ids.size or int(ids.min()) < 0 or int(ids.max()) >= classes:
                return None  # invalid targets are another rule's business
            batch = np.bincount(ids.astype(np.int64, copy=False), minlength=classes).astype(np.float64)
        total = self.counts.get(fn)
        total = batch if total is None or total.size != classes else total + batch
        self.counts[fn] = total
        p = total / total.sum()
        return _entropy((1 - smoothing) * p + smoothing / classes)

    def _binary(self, fn, target) -> float | None:
        t = _columns(target)
        if float(t.min()) < 0 or float(t.max()) > 1:
            return None
        sums, n = self.binary.get(fn, [torch.zeros(t.shape[1], dtype=torch.float64), torch.zeros(())])
        if sums.numel() != t.shape[1]:
            sums, n = torch.zeros(t.shape[1], dtype=torch.float64), torch.zeros(())
        sums, n = sums + t.sum(0), n + t.shape[0]
        self.binary[fn] = [sums, n]
        return float(_binary_entropy(sums / n).mean())

    def _regression(self, fn, target, kwargs) -> float | None:
        t = _columns(target)
        if not bool(torch.isfinite(t).all()):
            return None
        if fn == "mse_loss":
            n, total, squares = self.moments.get(fn, (0, 0.0, 0.0))
            if n and total.numel() != t.shape[1]:
                n, total, squares = 0, 0.0, 0.0
            n, total, squares = n + t.shape[0], total + t.sum(0), squares + (t * t).sum(0)
            self.moments[fn] = (n, total, squares)
            mean = total / n
            return float((squares / n - mean * mean).clamp_min(0).mean())
        window = self.samples.setdefault(fn, deque(maxlen=ROBUST_WINDOW))
        window.append(t.reshape(-1)[:ROBUST_SAMPLE])
        pooled = torch.cat(list(window))
        dev = (pooled - pooled.median()).abs()
        if fn == "l1_loss":
            return float(dev.mean())
        if fn == "huber_loss":
            delta = float(kwargs.get("delta", 1.0))
            return float(torch.where(dev < delta, 0.5 * dev * dev, delta * (dev - 0.5 * delta)).mean())
        beta = float(kwargs.get("beta", 1.0))
        if beta <= 0:
            return float(dev.mean())
        return float(torch.where(dev < beta, 0.5 * dev * dev / beta, dev - 0.5 * beta).mean())


#: Smallest batch whose per-sample spread says anything about the batch-to-batch noise.
MIN_NOISE_BATCH = 4


def host_per_sample_losses(fn: str, pred: torch.Tensor, target: torch.Tensor, kwargs: dict) -> np.ndarray | None:
    """:func:`per_sample_losses` with NumPy for the common cases on small CPU tensors: cross-entropy
    and NLL with class ids, MSE. None when the case is another (the torch version handles it)."""
    x, t = host_array(pred), host_array(target)
    if x is None or t is None or x.dtype.kind != "f":
        return None
    if fn in CLASSIFICATION and t.dtype.kind in "iu" and x.ndim >= 2 and t.shape == (x.shape[0], *x.shape[2:]):
        if kwargs.get("label_smoothing") or kwargs.get("weight") is not None:
            return None
        ignore = int(kwargs.get("ignore_index", -100))
        if (t == ignore).any() or int(t.min()) < 0 or int(t.max()) >= x.shape[1]:
            return None
        if fn == "cross_entropy":
            top = np.maximum.reduce(x, 1, keepdims=True)
            logp = x - (np.log(np.add.reduce(np.exp(x - top), 1, keepdims=True)) + top)
        else:
            logp = x
        elem = -np.take_along_axis(logp, np.expand_dims(t.astype(np.int64, copy=False), 1), 1)[:, 0]
    elif fn == "mse_loss" and t.shape == x.shape and t.dtype.kind == "f":
        d = x - t
        elem = d * d
    else:
        return None
    if elem.ndim == 0:
        return None
    flat = elem.reshape(elem.shape[0], -1)
    return np.add.reduce(flat, 1) / flat.shape[1]


def per_sample_losses(fn: str, args: tuple, kwargs: dict) -> torch.Tensor | None:
    """Each sample's loss (mean over its non-batch elements), recomputed without the loss
    function (calling a patched function from here would re-enter the monitor)."""
    pred, target = _arg(args, kwargs, 0, "input"), _arg(args, kwargs, 1, "target")
    if not isinstance(pred, torch.Tensor) or not isinstance(target, torch.Tensor) or pred.dim() == 0:
        return None
    x, t = pred.detach().float(), target.detach()
    if fn in CLASSIFICATION:
        if x.dim() < 2:
            return None
        logp = torch.log_softmax(x, 1) if fn == "cross_entropy" else x
        if t.is_floating_point():
            if t.shape != x.shape:
                return None
            elem = -(t.float() * logp).sum(1)
        else:
            ignore = int(kwargs.get("ignore_index", -100))
            valid = t != ignore
            idx = torch.where(valid, t, torch.zeros_like(t)).long()
            if idx.shape != (x.shape[0], *x.shape[2:]) or int(idx.min()) < 0 or int(idx.max()) >= x.shape[1]:
                return None
            elem = -logp.gather(1, idx.unsqueeze(1)).squeeze(1)
            eps = float(kwargs.get("label_smoothing", 0.0) or 0.0) if fn == "cross_entropy" else 0.0
            if eps:
                elem = (1 - eps) * elem - eps * logp.mean(1)
            elem = torch.where(valid, elem, torch.full_like(elem, float("nan")))
    elif t.shape != x.shape:
        return None
    else:
        t = t.float()
        if fn == "binary_cross_entropy_with_logits":
            elem = x.clamp_min(0) - x * t + torch.log1p(torch.exp(-x.abs()))
        elif fn == "binary_cross_entropy":
            elem = -(
                t * x.clamp_min(1e-12).log().clamp_min(-100) + (1 - t) * (1 - x).clamp_min(1e-12).log().clamp_min(-100)
            )
        elif fn == "mse_loss":
            elem = (x - t) ** 2
        elif fn == "l1_loss":
            elem = (x - t).abs()
        elif fn in ("smooth_l1_loss", "huber_loss"):
            d = (x - t).abs()
            if fn == "huber_loss":
                delta = float(kwargs.get("delta", 1.0))
                elem = torch.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta))
            else:
                beta = float(kwargs.get("beta", 1.0))
                elem = d - 0.5 * beta if beta <= 0 else torch.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta)
        else:
            return None
    if elem.dim() == 0:
        return None
    return elem.reshape(elem.shape[0], -1).nanmean(1)


def batch_noise(fn: str, args: tuple, kwargs: dict) -> float | None:
    """The standard error of the batch-mean loss implied by the spread of per-sample losses:
    how much the loss would move from batch to batch with the model held fixed."""
    pred, target = _arg(args, kwargs, 0, "input"), _arg(args, kwargs, 1, "target")
    if isinstance(pred, torch.Tensor) and isinstance(target, torch.Tensor) and pred.dim():
        with quiet_numpy():
            host = host_per_sample_losses(fn, pred.detach(), target.detach(), kwargs)
            if host is not None:
                host = host[np.isfinite(host)]
                if host.size < MIN_NOISE_BATCH:
                    return None
                centred = host - np.add.reduce(host) / host.size
                return math.sqrt(float(np.add.reduce(centred * centred)) / (host.size - 1) / host.size)
    per_sample = per_sample_losses(fn, args, kwargs)
    if per_sample is None:
        return None
    per_sample = per_sample[torch.isfinite(per_sample)]
    if per_sample.numel() < MIN_NOISE_BATCH:
        return None
    return float(per_sample.std() / per_sample.numel() ** 0.5)


@register_quantity
class TrainingLoss(Quantity):
    """``loss``: the value of every tensor ``.backward()`` is called on (unscaled under AMP).

    ``loss_fn_value`` (key: function name): each training loss-function result (every step on
    CPU; on sampled steps on an accelerator, where reading it back would force a sync).
    ``constant_baseline`` (key: function name): on full sampled steps (``full_sample``: the
    targets' distribution changes little), the loss of the best constant prediction for the
    training targets (mean-reduced, unweighted losses only).
    ``loss_batch_noise`` (key: function name): on full sampled steps, the standard error of the
    batch loss from the spread of per-sample losses (batches of 4 or more).
    """

    name = "loss"
    every_step = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._baselines = _Baselines()
        # written on every step: bound once, on first use (Trace.appender)
        self._append_loss: Callable[[int, float], None] | None = None
        self._append_fn_value: dict[str, Callable[[int, float], None]] = {}

    def on_backward(self, tensor, loss_value):
        if loss_value is not None:
            append = self._append_loss
            if append is None:
                append = self._append_loss = self.ctx.trace.appender("loss")
            append(self.ctx.step, loss_value)

    def on_loss(self, fn_name, args, kwargs, result):
        if not isinstance(result, torch.Tensor) or not result.requires_grad or result.numel() != 1:
            return
        sampled = self.ctx.sampled
        if result.is_cpu:
            value = self.ctx.loss_value(result)  # read once: backward() is usually called on this tensor
        elif sampled:
            value = result.item()  # records nothing for autograd; cheaper than float(result.detach())
        else:
            return
        if value - value == 0.0:  # finite
            append = self._append_fn_value.get(fn_name)
            if append is None:
                append = self._append_fn_value[fn_name] = self.ctx.trace.appender("loss_fn_value", fn_name)
            append(self.ctx.step, value)
        if not sampled or not self.ctx.full_sample:
            return
        step, trace = self.ctx.step, self.ctx.trace
        with torch.no_grad():
            base = self._baselines.update(fn_name, args, kwargs)
            if base is not None and math.isfinite(base):
                trace.scalar("constant_baseline", step, base, fn_name)
            noise = batch_noise(fn_name, args, kwargs)
            if noise is not None and math.isfinite(noise):
                trace.scalar("loss_batch_noise", step, noise, fn_name)
