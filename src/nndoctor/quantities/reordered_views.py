"""Layers fed a ``view``/``reshape`` that reads a tensor's axes in another order.

``x.view(T, B, F)`` of a ``(B, T, F)`` batch, or ``x.view(B, C, H, W)`` of channels-last
images, has the right shape and the wrong contents: ``view`` and ``reshape`` never move data,
they cut the same memory into new rows, so each "time step" of the result holds pieces of
several samples (or each "channel" pieces of several pixels). Only ``transpose``/``permute``
move an axis. Nothing raises and the loss just stays high. The mistake leaves a plain trace:
the layer's input is contiguous, shares its first element with a contiguous tensor of the same
size (the model's input, or the tensor it is a view of), and holds the same axis lengths in a
different order. Axes of length 1 are left out of the comparison: adding or dropping one
(``x.view(B, 1, L)``) moves no data.
"""

from __future__ import annotations

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import first_tensor
from nndoctor.quantities.base import Quantity
from nndoctor.quantities.inputs import WEIGHT_LAYERS
from nndoctor.quantities.rnn_layout import SEQUENCE_LAYERS

#: Layers whose inputs are checked: the ones that read meaning into an axis.
CHECKED_LAYERS = (*WEIGHT_LAYERS, *SEQUENCE_LAYERS)
#: Layers checked at most (each once).
MAX_LAYERS = 64
#: Training steps whose forwards are checked before the quantity retires: a model's reshapes are
#: in its code, and its layers have all run by then.
LOOKS = 3


def axis_lengths(shape) -> list[int]:
    """A shape's axis lengths without the 1s: adding or dropping an axis of length 1 moves no data."""
    return [n for n in shape if n != 1]


def reordered_source(x: torch.Tensor, candidates: tuple[torch.Tensor | None, ...]) -> torch.Tensor | None:
    """The candidate whose memory ``x`` reads with its axes in another order, if one is.

    Both must be contiguous, the same size and start at the same element; their axis lengths
    (without the 1s) must be the same multiset in a different order.
    """
    if x.dim() < 2 or not x.is_contiguous():
        return None
    lengths = axis_lengths(x.shape)
    if len(lengths) < 2:
        return None
    try:
        ptr = x.data_ptr()
    except RuntimeError:  # (a tensor without storage)
        return None
    for src in candidates:
        if src is None or src is x or src.numel() != x.numel() or src.shape == x.shape:
            continue
        try:
            same_start = src.data_ptr() == ptr
        except RuntimeError:
            continue
        if not same_start or not src.is_contiguous():
            continue
        src_lengths = axis_lengths(src.shape)
        if len(src_lengths) == len(lengths) and src_lengths != lengths and sorted(src_lengths) == sorted(lengths):
            return src
    return None


@register_quantity
class ReorderedViews(Quantity):
    """Event ``reordered_view`` once per layer (training forwards): the layer's name and type, the
    shape it received, the shape of the tensor that input is a view of, and whether that tensor
    is the model's input (``source: "input"``) or an activation inside the model (``"activation"``,
    with its ``producer`` module when known)."""

    name = "reordered_views"
    module_hooks = True
    thinned = True  # a model's reshapes do not change from step to step

    def __init__(self, ctx):
        super().__init__(ctx)
        self._root_inputs: dict[int, torch.Tensor] = {}
        self._checked: set[int] = set()
        self._looked: set[int] = set()

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        if not grad_enabled:
            return
        x = first_tensor(args) if args else first_tensor(kwargs)
        if isinstance(x, torch.Tensor):
            self._root_inputs[id(root)] = x

    def on_root_output(self, root, output, grad_enabled):
        self._root_inputs.pop(id(root), None)
        if grad_enabled:
            self._looked.add(self.ctx.step)
            if len(self._looked) >= LOOKS:
                self.ctx.retire(self.name)

    def on_module_forward(self, module, inputs, output):
        if id(module) in self._checked or not isinstance(module, CHECKED_LAYERS) or not inputs:
            return
        if not torch.is_grad_enabled() or len(self._checked) >= MAX_LAYERS:
            return
        if isinstance(module, nn.MultiheadAttention) and isinstance(self.ctx.parent_of(module), SEQUENCE_LAYERS):
            return  # (a transformer layer's own attention: the layer is checked)
        x = inputs[0]
        if not isinstance(x, torch.Tensor):
            return
        self._checked.add(id(module))
        root = self.ctx.root_of(module)
        root_input = self._root_inputs.get(id(root)) if root is not None else None
        src = reordered_source(x, (x._base, root_input, getattr(root_input, "_base", None)))
        if src is None:
            return
        data = {
            "module": self.ctx.name_of(module),
            "type": type(module).__name__,
            "shape": list(x.shape),
            "source_shape": list(src.shape),
            "source": "input"
            if src is root_input or (root_input is not None and src is root_input._base)
            else "activation",
        }
        producer = self.ctx.producer_of(src)
        if producer is not None:
            data["producer"] = self.ctx.name_of(producer)
        if root is not None:
            data["model"] = self.ctx.name_of(root)
        self.ctx.trace.event("reordered_view", self.ctx.step, **data)
