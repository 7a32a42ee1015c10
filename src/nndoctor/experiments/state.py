"""Leave no trace: snapshot the model, the optimizers and the RNGs, restore them in ``finally``.

Like torch-lr-finder's ``StateCacher`` and Lightning's LR finder, every experiment trains the
user's own model object (an optimizer the factory returns may hold references to its
parameters), so everything it can change is saved first and written back afterwards, bit for
bit: parameter and buffer values (and dtypes), ``.grad``, ``requires_grad``, train/eval flags
and attributes such as dropout's ``p``, every optimizer's state, and the torch, NumPy and
Python random generators. Inside, the experiment draws from its own seeded stream.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn


class ModelState:
    """Everything about a module that a short training can change."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self._params = [(p, p.detach().clone(), p.requires_grad, _clone_grad(p)) for p in model.parameters()]
        self._buffers = [(m, name, b, None if b is None else b.detach().clone()) for m, name, b in _buffers(model)]
        self._modes = [(m, m.training) for m in model.modules()]
        self._attrs: list[tuple[Any, str, Any]] = []

    def set_attr(self, obj: Any, name: str, value: Any) -> None:
        """Change an attribute (a dropout's ``p``) for the experiment; restored afterwards."""
        self._attrs.append((obj, name, getattr(obj, name)))
        setattr(obj, name, value)

    def restore(self) -> None:
        with torch.no_grad():
            for p, saved, requires_grad, grad in self._params:
                _write(p, saved)
                p.requires_grad_(requires_grad)
                p.grad = None if grad is None else grad.clone()
            for m, name, b, saved in self._buffers:
                current = m._buffers.get(name)
                if saved is None or current is None:
                    m._buffers[name] = b
                elif current is b:
                    _write(b, saved)
                else:  # the experiment replaced the buffer object: put the original back
                    _write(b, saved)
                    m._buffers[name] = b
        for m, training in self._modes:
            m.training = training
        while self._attrs:
            obj, name, value = self._attrs.pop()
            setattr(obj, name, value)


def _buffers(model: nn.Module) -> list[tuple[nn.Module, str, Any]]:
    return [(m, name, b) for m in model.modules() for name, b in m._buffers.items()]


def _clone_grad(p: torch.Tensor) -> torch.Tensor | None:
    return None if p.grad is None else p.grad.detach().clone()


def _write(t: torch.Tensor, saved: torch.Tensor) -> None:
    if t.shape == saved.shape and t.dtype == saved.dtype and t.device == saved.device:
        t.copy_(saved)
    else:
        t.data = saved.clone()


class OptimizerState:
    """An optimizer's ``state_dict`` (deep copy), written back with ``load_state_dict``."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self._saved = copy.deepcopy(optimizer.state_dict())

    def restore(self) -> None:
        self.optimizer.load_state_dict(copy.deepcopy(self._saved))


class RngState:
    """The torch (CPU and initialised CUDA devices), NumPy and Python generators."""

    def __init__(self) -> None:
        self._torch = torch.get_rng_state()
        self._cuda = (
            torch.cuda.get_rng_state_all() if torch.cuda.is_available() and torch.cuda.is_initialized() else None
        )
        self._numpy = np.random.get_state()
        self._python = random.getstate()

    def restore(self) -> None:
        torch.set_rng_state(self._torch)
        if self._cuda is not None:
            torch.cuda.set_rng_state_all(self._cuda)
        np.random.set_state(self._numpy)
        random.setstate(self._python)


class Preserved:
    """What one experiment may touch; ``restore()`` puts all of it back."""

    def __init__(self, model: nn.Module) -> None:
        self.rng = RngState()
        self.model = ModelState(model)
        self._optimizers: dict[int, OptimizerState] = {}

    def track(self, optimizer: torch.optim.Optimizer) -> torch.optim.Optimizer:
        """Save an optimizer's state before its first use (a factory may return a shared one)."""
        if id(optimizer) not in self._optimizers:
            self._optimizers[id(optimizer)] = OptimizerState(optimizer)
        return optimizer

    def reset(self) -> None:
        """Model and optimizers back to where they were (between the runs of one experiment)."""
        self.model.restore()
        for saved in self._optimizers.values():
            saved.restore()

    def restore(self) -> None:
        self.reset()
        self.rng.restore()


@contextmanager
def preserved(model: nn.Module, seed: int = 0) -> Iterator[Preserved]:
    """Save everything, seed every generator with ``seed``, restore everything on the way out."""
    saved = Preserved(model)
    try:
        torch.manual_seed(seed)
        np.random.seed(seed)
        random.seed(seed)
        yield saved
    finally:
        saved.restore()
