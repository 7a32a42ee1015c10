"""loss-shape-broadcast: prediction and target shapes differ and broadcast inside the loss."""

from __future__ import annotations

import math
import re
from typing import Any

from nndoctor.findings import Severity
from nndoctor.quantities.loss_inputs import broadcast_shape
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: Losses that compare elementwise and broadcast silently (or with only a UserWarning).
ELEMENTWISE = {"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss"}
#: PyTorch's own warning (mse/l1/smooth_l1/huber): "Using a target size (torch.Size([32])) that is
#: different to the input size (torch.Size([32, 1]))".
WARNING_RE = re.compile(
    r"target size \(torch\.Size\(\[([0-9, ]*)\]\)\) that is different to the input size \(torch\.Size\(\[([0-9, ]*)\]\)\)"
)


def _shape(text: str) -> list[int]:
    return [int(p) for p in text.split(",") if p.strip()]


def _pattern(pred: list[int], target: list[int]) -> tuple:
    """The mismatch without the batch size: (32, 1) vs (32,) and a last batch's (26, 1) vs (26,) are one."""
    return (len(pred), tuple(pred[1:]), len(target), tuple(target[1:]))


def _numel(shape: list[int]) -> int:
    return math.prod(shape) if shape else 1


def fix_for(pred: list[int], target: list[int]) -> str:
    if len(pred) == len(target) + 1 and pred[-1] == 1 and pred[:-1] == target:
        code = "loss = criterion(output.squeeze(-1), y)   # (N, 1) -> (N,), same shape as y"
    elif len(target) == len(pred) + 1 and target[-1] == 1 and target[:-1] == pred:
        code = "loss = criterion(output, y.squeeze(-1))   # y (N, 1) -> (N,), same shape as the output"
    else:
        code = "assert output.shape == y.shape, (output.shape, y.shape)"
    return f"Make the prediction and the target the same shape before the loss:\n```\n{code}\n```"


@register
class LossShapeBroadcast(Rule):
    """Prediction and target shapes differ and silently broadcast inside an elementwise loss.

    What it detects:
        ``MSELoss``/``L1Loss``/``SmoothL1Loss``/``HuberLoss``/``KLDivLoss``/``PoissonNLLLoss``
        calls whose prediction and target have different shapes that broadcast, e.g. (N, 1)
        against (N,), which becomes an (N, N) comparison of every prediction with every target;
        also PyTorch's own "Using a target size ... different to the input size" warning, when
        it is raised (it is shown once per call site and often missed in a busy log). A target
        of a single element (a constant such as 0) is left alone.
    Why it matters:
        With (N, 1) vs (N,) each prediction is pulled towards the mean of all targets in the
        batch instead of its own target: the loss goes down a little, then plateaus at the
        target variance, and the model learns to predict the mean. No error is raised.
    Fix:
        Give both the same shape: ``output.squeeze(-1)`` or ``y.unsqueeze(-1)``.
    """

    id = "loss-shape-broadcast"
    severity = Severity.ERROR
    title = "Prediction and target shapes broadcast in the loss"
    requires = frozenset({"loss_inputs", "warnings"})

    def check(self, view):
        seen: dict[tuple, Any] = {}
        for e in view.events("loss_call"):
            d = e.data
            pred, target = d.get("input_shape"), d.get("target_shape")
            if d.get("fn") not in ELEMENTWISE or target is None or pred == target:
                continue
            key = _pattern(pred, target)
            if key not in seen:
                where = d.get("producer") or d.get("input_op_after")
                found = self._finding(pred, target, d.get("fn"), where, e.step, "loss call")
                if found is not None:
                    seen[key] = found
        for e in view.events("torch_warning"):
            m = WARNING_RE.search(e.data.get("message", ""))
            if m is None:
                continue
            target, pred = _shape(m.group(1)), _shape(m.group(2))
            key = _pattern(pred, target)
            if key not in seen:
                found = self._finding(pred, target, None, None, e.step, "PyTorch warning")
                if found is not None:
                    seen[key] = found
        yield from seen.values()

    def _finding(self, pred, target, fn, where, step, source):
        if _numel(target) <= 1:
            return None
        shape = broadcast_shape(pred, target)
        if shape is None:
            return None
        n_shape, n_pred, n_target = _numel(shape), _numel(pred), _numel(target)
        evidence: dict[str, Any] = {
            "input_shape": pred,
            "target_shape": target,
            "broadcast_shape": shape,
            "compared_pairs": n_shape,
            "detected_from": source,
        }
        if fn:
            evidence["loss_function"] = fn
        name = fn or "the loss"
        if n_shape > max(n_pred, n_target):
            message = (
                f"{name} receives a prediction of shape {tuple(pred)} and a target of shape {tuple(target)}; they "
                f"broadcast to {tuple(shape)}, so every prediction is compared with every target ({n_shape} pairs "
                f"instead of {max(n_pred, n_target)}) and the model learns to predict the batch mean."
            )
            severity = Severity.ERROR
        else:
            bigger = "target" if n_pred < n_target else "prediction"
            message = (
                f"{name} receives a prediction of shape {tuple(pred)} and a target of shape {tuple(target)}: the "
                f"smaller one is silently repeated to {tuple(shape)} to match the {bigger}, which is rarely what was meant."
            )
            severity = Severity.WARNING
        return self.finding(
            message, fix_for(pred, target), where=where, step=step, evidence=evidence, severity=severity
        )
