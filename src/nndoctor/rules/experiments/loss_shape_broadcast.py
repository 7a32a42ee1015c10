"""loss-shape-broadcast (examine): prediction and target shapes differ in an elementwise loss."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of

ELEMENTWISE = (
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
)


@register
class LossShapeBroadcastExamine(ExamineRule):
    """An elementwise loss receives a prediction and a target of different shapes.

    What it detects:
        On the probe batch, MSE/L1/Huber/BCE with a prediction of shape (N, 1) and a target of
        shape (N,) (or any two shapes that differ but broadcast).
    Why it matters:
        (N, 1) against (N,) broadcasts to (N, N): every prediction is compared with every
        target, the loss averages nonsense, and the model learns to predict the mean.
    Fix:
        Make the shapes equal: squeeze the prediction or unsqueeze the target.
    """

    id = "loss-shape-broadcast"
    severity = Severity.ERROR
    title = "Prediction and target shapes broadcast in the loss"

    def check(self, view):
        p = data_of(view, "loss_probe")
        if not p or p["loss"] not in ELEMENTWISE or not p.get("output_shape") or p.get("loss_error"):
            return
        out = list(p["output_shape"])
        target = [out[0], *p.get("target_shape", [])]
        if out == target:
            return
        message = (
            f"{p['loss']} compares a prediction of shape {tuple(out)} with a target of shape {tuple(target)}: they "
            "broadcast, so each prediction is compared with the wrong targets."
        )
        fix = "Make the shapes equal:\n```\nloss = loss_fn(model(x).squeeze(-1), y)   # or y.unsqueeze(-1)\n```"
        yield self.finding(
            message,
            fix,
            where=p.get("producer"),
            evidence={"prediction_shape": out, "target_shape": target, "loss": p["loss"]},
        )
