"""Train/eval mode of dropout and batch-norm modules in training and in evaluation passes.

Two mistakes look alike from inside one module and differ only in context, so this quantity
records the context the rules need to tell a bug from a deliberate choice:

- training in eval mode: a bug when ``model.eval()`` was called and never undone, i.e. the
  *root* model is in eval mode during the forward pass that the optimizer step follows. A
  frozen backbone (``requires_grad=False``) kept in eval mode, batch norm frozen on purpose
  inside a model in train mode, or an ``eval()`` forward used to craft an adversarial example
  before the real training forward are not.
- evaluating in train mode: a bug when a model that is trained and whose output feeds the loss
  runs no-grad forward passes with dropout/batch norm active and the root in train mode.
  A teacher or target network (never trained by backprop), a generator sampled for pictures
  (its output feeds the discriminator, not a loss), MC-dropout (the same input several times,
  or dropout switched on inside an ``eval()`` model), or ``update_bn`` (cumulative batch-norm
  statistics, ``momentum=None``) are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm
from torch.nn.modules.dropout import _DropoutNd

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import first_tensor
from nndoctor.quantities.base import Quantity

MODE_SENSITIVE = (_DropoutNd, _BatchNorm, nn.AlphaDropout)
MAX_DEPTH = 8


def _has_trainable(module: nn.Module | None) -> bool:
    return module is not None and any(p.requires_grad for p in module.parameters())


def _mode_matters(module: nn.Module) -> bool:
    """False for modules that behave the same in both modes (p=0 dropout, batch-stat-only BN)."""
    if isinstance(module, _BatchNorm):
        return bool(module.track_running_stats)
    return float(getattr(module, "p", 1.0)) > 0.0


@dataclass
class _Frame:
    """What one root forward pass saw."""

    eval_modules: dict[str, str] = field(default_factory=dict)
    train_modules: dict[str, str] = field(default_factory=dict)
    sensitive: int = 0
    repeated: bool = False
    watched: bool = False  # module hooks were armed: the module details are known

    def absorb(self, child: _Frame) -> None:
        self.eval_modules.update(child.eval_modules)
        self.train_modules.update(child.train_modules)
        self.sensitive += child.sensitive
        self.watched = self.watched or child.watched


#: What an unwatched forward saw (read only, never filled).
_EMPTY_FRAME = _Frame()


def _fingerprint(args: tuple, kwargs: dict) -> tuple | None:
    t = first_tensor(args) if args else first_tensor(kwargs)
    if t is None:
        return None
    try:
        return (id(t), t.data_ptr(), tuple(t.shape), t._version)
    except Exception:  # tensors without storage (meta, some subclasses)
        return (id(t), tuple(t.shape))


@register_quantity
class ModuleModes(Quantity):
    """Events ``eval_mode_step``, ``train_mode_eval``, ``trained_root``, ``loss_root``.

    ``eval_mode_step`` (at an optimizer step): the last grad-enabled forward of ``root`` before
    the step ran with the root in eval mode, and dropout/batch-norm modules sit in eval mode
    in a trainable context (seen on the watched forwards); data: root, root_training, modules
    {name: type}, mode_sensitive (how many such modules ran). Reported for the first few such
    steps of a root, then on sampled steps.
    ``train_mode_eval`` (per watched no-grad forward): dropout/batch-norm ran in train mode;
    data: root, root_training, modules, repeated (same input tensor as the previous no-grad
    forward of that root: MC-dropout).
    ``trained_root`` / ``loss_root`` (once per root): the root ran a grad-enabled forward in
    train mode / its output was the last one computed before a training loss call.

    Runs every step (the module details come only from watched forwards) because which
    forward a step followed is known only by seeing every forward; the per-forward work is a
    few dictionary operations.
    """

    name = "modes"
    module_hooks = True
    # Frequent steps see every event of a training step, and a mode left wrong stays wrong from
    # step to step; evaluation passes matter only where module hooks watch them, which
    # dispatches every quantity anyway.
    frequent = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._frames: list[_Frame | None] = []
        # root -> root.training of its last grad-enabled forward since the last step
        self._last_train_fwd: dict[str, bool] = {}
        # root -> eval-mode modules (in a trainable context) seen on its latest watched
        # grad-enabled forward in eval mode, and how many mode-sensitive modules ran there
        self._eval_modules: dict[str, tuple[dict[str, str], int]] = {}
        self._eval_steps: dict[str, int] = {}
        self._trained: set[str] = set()
        self._loss_roots: set[str] = set()
        self._last_output: tuple[str, bool] | None = None
        self._nograd_input: dict[str, Any] = {}

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        frame = None  # made when something is put in it: most forwards (unwatched training) have nothing
        if grad_enabled:
            if root.training and id(root) not in self._trained:
                self._trained.add(id(root))
                self.ctx.trace.event("trained_root", self.ctx.step, root=self.ctx.name_of(root))
        else:
            name = self.ctx.name_of(root)
            fp = _fingerprint(args, kwargs)
            frame = _Frame(repeated=fp is not None and self._nograd_input.get(name) == fp)
            self._nograd_input[name] = fp
        if len(self._frames) >= MAX_DEPTH:  # a root whose output hook never came
            self._frames.clear()
        self._frames.append(frame)

    def on_module_forward(self, module, inputs, output):
        if not self._frames or not isinstance(module, MODE_SENSITIVE) or not _mode_matters(module):
            return
        frame = self._frames[-1]
        if frame is None:
            frame = self._frames[-1] = _Frame()
        frame.watched = True
        if torch.is_grad_enabled():
            frame.sensitive += 1
            if not module.training and self._trainable_context(module):
                frame.eval_modules[self.ctx.name_of(module)] = type(module).__name__
        elif module.training and getattr(module, "momentum", 0.1) is not None:
            frame.train_modules[self.ctx.name_of(module)] = type(module).__name__

    def _trainable_context(self, module: nn.Module) -> bool:
        """Batch norm counts when its own affine parameters train (frozen BN is deliberate);
        dropout when the layers around it train."""
        if isinstance(module, _BatchNorm) and module.affine:
            return _has_trainable(module)
        return _has_trainable(self.ctx.parent_of(module))

    def on_root_output(self, root, output, grad_enabled):
        name = self.ctx.name_of(root)
        training = bool(root.training)
        self._last_output = (name, grad_enabled and training)
        frame = (self._frames.pop() if self._frames else None) or _EMPTY_FRAME
        if self._frames and frame is not _EMPTY_FRAME:  # a nested root: its modules are also its parent's
            if self._frames[-1] is None:
                self._frames[-1] = _Frame()
            self._frames[-1].absorb(frame)
        if grad_enabled:
            self._last_train_fwd[name] = training
            if frame.watched and not training:
                self._eval_modules[name] = (dict(frame.eval_modules), frame.sensitive)
        elif frame.train_modules:
            self.ctx.trace.event(
                "train_mode_eval",
                self.ctx.step,
                root=name,
                root_training=training,
                modules=dict(frame.train_modules),
                repeated=frame.repeated,
            )

    def on_loss(self, fn_name, args, kwargs, result):
        if self._last_output is None or not torch.is_grad_enabled():
            return
        name, training = self._last_output
        if training and name not in self._loss_roots:
            self._loss_roots.add(name)
            self.ctx.trace.event("loss_root", self.ctx.step, root=name)

    def on_after_step(self, optimizer):
        self._frames.clear()
        if not self._last_train_fwd:
            return
        for name, training in self._last_train_fwd.items():
            if training or name not in self._eval_modules:
                continue
            modules, sensitive = self._eval_modules[name]
            if not modules:
                continue
            n = self._eval_steps[name] = self._eval_steps.get(name, 0) + 1
            if n <= 5 or self.ctx.sampled:
                self.ctx.trace.event(
                    "eval_mode_step",
                    self.ctx.step,
                    root=name,
                    root_training=False,
                    modules=modules,
                    mode_sensitive=sensitive,
                )
        self._last_train_fwd.clear()
