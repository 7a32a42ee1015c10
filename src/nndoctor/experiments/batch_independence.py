"""Batch independence: sample i's output must not depend on sample j's input (i != j).

In eval mode (so batch norm's batch statistics do not count), the gradient of a random
projection of output i with respect to the whole input batch must be zero outside row i. A
``view``/``reshape`` that mixes the batch dimension, a softmax or a sum over ``dim=0``, or a
recurrent layer fed batch-first data without ``batch_first=True`` all break it, silently: the
model still trains, on nonsense. For integer inputs (token ids) one sample at a time is replaced
and the other outputs are compared instead.

The place where mixing starts is the first leaf module (in the order modules finish) whose
output mixes samples; when its input already mixes, the mixing happened in the code of its
parent's ``forward`` before it.

Records ``batch_independence`` {method, batch, leak, pairs, where, where_kind, before}.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from nndoctor.experiments.base import Context, Experiment, Skip
from nndoctor.quantities._tensors import first_tensor

BATCH = 5
#: Cross-sample gradient (relative to the sample's own gradient) counted as dependence.
TOLERANCE = 1e-4


class BatchIndependence(Experiment):
    name = "batch-independence"
    title = "batch independence"
    needs_loss = False

    def run(self, ctx: Context) -> str:
        r = ctx.recipe
        b = min(BATCH, len(r.train_x))
        if b < 2:
            raise Skip("fewer than 2 training examples")
        ctx.model.eval()
        x = r.train_x[:b].to(ctx.device)
        if x.is_floating_point():
            data = _by_gradient(ctx, x)
        else:
            data = _by_replacement(ctx, x, r.train_x[b : 2 * b].to(ctx.device))
        ctx.event("batch_independence", **data)
        if data["leak"] > TOLERANCE:
            where = f", starting at {data['where']}" if data.get("where") else ""
            return f"outputs depend on other samples (relative leak {data['leak']:.3g}){where}"
        return f"independent ({data['method']}, batch of {b})"


def _leak(out: torch.Tensor, x: torch.Tensor, probes: torch.Tensor) -> tuple[float, list[list[int]]]:
    """Largest cross-sample gradient relative to the own-sample gradient, and the pairs (i, j)."""
    worst, pairs = 0.0, []
    b = len(x)
    for i in range(b):
        proj = (out[i].float() * probes[i].reshape(out[i].shape)).sum()
        (g,) = torch.autograd.grad(proj, x, retain_graph=True, allow_unused=True)
        if g is None:
            continue
        norms = g.detach().reshape(b, -1).float().norm(dim=1)
        own = float(norms[i])
        for j in range(b):
            if j != i and float(norms[j]) > 0:
                rel = float(norms[j]) / own if own > 0 else float("inf")
                if rel > TOLERANCE:
                    pairs.append([i, j])
                worst = max(worst, rel)
    return worst, pairs[:10]


def _by_gradient(ctx: Context, x: torch.Tensor) -> dict[str, Any]:
    x = x.clone().requires_grad_(True)
    seen: list[tuple[nn.Module, torch.Tensor | None, torch.Tensor]] = []

    def hook(module: nn.Module, inputs: tuple, output: Any) -> None:
        inp = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
        out = first_tensor(output)  # an LSTM returns (output, (h, c))
        if out is not None and out.dim() > 0 and out.shape[0] == len(x) and out.requires_grad:
            seen.append((module, inp, out))

    leaves = [m for m in ctx.model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(hook) for m in leaves]
    gen = torch.Generator().manual_seed(ctx.seed)
    try:
        with torch.enable_grad():
            out = first_tensor(ctx.model(x))
    finally:
        for h in handles:
            h.remove()
    if out is None or not out.is_floating_point() or out.dim() == 0 or out.shape[0] != len(x) or not out.requires_grad:
        raise Skip("the output's first dimension is not the batch")

    def probes(t: torch.Tensor) -> torch.Tensor:
        return torch.randn((len(x), t[0].numel()), generator=gen).to(t.device)

    leak, pairs = _leak(out, x, probes(out))
    data: dict[str, Any] = {"method": "gradient", "batch": len(x), "leak": leak, "pairs": pairs}
    if leak > TOLERANCE:
        data.update(_locate(ctx, x, seen, probes))
    return data


def _locate(ctx: Context, x: torch.Tensor, seen: list, probes) -> dict[str, Any]:
    """The first leaf module whose output mixes samples (binary search in finishing order)."""

    def mixes(t: torch.Tensor | None) -> bool:
        if t is None or not isinstance(t, torch.Tensor) or not t.requires_grad or t.shape[:1] != x.shape[:1]:
            return False
        return _leak(t, x, probes(t))[0] > TOLERANCE

    lo, hi = 0, len(seen) - 1
    if hi < 0 or not mixes(seen[hi][2]):
        return {"where": "model", "where_kind": "forward"}
    while lo < hi:
        mid = (lo + hi) // 2
        if mixes(seen[mid][2]):
            hi = mid
        else:
            lo = mid + 1
    module, inp, _ = seen[lo]
    name = ctx.name_of(module)
    if mixes(inp):
        parent = name.rsplit(".", 1)[0] if "." in name else "model"
        return {"where": parent, "where_kind": "forward code", "before": name}
    return {"where": name, "where_kind": "module", "type": type(module).__name__}


@torch.no_grad()
def _by_replacement(ctx: Context, x: torch.Tensor, others: torch.Tensor) -> dict[str, Any]:
    out = first_tensor(ctx.model(x))
    if out is None or out.dim() == 0 or out.shape[0] != len(x):
        raise Skip("the output's first dimension is not the batch")
    if len(others) < len(x):
        others = x.flip(0)
    worst, pairs = 0.0, []
    scale = float(out.float().abs().max()) or 1.0
    for j in range(len(x)):
        if torch.equal(others[j], x[j]):
            continue
        x2 = x.clone()
        x2[j] = others[j]
        out2 = first_tensor(ctx.model(x2))
        diff = (out2.float() - out.float()).reshape(len(x), -1).abs().amax(dim=1) / scale
        for i in range(len(x)):
            if i != j:
                if float(diff[i]) > TOLERANCE:
                    pairs.append([i, j])
                worst = max(worst, float(diff[i]))
    return {"method": "replacement", "batch": len(x), "leak": worst, "pairs": pairs[:10]}
