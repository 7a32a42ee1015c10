"""Small helpers shared by quantities: find tensors in nested outputs, cheap tensor facts, and
names for autograd graph nodes.

Everything here reads tensors and autograd nodes; nothing writes to them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch import nn

#: Layer types whose 3-D outputs are (N, C, L): the unit (channel) is dim 1, not the last dim.
CHANNEL_FIRST_3D = ("Conv1d", "ConvTranspose1d", "BatchNorm1d", "InstanceNorm1d", "GroupNorm", "MaxPool1d", "AvgPool1d")
#: Autograd nodes that only move data around; walking through them keeps a tensor's provenance.
VIEW_NODES = frozenset(
    {
        "ViewBackward0",
        "ReshapeAliasBackward0",
        "UnsafeViewBackward0",
        "TBackward0",
        "TransposeBackward0",
        "PermuteBackward0",
        "SqueezeBackward0",
        "SqueezeBackward1",
        "UnsqueezeBackward0",
        "CloneBackward0",
        "ToCopyBackward0",
    }
)


def first_tensor(obj: Any) -> torch.Tensor | None:
    """The first tensor in a (possibly nested) output: a tuple, list, dict or dataclass-like."""
    if isinstance(obj, torch.Tensor):
        return obj
    if isinstance(obj, (list, tuple)):
        for item in obj:
            t = first_tensor(item)
            if t is not None:
                return t
    elif isinstance(obj, dict):
        for item in obj.values():
            t = first_tensor(item)
            if t is not None:
                return t
    elif hasattr(obj, "logits") and isinstance(obj.logits, torch.Tensor):  # HF-style outputs
        return obj.logits
    return None


def tensors_in(obj: Any, limit: int = 16) -> list[torch.Tensor]:
    """Every tensor in a (possibly nested) output, at most ``limit`` of them."""
    out: list[torch.Tensor] = []
    stack = [obj]
    while stack and len(out) < limit:
        item = stack.pop()
        if isinstance(item, torch.Tensor):
            out.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif hasattr(item, "logits") and isinstance(item.logits, torch.Tensor):
            out.append(item.logits)
    return out


try:  # NumPy's own error-state variable and a state that ignores every floating-point error
    from numpy._core._multiarray_umath import _make_extobj
    from numpy._core._ufunc_config import _extobj_contextvar as _NP_ERRSTATE

    _IGNORE_ALL: Any = _make_extobj(all="ignore")
except Exception:  # another NumPy layout: np.errstate, the public and slower way
    _NP_ERRSTATE = None


class quiet_numpy:  # noqa: N801 - used like np.errstate: ``with quiet_numpy():``
    """``np.errstate(all="ignore")`` for the per-step NumPy summaries, at a fraction of its cost.

    ``np.errstate`` is Python code that builds its error state on every entry: cold, as it is
    once per training step, it costs ~15 us in a real loop, as much as the reductions it guards.
    This sets a state built once on NumPy's context variable (what ``np.errstate`` does
    itself), and falls back to ``np.errstate`` where that internal is missing.
    """

    __slots__ = ("_token",)

    def __enter__(self) -> None:
        if _NP_ERRSTATE is not None:
            self._token = _NP_ERRSTATE.set(_IGNORE_ALL)
        else:
            self._token = np.errstate(all="ignore")
            self._token.__enter__()

    def __exit__(self, *exc: object) -> None:
        if _NP_ERRSTATE is not None:
            _NP_ERRSTATE.reset(self._token)
        else:
            self._token.__exit__(*exc)


def l2_norms(tensors: list[torch.Tensor]) -> list[float]:
    """The L2 norm of each tensor, as Python floats: one ``torch._foreach_norm`` call, read back
    in one copy (see :func:`host_values`).

    One call for all of them, whatever their size: measured in lockstep inside the benchmark's
    MLP loop (six gradients, 87k numbers, read from a cache cold after backward), it adds 41-57
    us to a step where a NumPy dot per tensor on a view of its memory added 71-84 us, though out
    of the loop, warm, the dots are the faster. A NaN or Inf anywhere in a tensor gives its
    norm as torch reports it.
    """
    if not tensors:
        return []
    return host_values(torch._foreach_norm([t.detach() if t.requires_grad else t for t in tensors]))


def host_values(scalars: list[torch.Tensor]) -> list[float]:
    """The values of 0-d tensors as Python floats, in one device-to-host copy when they share a
    device (tensors on several devices: one copy each)."""
    try:
        return torch.stack(scalars).tolist()
    except RuntimeError:
        return [float(t) for t in scalars]


#: CPU tensors up to this many elements are summarised with NumPy on a view of their memory:
#: a NumPy reduction of a small array costs a microsecond or two, a torch operation about ten
#: inside a training loop (the dispatcher, a new tensor), and a sampled step runs dozens of them.
HOST_LIMIT = 1 << 16
_HOST_DTYPES = frozenset(
    {torch.float32, torch.float64, torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool}
)


def host_array(t: torch.Tensor) -> np.ndarray | None:
    """A NumPy view of a small dense CPU tensor (no copy), or None: an accelerator tensor, a large
    one, or a dtype NumPy lacks (bfloat16) is summarised with torch instead."""
    if (
        t.is_cpu
        and t.dtype in _HOST_DTYPES
        and t.layout == torch.strided
        and t.numel() <= HOST_LIMIT
        and not t.is_conj()
        and not t.is_neg()
    ):
        return (t.detach() if t.requires_grad else t).numpy()
    return None


def is_float(t: torch.Tensor | None) -> bool:
    """A dense, non-empty floating-point tensor (sparse and nested tensors are left alone)."""
    return t is not None and t.layout == torch.strided and t.is_floating_point() and t.numel() > 0


def unit_dim(t: torch.Tensor, producer_type: str | None = None) -> int:
    """The dimension that indexes units (features, channels) of an activation.

    Dim 1 for (N, C) and (N, C, H, W); for 3-D tensors the last dim (N, T, C sequences) unless the
    producing layer is a 1-D conv/norm/pool layer, whose outputs are (N, C, L).
    """
    if t.dim() == 3 and producer_type not in CHANNEL_FIRST_3D:
        return 2
    return 1


def unit_matrix(t: torch.Tensor, dim: int) -> torch.Tensor:
    """``t`` reshaped to (units, everything else): each row holds one unit's values."""
    return t.detach().movedim(dim, 0).reshape(t.shape[dim], -1)


