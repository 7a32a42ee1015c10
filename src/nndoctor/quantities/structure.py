"""The model's layers in execution order, and affine layers fed straight into affine layers.

Provenance is tracked by tensor identity inside one forward pass: if the tensor a Linear layer
receives *is* the output of another Linear (possibly through dropout, flatten or a norm layer),
nothing nonlinear happened in between. A functional ``F.relu`` makes a new tensor, so it
breaks the chain and is never mistaken for a missing activation.
"""

from __future__ import annotations

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

AFFINE = (nn.Linear, nn.Bilinear, nn.Conv1d, nn.Conv2d, nn.Conv3d, nn.LazyLinear)
PASSTHROUGH = (
    nn.Dropout,
    nn.Dropout1d,
    nn.Dropout2d,
    nn.Dropout3d,
    nn.AlphaDropout,
    nn.Flatten,
    nn.Unflatten,
    nn.Identity,
    nn.BatchNorm1d,
    nn.BatchNorm2d,
    nn.BatchNorm3d,
    nn.LayerNorm,
)


@register_quantity
class Structure(Quantity):
    """Events ``structure`` (leaf layers per model, once), ``linear_chain``, ``output_module``."""

    name = "structure"
    module_hooks = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._origin: dict[int, tuple[torch.Tensor, str]] = {}  # id(tensor) -> (tensor, affine name)
        self._order: dict[str, list[dict]] = {}
        self._recorded_roots: set[str] = set()
        self._chains: set[tuple[str, str]] = set()
        self._outputs: set[str] = set()

    def on_module_forward(self, module, inputs, output):
        if not isinstance(output, torch.Tensor):
            return
        name = self.ctx.name_of(module)
        root = self.ctx.root_of(module)
        root_name = self.ctx.name_of(root) if root is not None else None
        if root_name is not None and root_name not in self._recorded_roots and not list(module.children()):
            self._order.setdefault(root_name, []).append(
                {"name": name, "type": type(module).__name__, "params": sum(p.numel() for p in module.parameters(recurse=False))}
            )
        x = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
        came_from = self._origin.get(id(x)) if x is not None else None
        if came_from is not None and came_from[0] is not x:
            came_from = None
        if isinstance(module, AFFINE):
            if came_from is not None and (came_from[1], name) not in self._chains:
                self._chains.add((came_from[1], name))
                self.ctx.trace.event("linear_chain", self.ctx.step, first=came_from[1], second=name)
            self._origin[id(output)] = (output, name)
        elif isinstance(module, PASSTHROUGH) and came_from is not None:
            self._origin[id(output)] = (output, came_from[1])

    def on_root_output(self, root, output, grad_enabled):
        name = self.ctx.name_of(root)
        if name not in self._recorded_roots and name in self._order:
            self._recorded_roots.add(name)
            self.ctx.trace.event("structure", self.ctx.step, model=name, layers=self._order.pop(name))
        if isinstance(output, torch.Tensor) and name not in self._outputs:
            producer = self.ctx.producer_of(output)
            if producer is not None and producer is not root:
                self._outputs.add(name)
                self.ctx.trace.event(
                    "output_module", self.ctx.step, model=name, module=self.ctx.name_of(producer),
                    type=type(producer).__name__, out_features=int(output.shape[-1]) if output.dim() else 1,
                )
        self._origin.clear()
