"""The short training loop every experiment shares, readable in one screen.

One step is what the user's own loop does: ``zero_grad``, forward, ``loss_fn(output, target)``,
``backward``, ``step``. A non-finite loss (or one that blew up far above where it started)
stops the training by raising :class:`~nndoctor.experiments.base.Diverged`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch

from nndoctor.experiments.base import Context, Diverged
from nndoctor.quantities._tensors import first_tensor


def scalar_loss(loss: torch.Tensor) -> torch.Tensor:
    """A loss built with ``reduction='none'`` is averaged, as a training loop would."""
    return loss if loss.numel() == 1 else loss.mean()


def forward_loss(ctx: Context, x: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, object]:
    """The loss and the raw model output on one batch (on the model's device)."""
    device = ctx.device
    out = ctx.model(x.to(device))
    return scalar_loss(ctx.recipe.loss_fn(out, y.to(device))), out


def train(
    ctx: Context,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    steps: int,
    batch_size: int | None = None,
    *,
    on_step: Callable[[int, float], bool | None] | None = None,
    blowup: float | None = None,
    seconds: float | None = None,
    lr_at: Callable[[int], float] | None = None,
    out: list[float] | None = None,
) -> list[float]:
    """Train for ``steps`` steps on mini-batches of ``(x, y)`` (full batch if ``batch_size`` is None).

    ``on_step(step, loss)`` returning True stops early; ``blowup`` stops (``Diverged``) when the loss
    exceeds that multiple of the first loss; ``lr_at(step)`` sets every group's learning rate.
    Losses are appended to ``out`` (kept when ``Diverged`` is raised) and returned. ``seconds``
    (default: the budget's ``train_seconds``) is a safety net for very slow models.
    """
    if seconds is None:
        seconds = ctx.budget.train_seconds
    model = ctx.model
    model.train()
    n = len(x)
    bs = n if batch_size is None else min(batch_size, n)
    losses: list[float] = out if out is not None else []
    order = torch.randperm(n)
    pos = 0
    start = time.monotonic()
    for step in range(steps):
        if pos + bs > n:
            order, pos = torch.randperm(n), 0
        idx = order[pos : pos + bs]
        pos += bs
        if lr_at is not None:
            for group in optimizer.param_groups:
                group["lr"] = lr_at(step)
        optimizer.zero_grad(set_to_none=True)
        loss, _ = forward_loss(ctx, x[idx], y[idx])
        value = float(loss.detach())
        losses.append(value)
        if not math.isfinite(value):
            raise Diverged(step, value, "non-finite loss")
        if blowup is not None and losses[0] > 0 and value > blowup * losses[0]:
            raise Diverged(step, value, f"loss above {blowup:g}x its first value")
        loss.backward()
        optimizer.step()
        if on_step is not None and on_step(step, value):
            break
        if seconds is not None and time.monotonic() - start > seconds:
            break
    return losses


@dataclass
class Evaluation:
    """Loss, outputs and predictions of the model on a set of examples (eval mode, no grad)."""

    loss: float
    outputs: torch.Tensor
    predictions: torch.Tensor


@torch.no_grad()
def evaluate(
    ctx: Context, x: torch.Tensor, y: torch.Tensor, batch_size: int = 512, train_mode: bool = False
) -> Evaluation:
    """Evaluate in eval mode (``train_mode`` keeps dropout/batch-norm as they are in training)."""
    model = ctx.model
    model.train(train_mode)
    total, count, outs = 0.0, 0, []
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size], y[i : i + batch_size]
        loss, out = forward_loss(ctx, xb, yb)
        total += float(loss) * len(xb)
        count += len(xb)
        t = first_tensor(out)
        if t is not None:
            outs.append(t.detach().float().cpu())
    outputs = torch.cat(outs) if outs else torch.zeros(0)
    predictions = ctx.task.predict(outputs) if len(outputs) else outputs
    return Evaluation(total / max(count, 1), outputs, predictions)


def error_rate(ctx: Context, predictions: torch.Tensor, y: torch.Tensor) -> float:
    """Classification: share of wrong predictions. Regression: mean squared error."""
    if ctx.task.classification:
        labels = ctx.task.labels(y).reshape(predictions.shape) if ctx.task.kind != "multiclass" else ctx.task.labels(y)
        return float((predictions != labels.to(predictions.device)).float().mean())
    pred = predictions.reshape(len(y), -1).double()
    target = y.reshape(len(y), -1).double().to(pred.device)
    if pred.shape != target.shape:
        return float("nan")
    return float(((pred - target) ** 2).mean())
