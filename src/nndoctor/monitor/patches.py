"""Thin, reversible wrappers around PyTorch entry points that have no global hook.

``Tensor.backward`` (the loss), the functional losses (``nn`` loss modules call these too),
``GradScaler.scale`` (to read the unscaled loss under AMP), ``Optimizer.zero_grad`` (where the
clearing sits in the loop: an optimizer that never steps is seen only there), the functional
dropouts (called without ``training=``, they stay on after ``model.eval()``) and
``warnings.showwarning``.
Each wrapper calls the original first or last, unchanged, and forwards one event to the active
monitor; the monitor's handlers never raise.
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

LOSS_FUNCTIONS = (
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "soft_margin_loss",
    "hinge_embedding_loss",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "triplet_margin_loss",
    "ctc_loss",
)


#: Functional dropouts whose ``training`` argument defaults to True (``nn.Dropout`` passes it).
#: Not the alpha dropouts: theirs defaults to False.
DROPOUT_FUNCTIONS = ("dropout", "dropout1d", "dropout2d", "dropout3d")


class Patches:
    """Installs the wrappers on ``install()`` and restores every original on ``uninstall()``."""

    def __init__(self, monitor: Any) -> None:
        self._monitor = monitor
        self._saved: list[tuple[Any, str, Any]] = []

    def _set(self, owner: Any, attr: str, value: Any) -> None:
        self._saved.append((owner, attr, getattr(owner, attr)))
        setattr(owner, attr, value)

    def install(self) -> None:
        mon = self._monitor
        orig_backward = torch.Tensor.backward

        @functools.wraps(orig_backward)
        def backward(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
            mon.on_backward(tensor)
            return orig_backward(tensor, *args, **kwargs)

        self._set(torch.Tensor, "backward", backward)

        for name in LOSS_FUNCTIONS:
            fn = getattr(F, name, None)
            if fn is not None:
                self._set(F, name, _wrap_loss(fn, name, mon))

        try:
            from torch.amp.grad_scaler import GradScaler
        except ImportError:  # pragma: no cover - torch < 2.3
            GradScaler = None
        if GradScaler is not None:
            orig_scale = GradScaler.scale

            @functools.wraps(orig_scale)
            def scale(scaler: Any, outputs: Any) -> Any:
                scaled = orig_scale(scaler, outputs)
                if isinstance(outputs, torch.Tensor):
                    mon.on_scaled_loss(outputs, scaled)
                return scaled

            self._set(GradScaler, "scale", scale)

        for name in DROPOUT_FUNCTIONS:
            fn = getattr(F, name, None)
            if fn is not None:
                self._set(F, name, _wrap_dropout(fn, name, mon))

        orig_zero_grad = torch.optim.Optimizer.zero_grad

        @functools.wraps(orig_zero_grad)
        def zero_grad(optimizer: Any, *args: Any, **kwargs: Any) -> Any:
            result = orig_zero_grad(optimizer, *args, **kwargs)
            if not mon._quiet_zero_grad:  # (a plain step: nothing listens)
                mon.on_zero_grad(optimizer)
            return result

        self._set(torch.optim.Optimizer, "zero_grad", zero_grad)

        orig_show = warnings.showwarning

        @functools.wraps(orig_show)
        def showwarning(message: Any, category: type, filename: str, lineno: int, *args: Any, **kwargs: Any) -> Any:
            mon.on_warning(str(message), category)
            if filename == __file__:  # PyTorch blamed its caller, our loss wrapper: blame the user's line
                filename, lineno = _caller_of_loss_wrapper(filename, lineno)
            return orig_show(message, category, filename, lineno, *args, **kwargs)

        self._set(warnings, "showwarning", showwarning)

    def uninstall(self) -> None:
        while self._saved:
            owner, attr, value = self._saved.pop()
            setattr(owner, attr, value)


def _wrap_loss(fn: Callable, name: str, mon: Any) -> Callable:
    @functools.wraps(fn)
    def loss(*args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:  # the user's error, raised unchanged; first, what the loss was given
            mon.on_loss_error(name, args, kwargs, exc)
            raise
        mon.on_loss(name, args, kwargs, result)
        return result

    return loss


def _wrap_dropout(fn: Callable, name: str, mon: Any) -> Callable:
    @functools.wraps(fn)
    def dropout(*args: Any, **kwargs: Any) -> Any:
        training = args[2] if len(args) > 2 else kwargs.get("training")
        if training is None or training is True:  # default True, or forced on: on even after eval()
            mon.on_default_dropout(name, args[1] if len(args) > 1 else kwargs.get("p", 0.5), training is True)
        return fn(*args, **kwargs)

    return dropout


_LOSS_WRAPPER_CODE = _wrap_loss(lambda: None, "", None).__code__


def _caller_of_loss_wrapper(filename: str, lineno: int) -> tuple[str, int]:
    """Where the user called the loss function: the frame above our wrapper on the stack.

    PyTorch warns with ``stacklevel=2`` from inside a loss function (the size-mismatch warning
    of ``mse_loss``), which points at the function's caller; under nndoctor that is the wrapper,
    so the warning would name this file instead of the user's line.
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _LOSS_WRAPPER_CODE and frame.f_back is not None:
            return frame.f_back.f_code.co_filename, frame.f_back.f_lineno
        frame = frame.f_back
    return filename, lineno
