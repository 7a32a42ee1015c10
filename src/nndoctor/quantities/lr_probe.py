"""Which smaller learning rate trains the first steps better: measured, not guessed.

nndoctor cannot restart the user's run, but at the end of a suspicious run it can re-train a
*copy* of the model from its initial weights on the batches it recorded, and compare rates:

- after the loss went NaN or blew up (>10x its start) within the first steps: lr/3, lr/9, ...
  until one trains cleanly (the rule of thumb: divide by 3 until the first 100 steps are clean);
  for a recurrent model, first the user's own rate with the gradient norm clipped at
  ``CLIP_NORM`` (the other rule of thumb: clip the gradients of RNNs), since gradients that
  explode through time blow a run up at any rate that learns, and clipping, not a rate
  hundreds of times smaller, is the fix;
- after a first update that moved the weights by ``SUSPECT_RATIO`` (30%) of their norm or more
  (healthy first updates move them by 0.1%-5%): the user's own rate on the recorded batches;
  if it is not clean there, the search above; if it is, against lr/3 and lr/9 on the same
  batches, so a smaller rate that ends at half the loss or less is a measurement. (Not when
  the first gradient was itself 100x the next ones: that is an exploding gradient, not the rate.)

What it keeps, bounded: a CPU copy of the model's state at the first optimizer step (models up
to ``MAX_STATE_BYTES``), and the first ``MAX_BATCHES`` batches and their targets (up to
``MAX_BATCH_BYTES`` in all): CPU copies of accelerator tensors; CPU tensors themselves, with
their version counters, since a copy costs a bare step's tenth on a small model (a batch changed
in place afterwards, which the counter shows, is not used). Whether they are finite is asked
only if the probe runs. It needs one model, one optimizer, one loss call per step on
the model's output through a ``torch.nn.functional`` loss; anything else and it stays out.

The probe never touches the user's objects: it trains a deep copy of the model (stripped of
hooks) with a fresh optimizer of the same type, inside a forked RNG, after the monitor has
removed its hooks, within a budget of work counted in floating-point operations
(``FLOP_BUDGET``, measured on one forward of the copy), so that what it concludes does not depend
on how busy the machine is. ``SAFETY_S`` is only a backstop against a model that is far slower
than its operation count says.
"""

from __future__ import annotations

import copy
import math
import time
import weakref
from typing import Any

import torch
from torch import nn

from nndoctor.quantities import register_quantity
from nndoctor.quantities.base import Quantity
from nndoctor.quantities.grad_norm import combined_norm

MAX_BATCHES = 32
MAX_BATCH_BYTES = 32 << 20
MAX_STATE_BYTES = 64 << 20
#: Steps each candidate rate is trained for (the rule of thumb's "first 100 steps").
PROBE_STEPS = 100
#: Steps of each run when comparing a suspect rate with smaller ones.
COMPARE_STEPS = 50
#: Candidate rates: lr / 3^k for k = 1 .. MAX_DIVISIONS.
MAX_DIVISIONS = 8
#: Clean means: never above SPIKE x the first loss, and the last 10 steps' mean at most FALL x the first 10's.
SPIKE = 2.0
FALL = 0.95
STALLED = "the loss did not fall"
#: Work budget of the whole probe, in floating-point operations (forward + backward ~ 3x forward):
#: about 5 s on one CPU core, far less on a GPU. The probe's steps are cut to fit; its verdicts
#: depend on this count, never on the clock.
FLOP_BUDGET = 1e11
#: Backstop wall-clock limit, for models whose cost the operation count misses.
SAFETY_S = 60.0
#: A first update this large (median over weight matrices, relative to the weights) is suspect.
SUSPECT_RATIO = 0.3
#: Comparison mode: a smaller rate must end with at most this fraction of the user's rate's loss.
BETTER = 0.5


BUDGET_SPENT = "probe budget spent"
#: The gradient norm a recurrent model's clipped re-training is clipped at (usual: 0.25-5).
CLIP_NORM = 1.0
RECURRENT = (nn.RNNBase, nn.RNNCellBase)


class _Budget:
    """Training steps the probe may still take, with a wall-clock backstop."""

    def __init__(self, steps: int) -> None:
        self.steps = steps
        self.left = steps
        self.deadline = time.monotonic() + SAFETY_S

    def spent(self) -> bool:
        return self.left <= 0 or time.monotonic() > self.deadline

    def take_step(self) -> bool:
        if self.spent():
            return False
        self.left -= 1
        return True


