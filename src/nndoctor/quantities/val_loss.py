"""The loss of evaluation passes: loss-function calls that are never backpropagated."""

from __future__ import annotations

import numpy as np
import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import first_tensor, quiet_numpy
from nndoctor.quantities.base import Quantity
from nndoctor.quantities.loss import BINARY, CLASSIFICATION
from nndoctor.quantities.loss_inputs import class_counts, examples_of, loss_operands

#: Deeper nesting than this means a root's output hook never came; start counting afresh.
MAX_DEPTH = 8


@register_quantity
class ValidationLoss(Quantity):
    """``val_loss``: mean of loss-function results computed under ``no_grad`` or in eval mode.

    One value per evaluation phase (the calls between two optimizer steps), recorded at the
    step the phase followed; ``reduction="none"`` results count by their mean.

    Which calls are evaluation is decided by the *outermost* model of the forward pass (a
    frozen backbone kept in eval mode inside a model in train mode is training). A loss
    computed with grad enabled in eval mode is only kept once the next forward pass is also
    an evaluation one (or the run ends): if a training forward or a backward comes first, it
    was part of training (the monitor may not see a wrapper around a frozen eval-mode root);
    and a forward whose input requires grad probes the model (adversarial examples, saliency),
    it does not evaluate it.

    Event ``val_class_counts`` {fn, class_counts, pred_class_counts, correct} per evaluation
    phase: for a classification loss under ``no_grad`` that gets one prediction per example of a
    float input, how many examples each class is the target of, how many the model gives it (is a
    rare class ever answered on held-out data?), and how many answers are right (the validation
    accuracy, next to the validation loss).
    """

    name = "val_loss"
    # From the first evaluation forward of a step to that step's end (and on sampled steps):
    # the losses of an evaluation phase and the training forward, backward and step after it,
    # which close it. Training steps without an evaluation pass carry none of it.
    evaluation = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._sum = 0.0
        self._n = 0
        self._pending_sum = 0.0
        self._pending_n = 0
        self._depth = 0
        self._outer_training = True
        self._probing = False
        #: The batch size of the evaluation forward (see :func:`~.loss_inputs.examples_of`).
        self._examples: int | None = None
        #: Per (loss function, classes): summed target and answer counts of the phase.
        self._counts: dict[tuple[str, int], list[np.ndarray]] = {}

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        if self._depth == 0 or self._depth >= MAX_DEPTH:
            self._depth = 0
            self._outer_training = bool(root.training)
            if grad_enabled and self._outer_training:  # training (the every-step path: keep it short)
                if self._pending_n:
                    self._drop_pending()
                self._probing = False
            else:
                self._commit()
                x = first_tensor(args) if args else first_tensor(kwargs)
                self._probing = grad_enabled and x is not None and x.requires_grad
                self._examples = examples_of(x)
        self._depth += 1

    def on_root_output(self, root, output, grad_enabled):
        self._depth = max(0, self._depth - 1)

    def on_loss(self, fn_name, args, kwargs, result):
        if not isinstance(result, torch.Tensor) or not result.numel() or not result.is_floating_point():
            return
        grad = torch.is_grad_enabled()
        if grad and (self._outer_training or self._probing):
            return
        with torch.no_grad():
            value = float(result.detach().float().mean()) if result.numel() > 1 else float(result.detach())
        if grad and result.requires_grad:
            self._pending_sum += value
            self._pending_n += 1
        else:
            self._sum += value
            self._n += 1
            if (fn_name in CLASSIFICATION or fn_name in BINARY) and self._examples is not None:
                self._count_classes(fn_name, args, kwargs)

    def _count_classes(self, fn_name, args, kwargs) -> None:
        pred, target = loss_operands(args, kwargs)
        if not isinstance(pred, torch.Tensor) or pred.dim() < 1 or len(pred) != self._examples:
            return
        with torch.no_grad(), quiet_numpy():
            counts = class_counts(fn_name, pred, target)
        if counts:
            key = (fn_name, len(counts["class_counts"]))
            found = self._counts.get(key)
            now = [np.asarray(counts["class_counts"]), np.asarray(counts["pred_class_counts"]), counts["correct"]]
            self._counts[key] = now if found is None else [a + b for a, b in zip(found, now, strict=True)]

    def on_backward(self, tensor, loss_value):
        if self._pending_n:
            self._drop_pending()

    def on_before_step(self, optimizer):
        self._depth = 0
        if self._pending_n:
            self._drop_pending()
        if self._n:
            self.flush()

    def _drop_pending(self) -> None:
        self._pending_sum, self._pending_n = 0.0, 0

    def _commit(self) -> None:
        self._sum += self._pending_sum
        self._n += self._pending_n
        self._drop_pending()

    def flush(self) -> None:
        self._commit()
        if self._n:
            self.ctx.trace.scalar("val_loss", self.ctx.step, self._sum / self._n)
            self._sum, self._n = 0.0, 0
        for (fn, _), (targets, answers, correct) in self._counts.items():
            self.ctx.trace.event(
                "val_class_counts",
                self.ctx.step,
                fn=fn,
                class_counts=targets.tolist(),
                pred_class_counts=answers.tolist(),
                correct=int(correct),
            )
        self._counts.clear()