def relative_spread(flat: torch.Tensor) -> torch.Tensor:
    """Mean over columns of the std across rows (samples), relative to the mean absolute value,
    of a detached floating (rows, columns) tensor; a 0-d tensor, so that callers read it back
    together with their other numbers in one device-to-host copy.

    0 when every row is identical (every sample gets the same prediction); about 1 or more for
    inputs or predictions that vary from sample to sample.
    """
    return flat.std(dim=0).mean() / (flat.abs().mean() + 1e-12)


def host_relative_spread(flat: np.ndarray) -> float:
    """:func:`relative_spread` of a NumPy (rows, columns) array (see :func:`host_array`).

    Written with ufunc reductions rather than ``ndarray.std``/``mean``, whose Python layers
    cost more than the arithmetic on a batch-sized array once per sampled step."""
    n = flat.shape[0]
    if n < 2 or not flat.size:
        return math.nan
    centred = flat - np.add.reduce(flat, 0, dtype=np.float64) / n  # float64: identical rows give exactly 0
    std = np.sqrt(np.add.reduce(centred * centred, 0) / (n - 1))
    return float((np.add.reduce(std) / std.size) / (np.add.reduce(np.abs(flat), None) / flat.size + 1e-12))


def host_lower_median(v: np.ndarray) -> float:
    """The lower middle value of a 1-D array, as ``torch.median`` defines the median."""
    k = (v.size - 1) // 2
    return float(np.partition(v, k)[k])


def walk_graph(root: Any, limit: int = 20000) -> Iterator[Any]:
    """Autograd nodes reachable from ``root`` (a ``grad_fn``), each once, at most ``limit``."""
    if root is None:
        return
    seen = {id(root)}
    stack = [root]
    n = 0
    while stack and n < limit:
        node = stack.pop()
        n += 1
        yield node
        for nxt, _ in node.next_functions:
            if nxt is not None and id(nxt) not in seen:
                seen.add(id(nxt))
                stack.append(nxt)


def saved_result(node: Any) -> torch.Tensor | None:
    """The output an autograd node saved for backward (ReLU, sigmoid, tanh, exp), or None.

    Reading it raises if the user modified that output in place afterwards; that is not our
    business, so it just yields None.
    """
    try:
        t = node._saved_result
    except Exception:
        return None
    return t if isinstance(t, torch.Tensor) else None


class NodeNames:
    """Which module produced a tensor, looked up by the tensor's autograd node (``grad_fn``).

    Filled from module forward hooks on sampled steps; it holds the nodes themselves so an id can
    never be reused while the entry lives. Cleared after each backward pass or optimizer step.
    """

    #: A loop that never steps an optimizer never clears the table: cap it.
    LIMIT = 50_000

    def __init__(self) -> None:
        self._nodes: dict[int, tuple[Any, str, str]] = {}

    def add(self, output: Any, name: str, module: nn.Module) -> None:
        nodes = self._nodes
        if len(nodes) >= self.LIMIT:
            nodes.clear()
        # most modules return one tensor: no need to search a structure for it
        for t in (output,) if isinstance(output, torch.Tensor) else tensors_in(output, limit=4):
            node = t.grad_fn
            if node is not None and id(node) not in nodes:
                nodes[id(node)] = (node, name, type(module).__name__)

    def lookup(self, node: Any, through_views: bool = True) -> tuple[str, str] | None:
        """(module name, module type) whose output ``node`` made, following view-only nodes."""
        for _ in range(6):
            if node is None:
                return None
            entry = self._nodes.get(id(node))
            if entry is not None and entry[0] is node:
                return entry[1], entry[2]
            if not through_views or type(node).__name__ not in VIEW_NODES or not node.next_functions:
                return None
            node = node.next_functions[0][0]
        return None

    def __contains__(self, node: Any) -> bool:
        entry = self._nodes.get(id(node))
        return entry is not None and entry[0] is node

    def clear(self) -> None:
        self._nodes.clear()