def _keep(obj: Any, budget: list[int], kept: list[tuple[torch.Tensor, int]]) -> Any:
    """Every tensor in ``obj`` (tuples, lists, dicts) detached, charged to ``budget``: a CPU copy
    of an accelerator tensor, a CPU tensor itself (appended to ``kept`` with its version)."""
    if isinstance(obj, torch.Tensor):
        budget[0] -= obj.numel() * obj.element_size()
        if obj.is_cpu:
            t = obj.detach()  # shares the version counter: an in-place change shows
            kept.append((t, t._version))
            return t
        return obj.detach().to("cpu", copy=True)
    if isinstance(obj, tuple):
        return tuple(_keep(o, budget, kept) for o in obj)
    if isinstance(obj, list):
        return [_keep(o, budget, kept) for o in obj]
    if isinstance(obj, dict):
        return {k: _keep(v, budget, kept) for k, v in obj.items()}
    return obj


def _to_device(obj: Any, device: torch.device) -> Any:
    if isinstance(obj, torch.Tensor):
        return obj.to(device)
    if isinstance(obj, tuple):
        return tuple(_to_device(o, device) for o in obj)
    if isinstance(obj, list):
        return [_to_device(o, device) for o in obj]
    if isinstance(obj, dict):
        return {k: _to_device(v, device) for k, v in obj.items()}
    return obj


def _finite(obj: Any) -> bool:
    if isinstance(obj, torch.Tensor):
        return not obj.is_floating_point() or bool(torch.isfinite(obj).all())
    if isinstance(obj, (tuple, list)):
        return all(_finite(o) for o in obj)
    if isinstance(obj, dict):
        return all(_finite(o) for o in obj.values())
    return True


def _strip_hooks(model: nn.Module) -> None:
    """Remove the user's (and anyone's) hooks from a copy, keeping torch's own (weight norm)."""
    for m in model.modules():
        for attr in ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks"):
            hooks = getattr(m, attr, None)
            if hooks:
                for key in [k for k, h in hooks.items() if not type(h).__module__.startswith("torch.")]:
                    del hooks[key]


