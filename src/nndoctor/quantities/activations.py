"""Dead ReLU units and saturated sigmoid/tanh units, per activation, on sampled training steps.

Activations are found two ways: ``nn.ReLU``/``nn.Sigmoid``/``nn.Tanh`` modules through the
module forward hooks, and functional ones (``F.relu(self.fc1(x))``, ``torch.sigmoid``,
``x.tanh()``) by walking the loss's autograd graph at ``backward()``: their nodes keep the
activation output for the backward pass (``_saved_result``), so reading it costs no extra
forward work. A functional activation is named after the module whose output it received
(``model.fc1``); one whose input no module produced (gates inside an LSTM, a GELU's internal
tanh) is not a layer's activation and is skipped. The model's final activation (within a few
elementwise operations of the model output or of a loss function's input) is skipped too: a
final sigmoid that is confident is doing its job.

A unit is a feature: dim 1 of (N, C) and of conv maps (N, C, H, W); the last dim of sequences
(N, T, C). Series written (key: the activation module, or for functional ones the module before):

- ``dead_fraction``: share of ReLU units that output zero for every sample and position in each
  of the last ``WINDOW`` sampled steps (one unlucky batch does not make a unit dead).
- ``saturated_fraction``: share of sigmoid/tanh outputs within 1% of the bounds (mean over the
  step's calls).
- ``softmax_exp_input_max``: the largest input of an ``exp()`` used in a hand-written softmax
  (``exp(x) / exp(x).sum()``) or log-sum-exp (``log(exp(x).sum())``); float32 exp overflows
  above 88.7.

Event ``activation_site`` (once per key): kind, functional or module, the layer before, units.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

import numpy as np
import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities._tensors import (
    VIEW_NODES,
    NodeNames,
    host_array,
    is_float,
    saved_result,
    tensors_in,
    unit_dim,
    walk_graph,
)
from nndoctor.quantities.base import Quantity

RELU_TYPES = (nn.ReLU, nn.ReLU6)
SATURATING = (nn.Sigmoid, nn.Tanh, nn.Hardtanh, nn.Hardsigmoid)
ACTIVATION_TYPES = RELU_TYPES + SATURATING
#: Autograd nodes of functional activations whose saved result we can read.
FUNCTIONAL = {"ReluBackward0": "relu", "SigmoidBackward0": "sigmoid", "TanhBackward0": "tanh"}
#: Sampled steps a ReLU unit must stay silent in to count as dead.
WINDOW = 3
#: Calls of one activation remembered per step (a loop that never steps an optimizer never flushes).
MAX_CALLS = 256
#: How many autograd nodes from the model output / loss input still count as "the output".
OUTPUT_DEPTH = 3
_SUMS = ("SumBackward0", "SumBackward1")
#: Nodes that pick or reshape part of a tensor (``e[:, 1]``, ``e.gather(...)``).
_SELECTIONS = VIEW_NODES | {"SelectBackward0", "SliceBackward0", "IndexBackward0", "GatherBackward0", "NarrowBackward0"}
#: ``sum + eps`` in a denominator.
_EPSILON = VIEW_NODES | {"AddBackward0", "AddBackward1", "ClampMinBackward0"}


def _strip(node: Any, passthrough: frozenset[str] | set[str]) -> Any:
    """Follow single-input nodes of the given kinds down to the operation under them."""
    for _ in range(4):
        if node is None or type(node).__name__ not in passthrough or not node.next_functions:
            return node
        node = node.next_functions[0][0]
    return node


def fired_units(out: torch.Tensor, dim: int) -> np.ndarray | None:
    """Boolean per unit (a NumPy array): did the unit output anything positive for any sample
    and position? The masks are small (one entry per unit), so they are combined on the host.

    None when the activation holds NaN (a diverged run: not a statement about dead units).
    """
    others = tuple(d for d in range(out.dim()) if d != dim)
    host = host_array(out)
    if host is not None and host.dtype.kind == "f":
        peak = host.max(axis=others) if others else host
        if math.isnan(peak.sum()):  # max propagates NaN: one check per activation
            return None
        return peak > 0
    peak = out.detach().amax(dim=others)
    if math.isnan(peak.sum().item()):  # one reduction, not isnan + any: this runs per activation
        return None
    return (peak > 0).cpu().numpy()


def dead_fraction(out: torch.Tensor, dim: int | None = None) -> float | None:
    """Share of units whose output is zero for the whole batch (one batch; see ``WINDOW``)."""
    if out.dim() < 2 or out.shape[0] < 2:
        return None
    dim = unit_dim(out) if dim is None else dim
    if out.numel() // out.shape[dim] < 8:
        return None
    fired = fired_units(out, dim)
    return None if fired is None else float((~fired).mean())


def saturation_bounds(module: nn.Module | str) -> tuple[float, float]:
    """The output range of a saturating activation (a module, or 'sigmoid'/'tanh')."""
    if isinstance(module, nn.Hardtanh):
        return float(module.min_val), float(module.max_val)
    if isinstance(module, (nn.Sigmoid, nn.Hardsigmoid)) or module == "sigmoid":
        return 0.0, 1.0
    return -1.0, 1.0


def saturated_fraction(module: nn.Module | str, out: torch.Tensor) -> float | None:
    """Share of outputs sitting in the flat tails (within 1% of the range from either bound).

    None when the output holds NaN (a diverged run).
    """
    lo, hi = saturation_bounds(module)
    margin = 0.01 * (hi - lo) / (2 if lo < 0 else 1)
    y = out.detach()
    if bool(y.isnan().any()):
        return None
    return float(((y < lo + margin) | (y > hi - margin)).float().mean())


@register_quantity
class ActivationStats(Quantity):
    """``dead_fraction``, ``saturated_fraction``, ``softmax_exp_input_max``; ``activation_site``."""

    name = "activations"
    module_hooks = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._names = NodeNames()
        self._measured: dict[int, Any] = {}  # nodes made by activation modules (already measured)
        self._outputs: dict[int, Any] = {}  # nodes at the model output / loss input
        self._fired: dict[str, tuple[np.ndarray, int]] = {}  # key -> (OR of fired masks, values per unit)
        self._sat: dict[str, list[float]] = {}
        self._key_nodes: dict[str, list[Any]] = {}
        self._exp: dict[str, float] = {}
        self._sites: dict[str, dict[str, Any]] = {}
        self._reported: set[str] = set()
        self._windows: dict[str, deque[tuple[np.ndarray, int]]] = {}

    # ------------------------------------------------------------------ measuring
    def on_module_forward(self, module, inputs, output):
        if not torch.is_grad_enabled():
            return
        name = self.ctx.name_of(module)
        self._names.add(output, name, module)
        if not isinstance(module, ACTIVATION_TYPES) or not isinstance(output, torch.Tensor):
            return
        if not is_float(output) or not output.requires_grad or output.grad_fn is None:
            return  # frozen layers: nothing training could change
        x = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
        producer = self.ctx.producer_of(x) if x is not None else None
        after = self.ctx.name_of(producer) if producer is not None else None
        ptype = type(producer).__name__ if producer is not None else None
        if len(self._measured) >= NodeNames.LIMIT:
            self._measured.clear()
        self._measured[id(output.grad_fn)] = output.grad_fn
        if isinstance(module, RELU_TYPES):
            self._add_relu(name, output, ptype, {"kind": type(module).__name__, "functional": False, "after": after})
        else:
            self._add_saturation(
                name, module, output, {"kind": type(module).__name__, "functional": False, "after": after}
            )

    def on_root_output(self, root, output, grad_enabled):
        if grad_enabled:
            for t in tensors_in(output, limit=8):
                self._mark_output(t.grad_fn)

    def on_loss(self, fn_name, args, kwargs, result):
        if torch.is_grad_enabled():
            pred = args[0] if args else kwargs.get("input")
            if isinstance(pred, torch.Tensor):
                self._mark_output(pred.grad_fn)

    def on_backward(self, tensor, loss_value):
        if not isinstance(tensor, torch.Tensor) or tensor.grad_fn is None:
            return
        candidates: list[tuple[Any, str, tuple[str, str]]] = []
        sigmoids: dict[int, Any] = {}
        muls: list[Any] = []
        divs: list[Any] = []  # divisions and logs: where a hand-written softmax/logsumexp ends
        for node in walk_graph(tensor.grad_fn):
            tname = type(node).__name__
            if tname in FUNCTIONAL:
                if id(node) in self._measured or id(node) in self._outputs or not node.next_functions:
                    continue
                found = self._names.lookup(node.next_functions[0][0])
                if found is not None and found[1] not in _ACTIVATION_NAMES:
                    candidates.append((node, FUNCTIONAL[tname], found))
                    if tname == "SigmoidBackward0":
                        sigmoids[id(node)] = node
            elif tname == "MulBackward0":
                muls.append(node)
            elif tname in ("DivBackward0", "LogBackward0"):
                divs.append(node)
        swish = self._swish_sigmoids(muls, sigmoids) if sigmoids else set()
        for node, kind, (after, after_type) in candidates:
            if id(node) in swish:
                continue
            out = saved_result(node)
            if out is None or not is_float(out):
                continue
            site = {"kind": kind, "functional": True, "after": after}
            if kind == "relu":
                self._add_relu(after, out, after_type, site, node)
            else:
                self._add_saturation(after, kind, out, site, node)
        for div in divs:
            self._hand_written_softmax(div)
        self._names.clear()  # this graph is done; the next forward names its own nodes

    def on_after_step(self, optimizer):
        self.flush()

    def flush(self) -> None:
        """Turn this step's measurements into series (outputs left out); reset the step state."""
        step, trace = self.ctx.step, self.ctx.trace
        for key, (fired, count) in self._fired.items():
            if self._is_output(key):
                continue
            window = self._windows.setdefault(key, deque(maxlen=WINDOW))
            if window and window[-1][0].shape != fired.shape:
                window.clear()
            window.append((fired, count))
            if len(window) < WINDOW:
                continue
            alive = window[0][0]
            for mask, _ in list(window)[1:]:
                alive = alive | mask
            units = alive.size
            if not units:
                continue
            self._site_event(key, units=units, values_per_unit=sum(c for _, c in window))
            trace.scalar("dead_fraction", step, 1.0 - np.count_nonzero(alive) / units, key)
        for key, fracs in self._sat.items():
            if self._is_output(key):
                continue
            self._site_event(key, units=None, values_per_unit=None)
            trace.scalar("saturated_fraction", step, sum(fracs) / len(fracs), key)
        for key, value in self._exp.items():
            trace.scalar("softmax_exp_input_max", step, value, key)
        self._fired.clear()
        self._sat.clear()
        self._exp.clear()
        self._key_nodes.clear()
        self._measured.clear()
        self._outputs.clear()
        self._names.clear()

    # ------------------------------------------------------------------ helpers
    def _add_relu(self, key: str, out: torch.Tensor, producer_type: str | None, site: dict, node: Any = None) -> None:
        if out.dim() < 2 or out.shape[0] < 2:
            return
        dim = unit_dim(out, producer_type)
        fired = fired_units(out, dim)
        if fired is None:
            return
        count = out.numel() // out.shape[dim]
        prev = self._fired.get(key)
        if prev is not None and prev[0].shape == fired.shape:
            fired, count = prev[0] | fired, prev[1] + count
        elif prev is not None:
            key = f"{key}[{fired.size}]"  # one module used at two widths: keep them apart
            prev = self._fired.get(key)
            if prev is not None and prev[0].shape == fired.shape:
                fired, count = prev[0] | fired, prev[1] + count
        self._fired[key] = (fired, count)
        self._remember(key, site, node if node is not None else out.grad_fn)

    def _add_saturation(self, key: str, kind: Any, out: torch.Tensor, site: dict, node: Any = None) -> None:
        if out.numel() < 2:
            return
        frac = saturated_fraction(kind, out)
        if frac is None:
            return
        fracs = self._sat.setdefault(key, [])
        if len(fracs) < MAX_CALLS:
            fracs.append(frac)
        self._remember(key, site, node if node is not None else out.grad_fn)

    def _remember(self, key: str, site: dict, node: Any) -> None:
        self._sites.setdefault(key, site)
        nodes = self._key_nodes.setdefault(key, [])
        if len(nodes) < MAX_CALLS:
            nodes.append(node)

    def _mark_output(self, node: Any) -> None:
        """The node and its near ancestors (views, scaling) are the model's output."""
        if len(self._outputs) >= NodeNames.LIMIT:
            self._outputs.clear()
        frontier = [node]
        for _ in range(OUTPUT_DEPTH + 1):
            nxt = []
            for n in frontier:
                if n is None or id(n) in self._outputs:
                    continue
                self._outputs[id(n)] = n
                found = self._names.lookup(n, through_views=False)
                if found is not None and found[1] not in _ACTIVATION_NAMES:
                    continue  # a layer's output: what lies before it is hidden, not output
                nxt.extend(child for child, _ in n.next_functions)
            frontier = nxt

    def _is_output(self, key: str) -> bool:
        nodes = self._key_nodes.get(key, ())
        return bool(nodes) and all(id(n) in self._outputs for n in nodes)

    @staticmethod
    def _swish_sigmoids(muls: list[Any], sigmoids: dict[int, Any]) -> set[int]:
        """Sigmoids used as ``x * sigmoid(x)`` (swish/SiLU): large inputs are normal there."""
        out = set()
        for mul in muls:
            children = [c for c, _ in mul.next_functions if c is not None]
            for c in children:
                if id(c) in sigmoids and c.next_functions and any(o is c.next_functions[0][0] for o in children):
                    out.add(id(c))
        return out

    def _hand_written_softmax(self, node: Any) -> None:
        """``exp(x) / exp(x).sum(...)`` or ``log(exp(x).sum(...))`` written by hand: record the largest x."""
        children = [c for c, _ in node.next_functions]
        if type(node).__name__ == "LogBackward0":
            if len(children) != 1:
                return
            den = _strip(children[0], _EPSILON)
            if den is None or type(den).__name__ not in _SUMS or not den.next_functions:
                return
            exp = _strip(den.next_functions[0][0], _SELECTIONS)
        else:
            if len(children) != 2 or children[0] is None or children[1] is None:
                return
            num, den = _strip(children[0], _SELECTIONS), _strip(children[1], _EPSILON)
            if den is None or type(den).__name__ not in _SUMS or not den.next_functions:
                return
            exp = num if _strip(den.next_functions[0][0], _SELECTIONS) is num else None
        if exp is None or type(exp).__name__ != "ExpBackward0":
            return
        out = saved_result(exp)
        if out is None or not is_float(out):
            return
        with torch.no_grad():
            biggest = float(out.detach().float().max())
        value = math.log(biggest) if 0 < biggest < math.inf else (math.inf if biggest == math.inf else -math.inf)
        found = self._names.lookup(exp.next_functions[0][0]) if exp.next_functions else None
        key = found[0] if found is not None else "softmax"
        self._exp[key] = max(self._exp.get(key, -math.inf), value)

    def _site_event(self, key: str, units: int | None, values_per_unit: int | None) -> None:
        if key in self._reported:
            return
        self._reported.add(key)
        site = dict(self._sites.get(key, {}))
        if units is not None:
            site.update(units=units, values_per_unit=values_per_unit)
        self.ctx.trace.event("activation_site", self.ctx.step, key=key, **site)


_ACTIVATION_NAMES = frozenset(t.__name__ for t in ACTIVATION_TYPES)
