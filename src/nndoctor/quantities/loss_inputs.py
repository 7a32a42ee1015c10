"""What each loss function receives: shapes, value ranges, the last operation before it, targets.

The prediction's *values* tell logits, probabilities and log-probabilities apart even when the
softmax is written inside ``forward`` (rows in [0, 1] summing to 1 are probabilities); its
autograd node names the operation that made it (``softmax``, ``sigmoid``, ``relu``) and the
module that operation was applied to. Target facts (integer class ids or floats, range, how
many classes a batch holds) let rules compare the prediction with what it must match.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import numpy as np
import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import (
    VIEW_NODES,
    NodeNames,
    first_tensor,
    host_array,
    host_relative_spread,
    is_float,
    quiet_numpy,
    relative_spread,
    saved_result,
)
from nndoctor.quantities.base import Quantity
from nndoctor.quantities.loss import BINARY, CLASSIFICATION

#: Losses that compare prediction and target elementwise and silently broadcast on mismatch.
ELEMENTWISE = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss"}
#: Losses that expect unnormalised scores (logits).
EXPECT_LOGITS = {"cross_entropy", "binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"}
#: Losses that expect log-probabilities.
EXPECT_LOG_PROBS = {"nll_loss", "kl_div"}
#: Autograd node -> the operation's name, for the ops that matter in front of a loss.
OPS = {
    "SoftmaxBackward0": "softmax",
    "LogSoftmaxBackward0": "log_softmax",
    "SigmoidBackward0": "sigmoid",
    "LogSigmoidBackward0": "log_sigmoid",
    "ReluBackward0": "relu",
    "TanhBackward0": "tanh",
    "HardtanhBackward0": "hardtanh",
    "ExpBackward0": "exp",
    "LogBackward0": "log",
    "ClampMinBackward0": "clamp_min",
    "ClampBackward1": "clamp",
    "AddmmBackward0": "linear",
    "MmBackward0": "matmul",
    "BmmBackward0": "matmul",
    "ConvolutionBackward0": "conv",
    "DivBackward0": "div",
}
#: Loss calls described per sampled step (a loop over time steps may call a loss hundreds of times).
MAX_CALLS_PER_STEP = 8
_TOLERANCE = {torch.float16: 0.05, torch.bfloat16: 0.05}
#: Classes counted per batch (one label per example): beyond this the targets are a vocabulary,
#: whose skew is the language's, not a sampling choice.
MAX_COUNTED_CLASSES = 64


def describe_prediction(x: torch.Tensor) -> dict[str, Any]:
    """Range facts about a prediction tensor that tell logits, probabilities and log-probs apart.

    Rows are taken along dim 1 (the class dimension of every PyTorch classification loss).
    All numbers come back in one device-to-host copy.
    """
    tol = _TOLERANCE.get(x.dtype, 1e-3)
    x = x.detach().float()
    rows = x.dim() >= 2 and x.shape[1] > 1
    host = host_array(x)
    if host is not None:
        with quiet_numpy():  # NaN/Inf show in the numbers, checked below
            values = _host_prediction_values(host, rows)
    else:
        parts = [x.min(), x.max(), (x == 0).float().mean()]
        if rows:
            parts.append((x.sum(dim=1) - 1).abs().max())
            parts.append(torch.logsumexp(x, dim=1).abs().max())
        values = torch.stack(parts).tolist()
    if not all(map(math.isfinite, values)):
        return {"finite": False}
    lo, hi = values[0], values[1]
    info: dict[str, Any] = {"finite": True, "min": lo, "max": hi}
    info["in_unit_interval"] = lo >= 0.0 and hi <= 1.0
    info["zero_share"] = values[2]
    if rows:
        info["rows_sum_dev"] = values[3]
        info["rows_sum_to_one"] = bool(info["in_unit_interval"] and values[3] <= tol)
        info["rows_logsumexp_dev"] = values[4]
        info["rows_are_log_probs"] = bool(hi <= tol and values[4] <= tol)
        info["classes"] = int(x.shape[1])
    return info


def _host_prediction_values(x: np.ndarray, rows: bool) -> list[float]:
    """``describe_prediction``'s numbers from a NumPy view of a small CPU prediction: min, max,
    share of zeros and, with rows, the largest deviation of a row's sum from 1 and of a row's
    logsumexp from 0."""
    values = [float(np.minimum.reduce(x, None)), float(np.maximum.reduce(x, None)), np.count_nonzero(x == 0) / x.size]
    if rows:
        values.append(float(np.maximum.reduce(np.abs(np.add.reduce(x, 1) - 1), None)))
        top = np.maximum.reduce(x, 1, keepdims=True)
        lse = np.log(np.add.reduce(np.exp(x - top), 1)) + top[:, 0]
        values.append(float(np.maximum.reduce(np.abs(lse), None)))
    return values


def describe_target(t: torch.Tensor, ranges: bool = True) -> dict[str, Any]:
    """Integer or float targets, their range and, for class ids, how many classes the batch holds.

    ``ranges=False``: only what tells whether the targets vary (the spread of float targets, the
    classes of class ids), which is what a prediction collapse is judged against.
    """
    info: dict[str, Any] = {"target_integer": not t.is_floating_point() and not t.is_complex()}
    if t.numel() == 0 or t.is_complex():
        return info
    host = host_array(t)
    if host is not None:
        with quiet_numpy():
            info.update(_describe_host_target(host, info["target_integer"], ranges))
        return info
    t = t.detach()
    integer = info["target_integer"]
    tf = t.float()
    parts = [tf.min(), tf.max()] if ranges or integer else []
    if ranges:
        parts += [(tf < 0).float().mean(), (tf > 1).float().mean(), (tf < -1).float().mean()]
        if not integer:
            parts.append((tf == tf.floor()).all().float())
    spread = not integer and t.dim() >= 1 and t.shape[0] >= 4
    if spread:
        parts.append(relative_spread(tf.reshape(tf.shape[0], -1)))
    if not parts:
        return info
    values = torch.stack(parts).tolist()
    if not all(map(math.isfinite, values)):
        info["target_finite"] = False
        return info
    if spread:
        info["target_spread"] = values[-1]
    if ranges:
        info["target_min"], info["target_max"] = values[0], values[1]
        info["target_frac_negative"], info["target_frac_above_one"] = values[2], values[3]
        info["target_frac_below_minus_one"] = values[4]
        if not integer:
            info["target_whole"] = values[5] == 1.0
    if integer and 0 <= values[1] < 100_000:  # values[1]: the largest class id
        # Ignored positions (ignore_index = -100 and the like) fall into bin 0, which is dropped.
        counts = torch.bincount(t.reshape(-1).long().clamp_min(-1) + 1)[1:]
        classes, top, valid = torch.stack([(counts > 0).sum(), counts.max(), counts.sum()]).tolist()
        if valid:
            info["target_classes"] = int(classes)
            info["target_majority_share"] = top / valid
    return info


def examples_of(x: torch.Tensor | None) -> int | None:
    """The batch size of a model's input ``x`` (its forward call's first tensor) when it is a float
    tensor (features, images), else None (token ids, no tensor): classes are counted only where the
    loss gets one prediction per such example, not one per token of a sequence."""
    return len(x) if x is not None and x.dim() >= 1 and x.is_floating_point() else None


def _on_host(t: torch.Tensor, as_float: bool = False) -> np.ndarray:
    """A NumPy view of a small CPU tensor, else a host copy (as float32 if ``as_float``)."""
    host = host_array(t)
    if host is not None:
        return host
    t = t.detach()
    return (t.float() if as_float else t).cpu().numpy()


def class_counts(fn: str, pred: torch.Tensor, target: Any) -> dict[str, Any]:
    """One label per example (the caller makes sure of that: not a flattened sequence): how many
    of the batch's examples each class is the target of (``class_counts``), how many the model
    gives it (``pred_class_counts``: the argmax of class scores; for a binary loss, the side of 0
    (logits) or 0.5 (probabilities)), and how many answers are the label (``correct``)."""
    if not isinstance(target, torch.Tensor) or target.dim() < 1 or len(target) != len(pred) or len(pred) == 0:
        return {}
    if fn in CLASSIFICATION:  # (N, C) scores and (N,) class ids
        if pred.dim() != 2 or target.dim() != 1 or not 2 <= pred.shape[1] <= MAX_COUNTED_CLASSES:
            return {}
        if target.is_floating_point() or target.is_complex():
            return {}
        k = pred.shape[1]
        labels, scores = _on_host(target), _on_host(pred, as_float=True)
        valid = (labels >= 0) & (labels < k)  # not the positions the loss ignores (ignore_index)
        labels = labels[valid].astype(np.int64)
        guessed = scores[valid].argmax(axis=1)
        return {
            "class_counts": np.bincount(labels, minlength=k).tolist(),
            "pred_class_counts": np.bincount(guessed, minlength=k).tolist(),
            "correct": int(np.count_nonzero(guessed == labels)),
        }
    if fn in BINARY:  # (N,) or (N, 1): one yes/no per example
        if pred.numel() != len(pred) or target.numel() != len(target) or not target.is_floating_point():
            return {}
        labels, scores = _on_host(target, as_float=True), _on_host(pred, as_float=True)
        if not bool(((labels == 0) | (labels == 1)).all()):
            return {}  # soft targets: no class to count
        threshold = 0.0 if fn == "binary_cross_entropy_with_logits" else 0.5
        yes = scores.reshape(-1) > threshold
        n, positives, said_yes = len(labels), int(np.count_nonzero(labels)), int(np.count_nonzero(yes))
        return {
            "class_counts": [n - positives, positives],
            "pred_class_counts": [n - said_yes, said_yes],
            "correct": int(np.count_nonzero(yes == (labels.reshape(-1) == 1))),
        }
    return {}


def class_weighted(args: tuple, kwargs: dict) -> bool:
    """The loss weights classes or examples: ``weight=`` (the third positional argument of the
    classification losses) or ``pos_weight=``."""
    weight = args[2] if len(args) > 2 else kwargs.get("weight")
    return isinstance(weight, torch.Tensor) or isinstance(kwargs.get("pos_weight"), torch.Tensor)


def loss_operands(args: tuple, kwargs: dict) -> tuple[Any, Any]:
    """The prediction and the target of a loss-function call, positional or by keyword."""
    return (args[0] if args else kwargs.get("input")), (args[1] if len(args) > 1 else kwargs.get("target"))


def describe_failed_call(fn: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    """What a loss function that raised was given: shapes, and the targets' range next to the
    number of classes the prediction has (class ids out of range are the usual error)."""
    pred, target = loss_operands(args, kwargs)
    info: dict[str, Any] = {"fn": fn}
    with torch.no_grad():
        if isinstance(pred, torch.Tensor):
            info["input_shape"] = list(pred.shape)
            if pred.dim() >= 2:
                info["classes"] = int(pred.shape[1])
            elif pred.dim() == 1 and fn in CLASSIFICATION:
                info["classes"] = int(pred.shape[0])  # one unbatched sample
        if isinstance(target, torch.Tensor):
            info["target_shape"] = list(target.shape)
            info.update(describe_target(target))
    if fn in CLASSIFICATION:
        info["ignore_index"] = int(kwargs.get("ignore_index", -100))
    return info


def _describe_host_target(t: np.ndarray, integer: bool, ranges: bool) -> dict[str, Any]:
    """``describe_target`` on a NumPy view of a small CPU tensor: the same facts, the same names."""
    info: dict[str, Any] = {}
    tf = t.astype(np.float64) if t.dtype == np.bool_ else t
    lo, hi = float(tf.min()), float(tf.max())
    spread = None
    if not integer and t.ndim >= 1 and t.shape[0] >= 4:
        spread = host_relative_spread(tf.reshape(tf.shape[0], -1))
    if not (math.isfinite(lo) and math.isfinite(hi)) or (spread is not None and not math.isfinite(spread)):
        return {"target_finite": False}
    if spread is not None:
        info["target_spread"] = spread
    if ranges:
        n = tf.size
        info["target_min"], info["target_max"] = lo, hi
        info["target_frac_negative"] = float(np.count_nonzero(tf < 0)) / n
        info["target_frac_above_one"] = float(np.count_nonzero(tf > 1)) / n
        info["target_frac_below_minus_one"] = float(np.count_nonzero(tf < -1)) / n
        if not integer:  # float class ids (``y.float()`` for an MSE): whole numbers only
            info["target_whole"] = bool(np.equal(np.floor(tf), tf).all())
    if integer and 0 <= hi < 100_000:
        counts = np.bincount(np.maximum(t.reshape(-1).astype(np.int64), -1) + 1)[1:]
        valid = int(counts.sum())
        if valid:
            info["target_classes"] = int(np.count_nonzero(counts))
            info["target_majority_share"] = int(counts.max()) / valid
    return info


#: The last tensor :func:`prediction_collapse` measured (a weak reference), its version and the
#: result: a model's output is measured by ``outputs`` and then, as the loss's input, here.
_last_collapse: tuple[Any, int, dict[str, Any]] | None = None


def prediction_collapse(pred: torch.Tensor) -> dict[str, Any]:
    """How much the prediction varies across the batch, and the share of its most common class.

    Treat the result as read-only: the same tensor, unchanged, gets the same dict back."""
    global _last_collapse
    last = _last_collapse
    if last is not None and last[0]() is pred and last[1] == pred._version:
        return last[2]
    info = _prediction_collapse(pred)
    try:
        _last_collapse = (weakref.ref(pred), pred._version, info)
    except TypeError:  # a tensor subclass without weak references
        _last_collapse = None
    return info


def _prediction_collapse(pred: torch.Tensor) -> dict[str, Any]:
    if pred.dim() < 1 or pred.shape[0] < 4:
        return {}
    host = host_array(pred)
    if host is not None and host.dtype.kind == "f":
        with quiet_numpy():
            spread = host_relative_spread(host.reshape(host.shape[0], -1))
            if not math.isfinite(spread):
                return {}
            info: dict[str, Any] = {"pred_spread": spread}
            if host.ndim >= 2 and host.shape[1] > 1:
                top = host.argmax(axis=1).reshape(-1)
                info["pred_majority_share"] = int(np.bincount(top, minlength=host.shape[1]).max()) / top.size
        return info
    x = pred.detach().float()
    flat = x.reshape(x.shape[0], -1)
    parts = [relative_spread(flat)]
    classes = x.dim() >= 2 and x.shape[1] > 1
    if classes:
        top = x.argmax(dim=1).reshape(-1)
        parts.append(torch.bincount(top, minlength=x.shape[1]).max().float() / top.numel())
    values = torch.stack(parts).tolist()
    if not math.isfinite(values[0]):  # NaN/Inf in the prediction: no statement about collapse
        return {}
    info: dict[str, Any] = {"pred_spread": values[0]}
    if classes:
        info["pred_majority_share"] = values[1]
    return info


def _softmax_dim(node, prefix: str) -> dict[str, int]:
    """The dimension a (log-)softmax autograd node normalised over, and that dimension's size."""
    dim = getattr(node, "_saved_dim", None)
    out = saved_result(node)
    if not isinstance(dim, int) or out is None or not out.dim():
        return {}
    if dim >= 1 << 63:  # autograd exposes a saved negative int64 as unsigned
        dim -= 1 << 64
    if not -out.dim() <= dim < out.dim():
        return {}
    return {f"{prefix}_dim": dim % out.dim(), f"{prefix}_dim_size": int(out.shape[dim])}


