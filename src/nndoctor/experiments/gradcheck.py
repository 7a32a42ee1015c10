"""Numerical gradient check of custom code: every module that is not a stock ``torch.nn`` layer.

Each such module (the model's own classes, third-party blocks, anything wrapping a custom
``torch.autograd.Function``) is copied, converted to float64 and put in eval mode, then fed the
inputs it received in a real forward pass (two examples). ``torch.autograd.gradcheck`` compares
its backward with central finite differences, with respect to the inputs and the parameters
(through ``torch.func.functional_call``). The fast mode checks a random projection of the
Jacobian, so the cost is a few forward passes per module.

When a module fails, each input and parameter is checked alone along a random direction, and
the relative error ``|numerical - analytical| / max(|numerical|, |analytical|)`` says which
gradient is wrong. A zero analytical gradient where the output does move is a stop-gradient
(``detach``), and a zero numerical one where the backward passes gradients anyway is a
straight-through estimator: both are usually deliberate and are recorded, not blamed. Only the
deepest failing modules are blamed: a container fails whenever a custom child does.

Records ``gradcheck`` {module, type, passed, wrong, detached, straight_through, rel_error, wrt,
per_tensor, functions} per module checked, and
``gradcheck_skipped`` {module, reason}.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import torch
from torch import nn
from torch.autograd.gradcheck import GradcheckError, gradcheck
from torch.func import functional_call

from nndoctor.experiments.base import Context, Experiment, Skip
from nndoctor.recipe import _one_line

EXAMPLES = 2
MAX_MODULES = 24
MAX_PARAMS = 2_000_000
EPS = 1e-6


def is_custom(module: nn.Module) -> bool:
    return not type(module).__module__.startswith("torch.")


class GradCheck(Experiment):
    name = "gradcheck"
    title = "gradient check of custom modules and autograd functions"
    needs_loss = False

    def run(self, ctx: Context) -> str:
        custom = [(n, m) for n, m in ctx.model.named_modules() if is_custom(m)]
        if not custom:
            raise Skip("only stock torch.nn layers")
        custom.sort(key=lambda nm: -nm[0].count(".") - (1 if nm[0] else 0))  # deepest first
        custom = custom[:MAX_MODULES]
        calls = _capture_calls(ctx, [m for _, m in custom])
        results = []
        for _, m in custom:
            name = ctx.name_of(m)
            if id(m) not in calls:
                ctx.event("gradcheck_skipped", module=name, reason="not called in the forward pass")
                continue
            if sum(p.numel() for p in m.parameters()) > MAX_PARAMS:
                ctx.event("gradcheck_skipped", module=name, reason=f"more than {MAX_PARAMS} parameters")
                continue
            args, kwargs = calls[id(m)]
            try:
                result = check_module(m, args, kwargs, ctx.seed)
            except Exception as exc:  # a module that cannot run in float64: say so, blame nothing
                ctx.event("gradcheck_skipped", module=name, reason=f"{type(exc).__name__}: {_one_line(exc)}")
                continue
            if result is None:
                ctx.event("gradcheck_skipped", module=name, reason="no floating-point input or parameter")
                continue
            result.update(module=name, type=type(m).__name__)
            ctx.event("gradcheck", **result)
            results.append(result)
        failed = [r["module"] for r in results if r["wrong"]]
        checked = f"{len(results)} custom modules checked"
        return f"{checked}; failed: {', '.join(failed)}" if failed else checked


def _capture_calls(ctx: Context, modules: list[nn.Module]) -> dict[int, tuple[tuple, dict]]:
    calls: dict[int, tuple[tuple, dict]] = {}

    def hook(module: nn.Module, args: tuple, kwargs: dict) -> None:
        if id(module) not in calls:
            calls[id(module)] = (_detach(args), _detach(kwargs))

    handles = [m.register_forward_pre_hook(hook, with_kwargs=True) for m in modules]
    try:
        ctx.model.eval()
        with torch.no_grad():
            ctx.model(ctx.recipe.train_x[:EXAMPLES].to(ctx.device))
    finally:
        for h in handles:
            h.remove()
    return calls


def _detach(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone()
    if isinstance(obj, tuple):
        return tuple(_detach(o) for o in obj)
    if isinstance(obj, list):
        return [_detach(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _detach(v) for k, v in obj.items()}
    return obj


def _double(obj: Any) -> Any:
    if isinstance(obj, torch.Tensor) and obj.is_floating_point():
        return obj.double()
    if isinstance(obj, tuple):
        return tuple(_double(o) for o in obj)
    if isinstance(obj, list):
        return [_double(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _double(v) for k, v in obj.items()}
    return obj


def _outputs(out: Any) -> tuple[torch.Tensor, ...]:
    if isinstance(out, torch.Tensor):
        return (out,) if out.is_floating_point() else ()
    if isinstance(out, (tuple, list)):
        return tuple(t for o in out for t in _outputs(o))
    if isinstance(out, dict):
        return tuple(t for o in out.values() for t in _outputs(o))
    return ()


def check_module(module: nn.Module, args: tuple, kwargs: dict, seed: int = 0) -> dict[str, Any] | None:
    """Gradcheck one module in float64; None when it has nothing differentiable to check."""
    m = copy.deepcopy(module).double().eval()
    args, kwargs = _double(args), _double(kwargs)
    named = [(n, p.detach().clone().requires_grad_(True)) for n, p in m.named_parameters() if p.requires_grad]
    buffers = dict(m.named_buffers())
    slots = [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.is_floating_point()]
    inputs = [args[i].clone().requires_grad_(True) for i in slots]
    tensors = tuple(inputs) + tuple(p for _, p in named)
    if not tensors:
        return None

    def f(*ts: torch.Tensor) -> tuple[torch.Tensor, ...]:
        call = list(args)
        for i, t in zip(slots, ts[: len(slots)], strict=True):
            call[i] = t
        params = {n: t for (n, _), t in zip(named, ts[len(slots) :], strict=True)}
        return _outputs(functional_call(m, {**params, **buffers}, tuple(call), kwargs))

    with torch.enable_grad():
        first = f(*tensors)
        if not first or not any(o.requires_grad for o in first):
            return None
        if not all(torch.equal(a, b) for a, b in zip(first, f(*tensors), strict=True)):
            raise RuntimeError("the module is not deterministic in eval mode")
        functions = _custom_functions(first)
        try:
            gradcheck(f, tensors, eps=EPS, atol=1e-5, rtol=1e-3, fast_mode=True, raise_exception=True)
            passed, error = True, None
        except GradcheckError as exc:
            passed, error = False, _one_line(exc)
        names = [f"input {i}" for i in slots] + [n for n, _ in named]
        per = [] if passed else per_tensor(f, tensors, names, seed)
    wrong = [t for t in per if t["kind"] == "wrong"]
    wrt = re.search(r"respect to input (\d+)", error or "")
    return {
        "passed": passed,
        # Only a backward that is nonzero and wrong is a wrong gradient: a zero analytical gradient
        # where the output does change is a stop-gradient (detach), a zero numerical one where the
        # backward passes gradients anyway is a straight-through estimator; both are often on purpose.
        "wrong": [t["tensor"] for t in wrong],
        "detached": [t["tensor"] for t in per if t["kind"] == "detached"],
        "straight_through": bool(per) and not wrong and any(t["kind"] == "straight-through" for t in per),
        "rel_error": max((t["rel_error"] for t in wrong), default=None),
        "error": error,
        "functions": functions,
        "inputs": len(slots),
        "parameters": len(named),
        "wrt": wrong[0]["tensor"]
        if wrong
        else (names[int(wrt.group(1))] if wrt and int(wrt.group(1)) < len(names) else None),
        "per_tensor": per[:20],
    }


def per_tensor(f, tensors: tuple[torch.Tensor, ...], names: list[str], seed: int = 0) -> list[dict[str, Any]]:
    """For each input/parameter alone, u.J.v by finite differences and by autograd, and a verdict:
    ``ok``, ``wrong``, ``detached`` (autograd says 0, the output moves) or ``straight-through``."""
    gen = torch.Generator().manual_seed(seed)
    outs = f(*tensors)
    u = [torch.randn(o.shape, generator=gen, dtype=o.dtype).to(o.device) for o in outs]
    grads = torch.autograd.grad(outs, tensors, grad_outputs=u, allow_unused=True)
    result = []
    for k, (t, grad, name) in enumerate(zip(tensors, grads, names, strict=True)):
        v = torch.randn(t.shape, generator=gen, dtype=t.dtype).to(t.device)
        with torch.no_grad():
            plus = f(*[x + EPS * v if i == k else x for i, x in enumerate(tensors)])
            minus = f(*[x - EPS * v if i == k else x for i, x in enumerate(tensors)])
            numerical = sum(float(((p - q) * w).sum()) for p, q, w in zip(plus, minus, u, strict=True)) / (2 * EPS)
        analytical = 0.0 if grad is None else float((grad * v).sum())
        diff = abs(numerical - analytical)
        if diff <= 1e-5 + 1e-3 * abs(numerical):
            kind = "ok"
        elif grad is None or not bool(grad.any()):
            kind = "detached"
        elif abs(numerical) <= 1e-6 * abs(analytical):
            kind = "straight-through"
        else:
            kind = "wrong"
        rel = diff / max(abs(numerical), abs(analytical), 1e-12)
        result.append(
            {"tensor": name, "numerical": numerical, "analytical": analytical, "rel_error": rel, "kind": kind}
        )
    return result


def _custom_functions(outputs: tuple[torch.Tensor, ...], limit: int = 5000) -> list[str]:
    """Names of custom ``torch.autograd.Function`` classes in the graph behind ``outputs``."""
    found: list[str] = []
    stack = [o.grad_fn for o in outputs if o.grad_fn is not None]
    seen: set[int] = set()
    while stack and len(seen) < limit:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        cls = getattr(node, "_forward_cls", None)
        if cls is not None and cls.__name__ not in found:
            found.append(cls.__name__)
        stack.extend(n for n, _ in node.next_functions)
    return found
