"""The loss at initialisation against the loss of a "neutral" output.

A freshly initialised network should be unsure: logits near zero give cross-entropy ln C (ln 2
for a binary loss), and outputs near zero give an MSE equal to the mean square of the targets
(their variance when they are centred, as standardised targets are; the variance is recorded too).
The neutral value is computed with the recipe's own loss function on a neutral output (zero
logits, 0.5 probabilities, uniform log-probabilities, zero predictions), so it also covers
label smoothing, class weights and reductions. The entropy of the class prior (the loss of the
best constant prediction) is recorded too: an initial loss below it is impossible without
information the model should not have yet.

Records ``initial_loss`` {loss, expected, expected_formula, prior_entropy, target_variance,
output_std, batches}.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from nndoctor.experiments.base import Context, Experiment, Skip
from nndoctor.experiments.training import scalar_loss
from nndoctor.quantities._tensors import first_tensor

BATCHES = 8


class InitialLoss(Experiment):
    name = "initial-loss"
    title = "loss at initialisation"

    @torch.no_grad()
    def run(self, ctx: Context) -> str:
        r = ctx.recipe
        bs = r.batch_size
        n = min(len(r.train_x), bs * BATCHES)
        ctx.model.train()  # what the first training step sees (batch-norm statistics of the batch)
        losses, neutral, stds = [], [], []
        for i in range(0, n, bs):
            x, y = r.train_x[i : i + bs].to(ctx.device), r.train_y[i : i + bs].to(ctx.device)
            raw = ctx.model(x)
            losses.append(float(scalar_loss(r.loss_fn(raw, y))))
            out = first_tensor(raw)
            if out is not None and out.is_floating_point():
                stds.append(float(out.float().std()) if out.numel() > 1 else 0.0)
                if isinstance(raw, torch.Tensor):
                    value = _neutral_loss(ctx, raw, y)
                    if value is not None:
                        neutral.append(value)
        loss = sum(losses) / len(losses)
        formula, expected = _formula(ctx)
        if neutral and all(math.isfinite(v) for v in neutral):
            expected = sum(neutral) / len(neutral)
        if expected is None:
            raise Skip(f"no expected initial value for loss {ctx.task.loss}")
        data: dict[str, Any] = {
            "loss": loss,
            "expected": expected,
            "expected_formula": formula,
            "loss_name": ctx.task.loss,
            "task": ctx.task.kind,
            "classes": ctx.task.classes,
            "output_std": sum(stds) / len(stds) if stds else None,
            "batches": len(losses),
            "examples": n,
        }
        prior = _prior_entropy(ctx, r.train_y)
        if prior is not None:
            data["prior_entropy"] = prior
        if ctx.task.kind == "regression" and r.train_y.is_floating_point() and r.train_y.numel() > 1:
            y = r.train_y.double()
            data["target_variance"] = float(y.var(dim=0).mean()) if y.dim() > 1 and len(y) > 1 else float(y.var())
        ctx.event("initial_loss", **data)
        return f"initial loss {loss:.4g}, expected about {expected:.4g} ({formula})"


def _neutral_output(ctx: Context, out: torch.Tensor) -> torch.Tensor | None:
    loss = ctx.task.loss
    if loss in ("cross_entropy", "binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"):
        return torch.zeros_like(out)
    if loss == "binary_cross_entropy":
        return torch.full_like(out, 0.5)
    if loss == "nll_loss" and out.dim() > 1:
        return torch.full_like(out, -math.log(out.shape[1]))
    if ctx.task.kind == "regression":
        return torch.zeros_like(out)
    return None


def _neutral_loss(ctx: Context, out: torch.Tensor, y: torch.Tensor) -> float | None:
    neutral = _neutral_output(ctx, out)
    if neutral is None:
        return None
    try:
        return float(scalar_loss(ctx.recipe.loss_fn(neutral, y)))
    except Exception:
        return None


def _formula(ctx: Context) -> tuple[str, float | None]:
    t = ctx.task
    if t.kind == "multiclass" and t.classes > 1:
        return f"ln({t.classes})", math.log(t.classes)
    if t.kind in ("binary", "multilabel"):
        return "ln(2)", math.log(2)
    if t.kind == "regression":
        y = ctx.recipe.train_y.double()
        name = "mean(|y|)" if t.loss == "l1_loss" else "mean(y^2)"
        return name, float(y.abs().mean() if t.loss == "l1_loss" else y.pow(2).mean())
    return "unknown", None


def _prior_entropy(ctx: Context, y: torch.Tensor) -> float | None:
    """Cross-entropy of the best constant prediction: the entropy of the class frequencies."""
    if ctx.task.kind not in ("multiclass", "binary"):
        return None
    labels = ctx.task.labels(y).reshape(-1)
    if labels.is_floating_point():
        labels = labels.round().long()
    counts = torch.bincount(labels.clamp_min(0)).double()
    p = counts[counts > 0] / counts.sum()
    return float(-(p * p.log()).sum())
