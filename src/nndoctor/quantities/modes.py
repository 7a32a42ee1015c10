"""Train/eval mode of dropout and batch-norm modules in training and in evaluation passes."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.dropout import _DropoutNd

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

MODE_SENSITIVE = (_DropoutNd, _BatchNorm, nn.AlphaDropout)


def _has_trainable(module: nn.Module | None) -> bool:
    return module is not None and any(p.requires_grad for p in module.parameters())


@register_quantity
class ModuleModes(Quantity):
    """Events ``eval_mode_step`` and ``train_mode_eval``.

    ``eval_mode_step``: an optimizer step followed a forward pass with grad enabled in which a
    dropout/batch-norm module sat in eval mode although the layers around it are trainable
    (a frozen backbone, whose parameters do not require grad, is not counted).
    ``train_mode_eval``: a forward pass under ``no_grad`` ran dropout/batch-norm in train mode.
    """

    name = "modes"
    module_hooks = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._eval_in_training: dict[str, str] = {}
        self._train_in_eval: dict[str, str] = {}
        self._eval_reported_at: int | None = None
        self._train_modules: int = 0

    def on_module_forward(self, module, inputs, output):
        if not isinstance(module, MODE_SENSITIVE):
            return
        if torch.is_grad_enabled():
            self._train_modules += 1
            if not module.training and (_has_trainable(module) or _has_trainable(self.ctx.parent_of(module))):
                self._eval_in_training[self.ctx.name_of(module)] = type(module).__name__
        elif module.training:
            self._train_in_eval[self.ctx.name_of(module)] = type(module).__name__

    def on_root_output(self, root, output, grad_enabled):
        if not grad_enabled and self._train_in_eval:
            self.ctx.trace.event("train_mode_eval", self.ctx.step, modules=dict(self._train_in_eval))
            self._train_in_eval.clear()

    def on_after_step(self, optimizer):
        if self._eval_in_training:
            self.ctx.trace.event(
                "eval_mode_step",
                self.ctx.step,
                modules=dict(self._eval_in_training),
                mode_sensitive_calls=self._train_modules,
            )
        self._eval_in_training.clear()
        self._train_modules = 0
