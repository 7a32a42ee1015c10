"""The model's layers in execution order, and affine layers fed straight into affine layers.

Provenance is tracked by tensor identity inside one forward pass: if the tensor a Linear layer
receives *is* the output of another Linear (possibly through dropout, flatten or batch norm,
which are affine at inference), nothing nonlinear happened in between. A functional ``F.relu``
makes a new tensor, so it breaks the chain and is never mistaken for a missing activation; an
in-place one (``nn.ReLU(inplace=True)``, ``x.relu_()``) bumps the tensor's version counter,
which breaks the chain too.
Layer norm is not passed through: it divides by a per-sample statistic, so it is nonlinear.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity

AFFINE = (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd)
DROPOUTS = (nn.modules.dropout._DropoutNd, nn.AlphaDropout, nn.FeatureAlphaDropout)
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
)


def layer_dims(module: nn.Module) -> dict[str, Any]:
    """Input/output widths of an affine layer, and whether a conv is depthwise (groups = channels)."""
    if isinstance(module, nn.modules.conv._ConvNd):
        groups = int(module.groups)
        return {
            "in": int(module.in_channels),
            "out": int(module.out_channels),
            "depthwise": groups > 1 and groups == int(module.in_channels),
            "groups": groups,
        }
    if isinstance(module, nn.Bilinear):
        return {"in": int(module.in1_features), "out": int(module.out_features)}
    return {"in": int(getattr(module, "in_features", 0) or 0), "out": int(getattr(module, "out_features", 0) or 0)}


@register_quantity
class Structure(Quantity):
    """Events ``structure`` (leaf layers per model, once: name, type, parameter count, and ``p``
    for dropout layers), ``linear_chain``, ``output_module``.

    ``linear_chain`` carries both layers' names, types and widths (``first_in``, ``first_out``,
    ``second_out``), whether they share a parent module (``same_parent``), whether the first is a
    depthwise conv, and which passthrough layers sat between them.
    """

    name = "structure"
    module_hooks = True
    # The layers and how they connect do not change from step to step: the first sampled steps
    # and every few later ones see everything there is (a branch taken rarely shows then too).
    thinned = True

    def __init__(self, ctx):
        super().__init__(ctx)
        # id(tensor) -> (tensor, its version, affine module, passthrough types on the way)
        self._origin: dict[int, tuple[torch.Tensor, int, nn.Module, tuple[str, ...]]] = {}
        self._order: dict[str, list[dict]] = {}
        self._recorded_roots: set[str] = set()
        self._chains: set[tuple[str, str]] = set()
        self._outputs: set[str] = set()

    def on_module_forward(self, module, inputs, output):
        name = self.ctx.name_of(module)
        root = self.ctx.root_of(module)
        root_name = self.ctx.name_of(root) if root is not None else None
        # Every leaf layer, whatever its output (RNN/LSTM/GRU return tuples).
        if root_name is not None and root_name not in self._recorded_roots and not list(module.children()):
            layer = {
                "name": name,
                "type": type(module).__name__,
                "params": sum(p.numel() for p in module.parameters(recurse=False)),
            }
            if isinstance(module, DROPOUTS) and isinstance(getattr(module, "p", None), (int, float)):
                layer["p"] = float(module.p)  # (too-much-regularization reads the drop rates)
            self._order.setdefault(root_name, []).append(layer)
        if not isinstance(output, torch.Tensor) or output.is_inference():
            return  # under torch.inference_mode tensors keep no version counter (and no graph)
        x = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
        came_from = self._origin.get(id(x)) if x is not None else None
        if came_from is not None and (came_from[0] is not x or came_from[1] != x._version):
            came_from = None  # another tensor, or modified in place since (``F.relu_``, ``nn.ReLU(inplace=True)``)
        if isinstance(module, AFFINE):
            if came_from is not None:
                self._chain(came_from[2], module, name, came_from[3])
            self._origin[id(output)] = (output, output._version, module, ())
        elif isinstance(module, PASSTHROUGH) and came_from is not None:
            between = (*came_from[3], type(module).__name__)
            self._origin[id(output)] = (output, output._version, came_from[2], between)

    def _chain(self, first: nn.Module, second: nn.Module, second_name: str, between: tuple[str, ...]) -> None:
        first_name = self.ctx.name_of(first)
        if (first_name, second_name) in self._chains:
            return
        self._chains.add((first_name, second_name))
        a, b = layer_dims(first), layer_dims(second)
        parent_a, parent_b = self.ctx.parent_of(first), self.ctx.parent_of(second)
        self.ctx.trace.event(
            "linear_chain",
            self.ctx.step,
            first=first_name,
            second=second_name,
            first_type=type(first).__name__,
            second_type=type(second).__name__,
            first_in=a["in"],
            first_out=a["out"],
            second_in=b["in"],
            second_out=b["out"],
            first_depthwise=bool(a.get("depthwise", False)),
            second_depthwise=bool(b.get("depthwise", False)),
            same_parent=parent_a is not None and parent_a is parent_b,
            between=list(between),
        )

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
                    "output_module",
                    self.ctx.step,
                    model=name,
                    module=self.ctx.name_of(producer),
                    type=type(producer).__name__,
                    out_features=int(output.shape[-1]) if output.dim() else 1,
                    dim=getattr(producer, "dim", None),
                )
        self._origin.clear()
