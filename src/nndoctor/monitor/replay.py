"""Localise the first non-finite value by replaying the failing step, once.

Anomaly mode on every step would cost 2-10x. Instead the monitor keeps references to the last
model call and the last loss call (no copies), and when the loss or a gradient first turns
NaN/Inf, replays that forward (and backward) pass with finiteness checks on every module
output, every module output gradient and every torch operation. The parameters have not been
updated yet at that point, so the replay sees the same weights.

The replay leaves no trace: it runs inside a forked RNG, restores every buffer (batch-norm
running statistics), computes gradients with ``torch.autograd.grad`` so no ``.grad`` changes,
and the monitor ignores its own hooks meanwhile.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.overrides import TorchFunctionMode

if TYPE_CHECKING:
    from nndoctor.monitor.monitor import Monitor

_CAUSES = {
    "exp-overflow": ("exp", "exp2", "expm1", "pow", "__pow__", "__rpow__", "softmax", "cosh", "sinh"),
    "log-of-nonpositive": ("log", "log2", "log10", "log1p", "xlogy", "lgamma", "digamma"),
    "division-by-zero": ("div", "__truediv__", "__rtruediv__", "__itruediv__", "true_divide", "reciprocal", "rsqrt"),
    "sqrt-of-negative": ("sqrt",),
}


def cause_of_op(op: str) -> str:
    """Classify the operation that first produced a non-finite value."""
    for cause, ops in _CAUSES.items():
        if op in ops:
            return cause
    return "overflow"


def _all_finite(obj: Any) -> bool:
    if isinstance(obj, torch.Tensor):
        return not obj.is_floating_point() or bool(torch.isfinite(obj).all())
    if isinstance(obj, (list, tuple)):
        return all(_all_finite(o) for o in obj)
    if isinstance(obj, dict):
        return all(_all_finite(o) for o in obj.values())
    return True


def _absmax(obj: Any) -> float | None:
    vals = []
    items = obj if isinstance(obj, (list, tuple)) else [obj]
    for t in items:
        if isinstance(t, torch.Tensor) and t.is_floating_point() and t.numel():
            vals.append(float(t.detach().abs().max()))
    return max(vals) if vals else None


class FirstNonFiniteOp(TorchFunctionMode):
    """Records the first torch operation whose output is non-finite while its inputs are finite."""

    def __init__(self) -> None:
        super().__init__()
        self.op: str | None = None
        self.input_absmax: float | None = None

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        out = func(*args, **(kwargs or {}))
        if self.op is None:
            name = getattr(func, "__name__", str(func))
            if name not in ("isfinite", "all", "__get__", "__set__") and not _all_finite(out):
                if _all_finite(args) and _all_finite(kwargs or {}):
                    self.op = name
                    self.input_absmax = _absmax(args)
        return out


@contextmanager
def _no_trace(monitor: Monitor, roots: list[nn.Module]):
    """Fork the RNG, silence the monitor, restore buffers afterwards."""
    buffers = [(b, b.detach().clone()) for r in roots for b in r.buffers()]
    devices = sorted({b.device.index for r in roots for b in r.parameters() if b.device.type == "cuda"})
    monitor._busy = True
    try:
        with torch.random.fork_rng(devices=devices, enabled=True):
            yield
    finally:
        with torch.no_grad():
            for b, saved in buffers:
                b.copy_(saved)
        monitor._busy = False


def localize(monitor: Monitor, kind: str) -> dict[str, Any]:
    """Replay the last step and say where the first non-finite value appeared, and why."""
    if not monitor._last_call:
        return {"replayed": False}
    root, args, kwargs = next(reversed(monitor._last_call.values()))
    root_name = monitor.name_of(root)
    if not _all_finite(args) or not _all_finite(kwargs):
        return {"replayed": False, "where": root_name, "direction": "input", "cause": "nonfinite-input"}
    bad_params = [monitor.param_name(p) or "?" for p in root.parameters() if not bool(torch.isfinite(p).all())]
    if bad_params:
        return {
            "replayed": False,
            "where": bad_params[0].rsplit(".", 1)[0],
            "direction": "parameters",
            "cause": "update-overflow",
            "nonfinite_params": bad_params[:10],
        }
    with _no_trace(monitor, [root]):
        return _replay(monitor, root, root_name, args, kwargs)


def _replay(monitor: Monitor, root: nn.Module, root_name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    forward_bad: list[str] = []
    grad_order: list[tuple[str, bool]] = []
    handles = []

    def on_forward(module: nn.Module, inputs: tuple, output: Any) -> None:
        name = monitor.name_of(module)
        if not _all_finite(output) and _all_finite(inputs):
            forward_bad.append(name)
        if isinstance(output, torch.Tensor) and output.requires_grad and module is not root:
            output.register_hook(lambda g, name=name: grad_order.append((name, bool(torch.isfinite(g).all()))))

    for m in root.modules():
        handles.append(m.register_forward_hook(on_forward))
    finder = FirstNonFiniteOp()
    info: dict[str, Any] = {"replayed": True}
    try:
        with torch.enable_grad(), finder:
            output = root(*args, **kwargs)
            loss = _replay_loss(monitor, output)
        if finder.op is not None:
            info["op"] = finder.op
            info["op_input_absmax"] = finder.input_absmax
            info["cause"] = cause_of_op(finder.op)
        if forward_bad:
            # Modules finish innermost first: the first entry is the deepest module that went bad.
            info.update(where=forward_bad[0], direction="forward")
            return info
        if loss is None:
            info.update(where=None, direction="loss", cause=info.get("cause", "outside-model"))
            return info
        if not _all_finite(loss):
            fn_name = monitor._last_loss_call[0] if monitor._last_loss_call else "loss"
            info.update(where=f"loss function ({fn_name})", direction="forward")
            return info
        params = [p for p in root.parameters() if p.requires_grad]
        grads = torch.autograd.grad(loss, params, allow_unused=True) if params and loss.requires_grad else []
        bad_param_grads = [
            monitor.param_name(p) or "?" for p, g in zip(params, grads) if g is not None and not bool(torch.isfinite(g).all())
        ]
        info["nonfinite_param_grads"] = bad_param_grads[:10]
        first_bad = next((i for i, (_, ok) in enumerate(grad_order) if not ok), None)
        if first_bad is not None:
            culprit = grad_order[first_bad - 1][0] if first_bad > 0 else "loss function"
            info.update(where=culprit, direction="backward")
        elif bad_param_grads:
            info.update(where=bad_param_grads[-1].rsplit(".", 1)[0], direction="backward")
        else:
            info.update(where=None, direction="not-reproduced")
        info.setdefault("cause", "overflow")
        return info
    finally:
        for h in handles:
            h.remove()


def _replay_loss(monitor: Monitor, output: Any) -> torch.Tensor | None:
    """Recompute the last loss call on the replayed output, if its prediction was the model output."""
    call = monitor._last_loss_call
    if call is None or not isinstance(output, torch.Tensor):
        return None
    fn_name, args, kwargs = call
    if not args or not isinstance(args[0], torch.Tensor) or args[0].shape != output.shape:
        return None
    import torch.nn.functional as F

    from nndoctor.monitor.patches import LOSS_FUNCTIONS

    fn = getattr(F, fn_name) if fn_name in LOSS_FUNCTIONS else None
    if fn is None:
        return None
    fn = getattr(fn, "__wrapped__", fn)
    return fn(output, *args[1:], **kwargs)