def last_operation(pred: torch.Tensor, names: NodeNames) -> dict[str, Any]:
    """The operation that made ``pred`` (through views), the dimension it ran over, and what fed it."""
    node = pred.grad_fn
    hops = 0
    while node is not None and type(node).__name__ in VIEW_NODES and node.next_functions and hops < 6:
        node, hops = node.next_functions[0][0], hops + 1
    if node is None:
        return {}
    tname = type(node).__name__
    info: dict[str, Any] = {"input_op": OPS.get(tname, tname)}
    if tname in ("SoftmaxBackward0", "LogSoftmaxBackward0"):
        info.update(_softmax_dim(node, "input_op"))
    elif tname == "LogBackward0":  # torch.log(softmax(x) [+ eps | .clamp(min=eps)]): where did it normalise?
        inner = node
        for _ in range(3):
            inner = inner.next_functions[0][0] if inner is not None and inner.next_functions else None
            if inner is None or type(inner).__name__ not in ("AddBackward0", "ClampMinBackward0", "ClampBackward1"):
                break
        if inner is not None and type(inner).__name__ == "SoftmaxBackward0":
            info.update(_softmax_dim(inner, "log_of_softmax"))
            found = names.lookup(inner.next_functions[0][0]) if inner.next_functions else None
            if found is not None:
                info["log_of_softmax_after"] = found[0]
    chain = []
    cur = node
    for _ in range(3):
        if cur is None or not cur.next_functions:
            break
        cur = cur.next_functions[0][0]
        if cur is None:
            break
        chain.append(OPS.get(type(cur).__name__, type(cur).__name__))
    info["input_op_chain"] = chain
    if node.next_functions:
        found = names.lookup(node.next_functions[0][0])
        if found is not None:
            info["input_op_after"], info["input_op_after_type"] = found
    found = names.lookup(node, through_views=False)  # a module's own output, reshaped after it (.squeeze(1))
    if found is not None:
        info["input_op_module"], info["input_op_module_type"] = found
    return info


