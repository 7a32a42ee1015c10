"""How often the model's top class is the class a hand-written objective picks out of a softmax.

A hand-written classification objective reads the probability (or log-probability) of the
labelled class out of a softmax: ``probs.gather(1, y[:, None])``, ``probs[torch.arange(n), y]``,
``(probs * F.one_hot(y, C)).sum(1)``. Its sign decides whether training makes the model right
or wrong: minimising the soft accuracy (the probability of the correct class) instead of its
complement, or ``log p`` instead of ``-log p``, trains a model that is confidently wrong while
the loss falls like a healthy one's. Nothing else in the run tells the two apart (no loss
function sees the labels), so this reads the pick from the loss's autograd graph at
``backward()``: the softmax node keeps its output for the backward pass, and the pick keeps its
index (gather, indexing) or the one-hot it multiplied by.

On sampled steps whose loss no known loss function computed, at most :data:`MAX_NODES` autograd
nodes from the loss (the pick sits a few nodes from it). A run whose first
:data:`GIVE_UP_AFTER` sampled backward passes show no pick (a loss function's loss, a
regression) stops looking (``retire``).

Series (key: ``"<op> of softmax"``, e.g. ``"gather of softmax"``):

- ``picked_accuracy``: share of samples whose top class is the picked one;
- ``picked_probability``: mean probability the model gives the picked class;
- ``picked_classes``: the number of classes (the softmax's width).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import torch

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import VIEW_NODES, saved_result
from nndoctor.quantities.base import Quantity

#: Autograd nodes looked at from the loss, breadth first.
MAX_NODES = 48
#: Sampled backward passes without a pick before the quantity stops looking.
GIVE_UP_AFTER = 8
SOFTMAX_NODES = {"SoftmaxBackward0": False, "LogSoftmaxBackward0": True}  # -> holds log-probabilities
PICK_NODES = frozenset({"GatherBackward0", "IndexBackward0", "MulBackward0"})


def _softmax_under(node: Any) -> Any:
    """The softmax node under ``node``'s first input, through views (squeeze, reshape); or None."""
    if node is None or not node.next_functions:
        return None
    below = node.next_functions[0][0]
    for _ in range(4):
        if below is None:
            return None
        name = type(below).__name__
        if name in SOFTMAX_NODES:
            return below
        if name not in VIEW_NODES or not below.next_functions:
            return None
        below = below.next_functions[0][0]
    return None


def _labels_of(pick: Any, probs: torch.Tensor) -> torch.Tensor | None:
    """The class index each row of ``probs`` (N, C) had picked, or None if the pick is not one
    class per row (soft labels, a slice, another dimension)."""
    n, c = probs.shape
    kind = type(pick).__name__
    if kind == "GatherBackward0":
        index = getattr(pick, "_saved_index", None)
        if getattr(pick, "_saved_dim", None) not in (1, -1) or index is None or index.shape not in ((n, 1),):
            return None
        return index.reshape(n)
    if kind == "IndexBackward0":
        indices = getattr(pick, "_saved_indices", None)
        if not isinstance(indices, tuple) or len(indices) != 2 or any(not isinstance(t, torch.Tensor) for t in indices):
            return None
        rows, cols = indices
        if rows.shape != (n,) or cols.shape != (n,) or not torch.equal(rows, torch.arange(n, device=rows.device)):
            return None
        return cols
    # MulBackward0: probabilities times a one-hot matrix
    for attr in ("_saved_other", "_saved_self"):
        other = getattr(pick, attr, None)
        if not isinstance(other, torch.Tensor) or other.shape != (n, c) or other.data_ptr() == probs.data_ptr():
            continue
        o = other.detach().float()
        if bool(((o == 0) | (o == 1)).all()) and bool((o.sum(1) == 1).all()):
            return o.argmax(1)
    return None


@register_quantity
class PickedClass(Quantity):
    """``picked_accuracy``, ``picked_probability``, ``picked_classes`` of a hand-written
    objective that picks the labelled class out of a softmax (see the module docstring)."""

    name = "picked_class"

    def __init__(self, ctx):
        super().__init__(ctx)
        self._loss_function_called = False
        self._looks = 0
        self._found = False

    def on_loss(self, fn_name, args, kwargs, result):
        self._loss_function_called = True  # a known loss: its own quantities watch it

    def on_after_step(self, optimizer):
        self._loss_function_called = False

    def on_backward(self, tensor, loss_value):
        if (
            not self._loss_function_called
            and isinstance(tensor, torch.Tensor)
            and tensor.grad_fn is not None
            and tensor.numel() == 1
            and torch.is_grad_enabled()
        ):
            self._found = self._measure(tensor.grad_fn) or self._found
        if not self._found:
            self._looks += 1
            if self._looks >= GIVE_UP_AFTER:
                self.ctx.retire(self.name)

    def _measure(self, root: Any) -> bool:
        """Record the pick near the loss; True if the loss holds one. Two picks of classes
        (a likelihood term and an unlikelihood one, pushing some classes down on purpose) make
        the objective's intent unreadable: nothing is recorded then."""
        seen, queue, n = {id(root)}, deque([root]), 0
        picks: list[tuple[Any, Any]] = []
        while queue and n < MAX_NODES:
            node = queue.popleft()
            n += 1
            if type(node).__name__ in PICK_NODES:
                softmax = _softmax_under(node)
                if softmax is not None:
                    picks.append((node, softmax))
            for nxt, _ in node.next_functions:
                if nxt is not None and id(nxt) not in seen:
                    seen.add(id(nxt))
                    queue.append(nxt)
        read = [(pick, got) for pick, softmax in picks if (got := self._read(pick, softmax)) is not None]
        if not read:
            return bool(picks)
        if len(read) > 1:
            return True
        pick, (probs, labels) = read[0]
        with torch.no_grad():
            accuracy = float((probs.argmax(1) == labels).float().mean())
            picked = float(probs.gather(1, labels[:, None]).mean())
        op = {"GatherBackward0": "gather", "IndexBackward0": "indexing", "MulBackward0": "one-hot product"}
        key = f"{op[type(pick).__name__]} of softmax"
        step, trace = self.ctx.step, self.ctx.trace
        trace.scalar("picked_accuracy", step, accuracy, key)
        trace.scalar("picked_probability", step, picked, key)
        trace.scalar("picked_classes", step, float(probs.shape[1]), key)
        return True

    @staticmethod
    def _read(pick: Any, softmax: Any) -> tuple[torch.Tensor, torch.Tensor] | None:
        """The probabilities (N, C) and the class each row picked, or None if this is not a
        one-class-per-row pick out of a softmax over dim 1."""
        if getattr(softmax, "_saved_dim", None) not in (1, -1):
            return None
        out = saved_result(softmax)
        if out is None or out.dim() != 2 or out.shape[0] < 2 or out.shape[1] < 2:
            return None
        with torch.no_grad():
            probs = out.detach().float()
            if SOFTMAX_NODES[type(softmax).__name__]:
                probs = probs.exp()
            labels = _labels_of(pick, probs)
            if labels is None or labels.dtype not in (torch.int64, torch.int32, torch.int16, torch.uint8):
                return None
            labels = labels.to(probs.device).long()
            lo, hi = int(labels.min()), int(labels.max())
            if lo < 0 or hi >= probs.shape[1] or lo == hi:
                return None  # (one class for the whole batch: a GAN generator's target, not labels)
        return probs, labels