@register_quantity
class LrProbe(Quantity):
    """Event ``lr_probe`` at the end of a run that went NaN, blew up, or started with a huge update.

    Data: ``mode`` ("search": the largest clean lr/3^k; "compare": the user's rate against lr/3
    and lr/9), ``lr`` (the first group's rate), ``suggested_lr`` (or None), ``verdict`` (after a
    huge first update: "your rate is not clean" or "a smaller rate ends lower", else None),
    ``baseline`` (the user's rate re-trained on the same batches), ``tried`` ([{lr, clean, why,
    loss_first, loss_last, loss_peak}]), ``first_update_ratio``, ``steps`` per run, ``batches``
    recorded, ``seconds``; or ``skipped`` with the reason when it could not run.
    """

    name = "lr_probe"
    #: Everything it records happens in the first PROBE_STEPS (100) steps: it runs on the
    #: frequent ones and asks for each step between them (``watch_next_step``), since it keeps
    #: every step's learning rate and judges every step's loss.
    frequent = True

    def __init__(self, ctx):
        super().__init__(ctx)
        self._off: str | None = None
        self._root: weakref.ref | None = None
        self._optimizer: weakref.ref | None = None
        self._pending: tuple[tuple, dict] | None = None
        self._pending_out: Any = None
        self._losses_this_step = 0
        self._batches: list[tuple[tuple, dict, str, tuple, dict]] = []
        self._budget = [MAX_BATCH_BYTES]
        self._kept: list[tuple[torch.Tensor, int]] = []  # CPU tensors of the batches and their versions
        self._initial: dict[str, torch.Tensor] | None = None
        self._groups: list[dict[str, Any]] = []
        self._group_params: list[list[int]] = []
        self._lrs: list[list[float]] = []
        self._first_loss: float | None = None
        self._trigger: str | None = None
        self._optimizer_type: type = torch.optim.SGD
        self._first_update: float | None = None
        self._grad_norms: list[float] = []

    # ------------------------------------------------------------------ recording (first steps only)
    def _recording(self) -> bool:
        return self._off is None and len(self._batches) < MAX_BATCHES

    def on_root_forward(self, root, args, kwargs, grad_enabled):
        if not self._recording() or not grad_enabled or not root.training:
            return
        if self._root is None:
            self._root = weakref.ref(root)
        elif self._root() is not root:
            self._off = "several models train"
            return
        self._pending = (args, kwargs)

    def on_root_output(self, root, output, grad_enabled):
        if self._pending is not None and self._root is not None and self._root() is root:
            self._pending_out = output

    def on_loss(self, fn_name, args, kwargs, result):
        if not self._recording() or not torch.is_grad_enabled() or self._pending is None:
            return
        if not args or args[0] is not self._pending_out:
            self._off = f"the loss ({fn_name}) is not computed on the model's output as it is"
            return
        self._losses_this_step += 1
        if self._losses_this_step > 1:
            self._off = "several losses (or gradient accumulation) per step"
            return
        m_args, m_kwargs = self._pending
        budget, kept = self._budget, self._kept
        batch = (_keep(m_args, budget, kept), _keep(m_kwargs, budget, kept), fn_name)
        batch += (_keep(tuple(args[1:]), budget, kept), _keep(dict(kwargs), budget, kept))
        if budget[0] < 0:
            self._off = "batches too large to keep"
            self._batches.clear()
            kept.clear()
            return
        self._batches.append(batch)
        self._pending = self._pending_out = None

    def on_backward(self, tensor, loss_value):
        if loss_value is None or self._trigger is not None or self.ctx.step > PROBE_STEPS:
            return
        if not math.isfinite(loss_value):
            if self.ctx.step >= 1:
                self._trigger = f"non-finite loss at step {self.ctx.step}"
            return
        if self._first_loss is None:
            self._first_loss = loss_value
        elif self._first_loss > 0 and loss_value > 10 * self._first_loss:
            self._trigger = f"loss {loss_value:.3g} at step {self.ctx.step}, >10x its start"

    def on_before_step(self, optimizer):
        if self.ctx.step > PROBE_STEPS:
            self.ctx.retire(self.name)  # nothing left to record or watch for; flush() still runs
            return
        if self._off is not None:
            return
        self.ctx.watch_next_step(self.name)
        if self._optimizer is None:
            self._optimizer = weakref.ref(optimizer)
            self._snapshot(optimizer)
        elif self._optimizer() is not optimizer:
            self._off = "several optimizers"
            return
        elif self._first_update is None and self._initial is not None:
            self._first_update = self._update_ratio()
        if len(self._grad_norms) < 21:
            self._grad_norms.append(self._grad_norm(optimizer))
        self._losses_this_step = 0
        if len(self._lrs) < PROBE_STEPS:
            self._lrs.append([float(g.get("lr", 0.0)) for g in optimizer.param_groups])

    def _update_ratio(self) -> float:
        """Median over weight matrices of ||w_1 - w_0|| / ||w_0||: how far the first update moved them."""
        root = self._root() if self._root is not None else None
        if root is None:
            return 0.0
        ratios = []
        with torch.no_grad():
            for name, p in root.named_parameters():
                w0 = self._initial.get(name)
                if w0 is not None and p.dim() >= 2 and w0.shape == p.shape:
                    norm = float(w0.norm())
                    if norm > 0:
                        ratios.append(float((p.detach().to("cpu") - w0).norm()) / norm)
        ratios.sort()
        return ratios[len(ratios) // 2] if ratios else 0.0

    def _grad_norm(self, optimizer: torch.optim.Optimizer) -> float:
        """This step's gradient norm (the monitor measures the per-parameter norms once per step)."""
        norm = combined_norm(self.ctx.param_grad_norms(optimizer)[1])
        return norm if norm is not None else math.nan

    def _snapshot(self, optimizer: torch.optim.Optimizer) -> None:
        """The initial weights and the optimizer's configuration, before its first update."""
        root = self._root() if self._root is not None else None
        if root is None:
            self._off = "no model forward seen before the first step"
            return
        named = list(root.named_parameters())
        index = {id(p): i for i, (_, p) in enumerate(named)}
        groups, members = [], []
        for g in optimizer.param_groups:
            ids = [index.get(id(p)) for p in g["params"]]
            if any(i is None for i in ids):
                self._off = "the optimizer holds parameters outside the model"
                return
            groups.append({k: v for k, v in g.items() if k != "params"})
            members.append(ids)
        state = root.state_dict()
        size = sum(t.numel() * t.element_size() for t in state.values() if isinstance(t, torch.Tensor))
        if size > MAX_STATE_BYTES:
            self._off = f"model too large to keep a copy ({size >> 20} MB)"
            return
        self._initial = {k: v.detach().to("cpu", copy=True) for k, v in state.items() if isinstance(v, torch.Tensor)}
        self._groups, self._group_params = groups, members
        self._optimizer_type = type(optimizer)

    # ------------------------------------------------------------------ the probe (end of run)
    def _first_gradient_exploded(self) -> bool:
        """The first gradient was 100x those after it: the huge first update is a gradient spike."""
        later = sorted(g for g in self._grad_norms[1:] if math.isfinite(g))
        first = self._grad_norms[0] if self._grad_norms else math.nan
        return len(later) >= 5 and math.isfinite(first) and first > 100 * later[len(later) // 2]

    def flush(self) -> None:
        suspect = (
            self._first_update is not None
            and self._first_update >= SUSPECT_RATIO
            and not self._first_gradient_exploded()  # exploding-gradients, not the rate
        )
        if self._trigger is None and not suspect:
            return
        trigger = self._trigger or f"first update moved the weights by {self._first_update:.2g} of their norm"
        root = self._root() if self._root is not None else None
        reason = self._off
        if reason is None and not self._batches:
            reason = "no library loss call was recorded to re-train with (a hand-written loss)"
        if reason is None and (root is None or self._initial is None or not self._groups):
            reason = "nothing recorded to re-train from"
        if reason is None:
            reason = self._unusable_batches()
        if reason is not None:
            self.ctx.trace.event("lr_probe", self.ctx.step, skipped=reason, trigger=trigger)
            return
        devices = sorted({p.device.index for p in root.parameters() if p.device.type == "cuda"})
        busy = getattr(self.ctx, "_busy", None)
        if busy is not None:
            self.ctx._busy = True  # should the monitor still be listening, it ignores the copy
        try:
            with torch.random.fork_rng(devices=devices), torch.enable_grad():
                budget = _Budget(self._steps_affordable(root))
                result = self._search(root, budget) if self._trigger is not None else self._compare(root, budget)
                result["step_budget"] = budget.steps
        except Exception as exc:  # a model that cannot be copied or re-trained: say so, nothing more
            result = {"skipped": f"re-training failed ({type(exc).__name__}: {str(exc)[:200]})"}
        finally:
            if busy is not None:
                self.ctx._busy = busy
        if self._first_update is not None:
            result["first_update_ratio"] = self._first_update
        self.ctx.trace.event("lr_probe", self.ctx.step, trigger=trigger, **result)

    def _unusable_batches(self) -> str | None:
        """Why the recorded batches cannot be trained on (changed in place since, or NaN/Inf), or None."""
        if any(t._version != version for t, version in self._kept):
            return "the recorded batches were changed in place after use"
        if not all(_finite(batch) for batch in self._batches):
            return "the data holds NaN/Inf: no learning rate trains on it"
        return None

    def _steps_affordable(self, root: nn.Module) -> int:
        """How many training steps of the copy fit in ``FLOP_BUDGET``, counted on one forward."""
        from torch.utils.flop_counter import FlopCounterMode

        model = copy.deepcopy(root)
        _strip_hooks(model)
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        m_args, m_kwargs = self._batches[0][:2]
        try:
            counter = FlopCounterMode(display=False)
            with torch.no_grad(), counter:
                model(*_to_device(m_args, device), **_to_device(m_kwargs, device))
            forward = counter.get_total_flops()
        except Exception:  # an op the counter cannot trace: fall back to the parameter count
            forward = 0
        if forward <= 0:  # ops the counter does not know: two operations per weight and sample
            rows = next((t.shape[0] for t in m_args if isinstance(t, torch.Tensor) and t.dim() > 0), 1)
            forward = 2 * rows * sum(p.numel() for p in model.parameters())
        return int(FLOP_BUDGET // max(3 * forward, 1))

    def _search(self, root: nn.Module, budget: _Budget) -> dict[str, Any]:
        """After NaN or a blow-up (or a suspect rate that is not clean): the largest clean lr/3^k."""
        start = time.monotonic()
        lr0 = float(self._groups[0].get("lr", 0.0))
        clipped = None
        if any(isinstance(m, RECURRENT) for m in root.modules()):
            # A clipped run may bump, even 20x on its first steps (each clipped step still moves the
            # weights by up to lr x CLIP_NORM): it is clean if it stays finite and the loss falls.
            clipped = self._train(root, 1.0, budget, clip=CLIP_NORM, spike=math.inf, blowup=math.inf)
            clipped.update(lr=lr0, max_norm=CLIP_NORM)
        tried = []
        suggested = None
        for k in range(1, MAX_DIVISIONS + 1):
            if budget.spent():
                break
            outcome = self._train(root, 3.0**-k, budget)
            outcome["lr"] = lr0 / 3**k
            tried.append(outcome)
            if outcome["clean"]:
                suggested = lr0 / 3**k
                break
            if [t.get("why") for t in tried[-2:]] == [STALLED, STALLED]:
                break  # two rates in a row did not learn: smaller ones learn slower still
        result = {
            "mode": "search",
            "lr": lr0,
            "suggested_lr": suggested,
            "tried": tried,
            "steps": PROBE_STEPS,
            "batches": len(self._batches),
            "seconds": round(time.monotonic() - start, 3),
        }
        if clipped is not None:
            result["clipped"] = clipped
        return result

    def _compare(self, root: nn.Module, budget: _Budget) -> dict[str, Any]:
        """After a huge first update: the user's rate first, on the recorded batches.

        If it is not clean there either (the loss spikes or does not fall), search for the largest
        clean lr/3^k as after a NaN. If it is, compare it with lr/3 and lr/9 over COMPARE_STEPS.
        """
        start = time.monotonic()
        lr0 = float(self._groups[0].get("lr", 0.0))
        baseline = self._train(root, 1.0, budget, COMPARE_STEPS)
        baseline["lr"] = lr0
        if not baseline["clean"] and baseline.get("why") != BUDGET_SPENT:
            result = self._search(root, budget)
            result.update(baseline=baseline, verdict="your rate is not clean" if result["suggested_lr"] else None)
            return result
        tried = []
        for k in (1, 2):
            if budget.spent():
                break
            outcome = self._train(root, 3.0**-k, budget, COMPARE_STEPS)
            outcome["lr"] = lr0 / 3**k
            tried.append(outcome)
        reference = baseline.get("loss_last", math.inf)
        better = [t for t in tried if t["clean"] and t["loss_last"] <= BETTER * reference]
        best = min(better, key=lambda t: t["loss_last"]) if better else None
        return {
            "mode": "compare",
            "lr": lr0,
            "baseline": baseline,
            "suggested_lr": best["lr"] if best else None,
            "verdict": "a smaller rate ends lower" if best else None,
            "tried": tried,
            "steps": COMPARE_STEPS,
            "batches": len(self._batches),
            "seconds": round(time.monotonic() - start, 3),
        }

    def _train(
        self,
        root: nn.Module,
        scale: float,
        budget: _Budget,
        steps: int = PROBE_STEPS,
        clip: float | None = None,
        spike: float = SPIKE,
        blowup: float = 10.0,
    ) -> dict[str, Any]:
        """Train a copy from the initial weights at every rate x ``scale`` (the gradient norm
        clipped at ``clip``, if given); clean = finite, never ``spike`` x the first loss, and falling."""
        import torch.nn.functional as F

        model = copy.deepcopy(root)
        _strip_hooks(model)
        device = next((p.device for p in model.parameters()), torch.device("cpu"))
        model.load_state_dict({k: v.to(device) for k, v in self._initial.items()})
        model.train()
        params = list(model.parameters())
        groups = [
            {**g, "params": [params[i] for i in ids], "lr": float(g.get("lr", 0.0)) * scale}
            for g, ids in zip(self._groups, self._group_params, strict=True)
        ]
        try:
            optimizer = self._optimizer_type(groups)  # every hyperparameter travels in the groups
        except TypeError:
            optimizer = self._optimizer_type(groups, lr=groups[0]["lr"])
        losses: list[float] = []
        for step in range(steps):
            if not budget.take_step():
                return {"clean": False, "why": BUDGET_SPENT, "steps_run": step}
            m_args, m_kwargs, fn_name, l_args, l_kwargs = self._batches[step % len(self._batches)]
            if step < len(self._lrs):
                for group, lr in zip(optimizer.param_groups, self._lrs[step], strict=False):
                    group["lr"] = lr * scale
            out = model(*_to_device(m_args, device), **_to_device(m_kwargs, device))
            fn = getattr(F, fn_name)
            fn = getattr(fn, "__wrapped__", fn)
            loss = fn(out, *_to_device(l_args, device), **_to_device(l_kwargs, device))
            value = float(loss.detach())
            losses.append(value)
            if not math.isfinite(value):
                return {"clean": False, "why": f"non-finite loss at step {step}", "loss_first": losses[0]}
            if losses[0] > 0 and value > blowup * losses[0]:
                return {"clean": False, "why": f"loss blew up at step {step}", "loss_first": losses[0]}
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if clip is not None:
                torch.nn.utils.clip_grad_norm_(params, clip)
            optimizer.step()
        first = sum(losses[:10]) / len(losses[:10])
        last = sum(losses[-10:]) / len(losses[-10:])
        peak = max(losses[1:], default=losses[0])
        if peak > spike * losses[0]:
            why = f"the loss spiked to {peak / losses[0]:.3g}x its start"
        elif last > FALL * first:
            why = STALLED
        else:
            why = ""
        return {"clean": not why, "why": why, "loss_first": first, "loss_last": last, "loss_peak": peak}