def broadcast_shape(a: list[int], b: list[int] | None) -> list[int] | None:
    """The shape two shapes broadcast to, or None if they do not (``torch.broadcast_shapes``
    without its cost: it goes through the reference implementation, ~50 us a call)."""
    if b is None:
        return None
    out = []
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    longer = a if len(a) > len(b) else b
    return list(longer[: len(longer) - len(out)]) + out[::-1]


@register_quantity
class LossInputs(Quantity):
    """Event ``loss_call``: function, shapes, dtypes, prediction range and op, producing module,
    targets, and how much predictions vary across the batch.

    Recorded on sampled steps for training calls (grad enabled), at most ``MAX_CALLS_PER_STEP``
    per step. On full sampled steps (``full_sample``) every fact; on the others only the
    function, shapes and dtypes and what a collapse is judged by (``pred_spread``,
    ``pred_majority_share`` and the targets' spread or classes), with ``partial: true``: the
    prediction's range, the operation before the loss and the targets' range are facts of the
    model and the data, while a collapse is watched as it happens. For a classification loss with
    one label per example, every sampled call also counts the targets and the predictions per
    class (``class_counts``, ``pred_class_counts``: is a rare class ever answered?) and notes a
    class-weighted loss (``class_weighted``).
    """

    name = "loss_inputs"
    module_hooks = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._names = NodeNames()
        self._calls = 0
        #: The batch size of this step's training forward (see :func:`examples_of`).
        self._examples: int | None = None

    def on_root_forward(self, root, args, kwargs, grad):
        if grad:
            self._examples = examples_of(first_tensor(args) if args else first_tensor(kwargs))

    def on_module_forward(self, module, inputs, output):
        if self.ctx.full_sample and torch.is_grad_enabled():  # the producing module is read on full samples only
            self._names.add(output, self.ctx.name_of(module), module)

    def on_backward(self, tensor, loss_value):
        self._names.clear()  # the loss calls of this graph are recorded; the next forward names its own

    def on_after_step(self, optimizer):
        self._names.clear()
        self._calls = 0
        self._examples = None

    def on_loss(self, fn_name, args, kwargs, result):
        if not torch.is_grad_enabled() or self._calls >= MAX_CALLS_PER_STEP:
            return
        self._calls += 1
        pred, target = loss_operands(args, kwargs)
        if not isinstance(pred, torch.Tensor) or not is_float(pred):
            return
        tshape = list(target.shape) if isinstance(target, torch.Tensor) else None
        data: dict[str, Any] = {
            "fn": fn_name,
            "input_shape": list(pred.shape),
            "target_shape": tshape,
            "target_dtype": str(target.dtype).replace("torch.", "") if isinstance(target, torch.Tensor) else None,
            "input_dtype": str(pred.dtype).replace("torch.", ""),
        }
        if tshape is not None and tshape != data["input_shape"]:
            data["broadcast_shape"] = broadcast_shape(data["input_shape"], tshape)
        reduction = kwargs.get("reduction")
        if isinstance(reduction, str) and reduction != "mean":
            data["reduction"] = reduction  # "sum" scales the gradient with the batch size
        full = self.ctx.full_sample
        with torch.no_grad():
            if full:
                data.update(describe_prediction(pred))
            if not full or data.get("finite"):
                data.update(prediction_collapse(pred))
            if isinstance(target, torch.Tensor):
                data.update(describe_target(target, ranges=full))
            if fn_name in CLASSIFICATION or fn_name in BINARY:
                if self._examples == len(pred):
                    with quiet_numpy():
                        data.update(class_counts(fn_name, pred, target))
                if class_weighted(args, kwargs):
                    data["class_weighted"] = True
        if not full:
            data["partial"] = True
            self.ctx.trace.event("loss_call", self.ctx.step, **data)
            return
        data.update(last_operation(pred, self._names))
        producer = self.ctx.producer_of(pred)
        if producer is not None:
            data["producer"] = self.ctx.name_of(producer)
            data["producer_type"] = type(producer).__name__
            dim = getattr(producer, "dim", None)
            if dim is not None:
                data["producer_dim"] = dim
        self.ctx.trace.event("loss_call", self.ctx.step, **data)
