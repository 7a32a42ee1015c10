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
        On the probe batch, MSE/L1/Huber/BCE receiving a prediction of shape (N, 1) and a target
        of shape (N,) (or any two shapes that differ but broadcast). The shapes are the ones the
        loss was called with, so a loss function that squeezes the output first is fine.
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
        if not p or p["loss"] not in ELEMENTWISE or p.get("loss_error"):
            return
        if p.get("loss_input_shape") is not None and p.get("loss_target_shape") is not None:
            out, target = list(p["loss_input_shape"]), list(p["loss_target_shape"])  # what the loss received
        elif p.get("loss_source") == "module" and p.get("output_shape"):
            out = list(p["output_shape"])  # a stock loss module is given the model's output as is
            target = [out[0], *p.get("target_shape", [])]
        else:
            return  # a loss function of the user's own may reshape either side: nothing to compare
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
