"""params-not-updated: parameters receive gradients but no optimizer updates them."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import cleared_before_step, executed_modules, module_of, param_shapes

LEFT_OUT_FIX = (
    "Give the optimizer every parameter you want trained (all of the model, not one layer's):\n"
    "```\noptimizer = torch.optim.SGD(model.parameters(), lr=lr)\n```"
)
RECREATED_FIX = (
    "Build the optimizer from the model that trains, after its last re-creation:\n"
    "```\nmodel = make_model(); optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n```"
)
STALE_FIX = (
    "Build the optimizer after the model is final (after replacing layers), or add the new layer's parameters:\n"
    "```\nmodel.fc = nn.Linear(512, n_classes); optimizer = torch.optim.Adam(model.parameters(), lr=lr)\n```"
)
ORDER_FIX = (
    "Clear the gradients before the backward pass, never between backward() and step():\n"
    "```\noptimizer.zero_grad()\nloss.backward()\noptimizer.step()\n```"
)
STEP_FIRST_FIX = (
    "Call step() after backward(), so that it uses the gradients just computed:\n"
    "```\noptimizer.zero_grad()\nloss = criterion(model(x), y)\nloss.backward()\noptimizer.step()\n```"
)
NO_STEP_FIX = "Call the optimizer after each backward pass:\n```\nloss.backward()\noptimizer.step()\n```"
FROZEN_FIX = (
    "If these layers are meant to stay frozen, say so: no gradients are computed (faster, less memory):\n"
    "```\nfor p in backbone.parameters(): p.requires_grad_(False)\n```"
)


def persistent_orphans(view, min_steps: int) -> tuple[list[str], int] | None:
    """Parameters that got gradients but were in no optimizer for the last ``min_steps``+ steps.

    Returns the names and the step since which the set has been what it is now.
    """
    events = view.events("params_not_in_optimizer")
    if not events or not events[-1].data.get("names"):
        return None
    names = list(events[-1].data["names"])
    since = events[-1].step
    for e in reversed(events[:-1]):  # how long each name has been an orphan without a break
        still = set(e.data.get("names") or [])
        if not all(n in still for n in names):
            break
        since = e.step
    counts = view.series("params_not_in_optimizer")
    measured = int(np.sum(counts.steps >= since))
    if view.last_step - since < min_steps or measured < 3:
        return None
    return names, since


def replaced_layer_orphans(view, min_steps: int) -> tuple[list[str], int] | None:
    """The orphans of an optimizer built before a layer was replaced, measured fewer times than
    :func:`persistent_orphans` asks: the model's parameters are walked on full sampled steps
    only, but the signature's other half, optimizer parameters that belong to no watched model
    and get no gradient, is measured at every sampled step. Orphans at the last walk with such
    parameters held at three or more sampled steps over ``min_steps`` steps or more, up to the end.

    Returns the orphans' names and the step the optimizer started holding the old parameters."""
    events = view.events("params_not_in_optimizer")
    if not events or not events[-1].data.get("names"):
        return None
    for key in view.keys("stale_optimizer_params"):  # (per optimizer)
        stale = view.series("stale_optimizer_params", key)
        if len(stale) < 3 or not stale.values[-1] > 0:
            continue
        held = np.flatnonzero(stale.values <= 0)
        first = int(held[-1]) + 1 if len(held) else 0  # the streak of samples holding them, to the end
        since = int(stale.steps[first])
        if len(stale) - first >= 3 and view.last_step - since >= min_steps and events[-1].step >= since:
            return list(events[-1].data["names"]), since
    return None


@register
class ParamsNotUpdated(Rule):
    """Parameters receive gradients but no optimizer updates them.

    What it detects:
        Parameters of a watched model with ``requires_grad=True`` that get a gradient at every
        measured step for ``min_steps`` steps, belong to no optimizer that steps, and keep
        exactly the same values (nothing else, such as a hand-written update, changes them).
        It tells apart a layer left out of the optimizer (a later layer untrained while earlier
        ones train: error), an optimizer built before a layer was replaced (it still holds the
        old layer's parameters, which get no gradient: error), and a leading block left out
        that holds at least as many tensors as the optimizer trains (usually a backbone meant
        to be frozen: info; a few tensors ahead of a larger trained stack, such as embeddings
        that parameter groups built by module type missed, are an error). Two loop bugs freeze the whole model:
        ``zero_grad()`` called between ``backward()`` and ``step()`` at every sampled step for
        ``min_steps`` steps (each step finds the gradients cleared), and ``step()`` never called
        while ``backward()`` and ``zero_grad()`` run (30+ backward passes, parameters unchanged).
    Why it matters:
        The layer stays at its random initialisation: the network trains around random
        weights, and for an output layer the model can only learn what random features allow.
    Fix:
        Pass ``model.parameters()`` to the optimizer, and build it after the model is final.
        For an intentionally frozen part, set ``requires_grad_(False)`` on it. In the loop:
        ``zero_grad()``, ``backward()``, ``step()``, in that order.
    """

    id = "params-not-updated"
    severity = Severity.ERROR
    title = "Parameters get gradients but are never updated"
    requires = frozenset({"param_coverage", "param_stats", "structure", "step_order"})

    def __init__(self, min_steps: int = 10) -> None:
        if min_steps < 1:
            raise ValueError(f"min_steps must be at least 1, got {min_steps}")
        self.min_steps = min_steps

    def check(self, view):
        yield from self._loop_order(view)
        found = persistent_orphans(view, self.min_steps) or replaced_layer_orphans(view, self.min_steps)
        if found is None:
            return
        names, since = found
        names = [n for n in names if self._unchanged(view, n, since)]
        if not names:
            return
        modules = list(dict.fromkeys(module_of(n) for n in names))
        trained = list(dict.fromkeys(module_of(n) for n in param_shapes(view)))
        executed = executed_modules(view) or {}
        stale = self._stale(view)
        evidence = {
            "params": names[:20],
            "count": len(names),
            "modules": modules[:10],
            "since_step": since,
            "steps_checked": view.last_step - since + 1,
            "modules_in_optimizer": trained[:10],
        }
        head = (
            f"{len(names)} parameter(s) of {', '.join(modules[:4])}{' ...' if len(modules) > 4 else ''} get gradients "
            f"at every step but no optimizer updates them ({', '.join(names[:4])}{' ...' if len(names) > 4 else ''} "
            "keep their initial values)"
        )
        if stale:
            evidence["optimizer_params_not_in_model"] = stale
            if trained:
                cause, fix = (
                    "the optimizer was built before these layers were replaced, and it updates the old ones",
                    STALE_FIX,
                )
            else:  # none of the model's parameters is in an optimizer: the whole model is new
                cause = (
                    "the optimizer was built for an earlier model object: the model was created again "
                    "(model = Net(), a reset) after the optimizer took its parameters, so the optimizer "
                    "updates the old model while the new one trains"
                )
                fix = RECREATED_FIX
            message = (
                f"{head}, while the optimizer holds {stale} parameter(s) that belong to no watched model and get no "
                f"gradient: {cause}."
            )
            yield self.finding(message, fix, where=self._where(modules, trained), step=since, evidence=evidence)
            return
        position = {m: self._position(m, executed) for m in modules + trained}
        known = [position[m] for m in modules if position[m] is not None]
        known_trained = [position[m] for m in trained if position[m] is not None]
        # A frozen backbone is the bulk of the model ahead of a small trained head; a few tensors
        # left out ahead of a larger trained stack (embeddings missed by parameter groups built
        # by module type) are a mistake, and stay at their random initialisation.
        bulk = len(names) >= len(param_shapes(view))
        if known and known_trained and max(known) < min(known_trained) and bulk:
            evidence["leading_block"] = True
            message = (
                f"{head}. They come before every layer the optimizer trains, so this looks like a frozen backbone: "
                "if so, turn their gradients off to save the backward computation."
            )
            yield self.finding(
                message,
                FROZEN_FIX,
                where=self._where(modules, trained),
                step=since,
                evidence=evidence,
                severity=Severity.INFO,
            )
            return
        message = (
            f"{head}: they were left out of the optimizer's parameter list"
            + (f" while {', '.join(trained[:3])} are trained" if trained else "")
            + ", so they stay at their random initialisation."
        )
        yield self.finding(message, LEFT_OUT_FIX, where=self._where(modules, trained), step=since, evidence=evidence)

    def _loop_order(self, view):
        """The whole model stays put because of where the loop calls zero_grad() or step()."""
        step_first = {
            e.data.get("optimizer") for e in view.events("cleared_before_step") if e.data.get("step_before_backward")
        }
        for label, (first, last) in cleared_before_step(view, self.min_steps).items():
            evidence = {"optimizer": label, "since_step": first, "steps_checked": last - first + 1}
            if label in step_first:
                evidence["step_before_backward"] = True
                message = (
                    f"{label}.step() runs before loss.backward() at every step since step {first} (the loop calls "
                    f"{label}.zero_grad() and {label}.step(), then the forward and backward passes): each step finds "
                    "the gradients just cleared and updates nothing, and each backward's gradients are cleared "
                    "before any step uses them, so the model keeps its initial weights."
                )
                yield self.finding(message, STEP_FIRST_FIX, step=first, evidence=evidence)
                continue
            message = (
                f"{label}.zero_grad() runs after loss.backward() and before {label}.step() at every step since "
                f"step {first}: each step finds the gradients just cleared and updates nothing, so the model keeps "
                "its initial weights."
            )
            yield self.finding(message, ORDER_FIX, step=first, evidence=evidence)
        if view.last_step > 0:
            return
        checks = [e for e in view.events("never_stepped") if e.data.get("optimizers")]
        d = checks[-1].data if checks else {}
        # Cleared at (nearly) every backward yet never stepped: not a long gradient accumulation
        # (one zero_grad, then many backward passes before the first step).
        if d.get("params_unchanged") and 2 * d.get("zero_grad_calls", 0) >= d.get("backward_calls", 0):
            evidence = {k: d[k] for k in ("backward_calls", "zero_grad_calls", "optimizers", "params") if k in d}
            message = (
                f"loss.backward() ran {d['backward_calls']} times and optimizer.zero_grad() {d['zero_grad_calls']} "
                "times, but optimizer.step() never ran: the gradients are computed and thrown away, and the "
                f"{d.get('params', 0)} parameter tensors keep their initial values."
            )
            yield self.finding(message, NO_STEP_FIX, step=0, evidence=evidence)

    @staticmethod
    def _where(modules: list[str], trained: list[str]) -> str:
        """The innermost module holding every affected layer and none the optimizer trains
        (a whole re-created model, a frozen backbone), else the first affected layer."""
        parts = [m.split(".") for m in modules]
        common: list[str] = []
        for level in zip(*parts, strict=False):
            if len(set(level)) > 1:
                break
            common.append(level[0])
        prefix = ".".join(common)
        if prefix and not any(t == prefix or t.startswith(prefix + ".") for t in trained):
            return prefix
        return modules[0]

    @staticmethod
    def _unchanged(view, name: str, since: int) -> bool:
        """True if the parameter never changed since ``since`` (no hand-written update either): the
        same tensor never moved between two measurements (a rebuilt model's new tensor under the
        same name is not a move); records without that series compare the norms."""
        moved = view.series("orphan_param_moved", name)
        if len(moved):
            return not bool(np.any(moved.values[moved.steps >= since] > 0))
        s = view.series("orphan_param_norm", name)
        values = s.values[s.steps >= since]
        if len(values) < 2:
            return True
        return bool(np.all(np.abs(values - values[0]) <= 1e-7 * max(abs(values[0]), 1e-12)))

    @staticmethod
    def _stale(view) -> int:
        """How many parameters the optimizers hold that belong to no watched model and get no gradient."""
        total = 0
        latest: dict[str, int] = {}
        for e in view.events("stale_optimizer_params"):
            latest[e.data.get("optimizer", "optimizer")] = int(e.data.get("count") or 0)
        for count in latest.values():
            total += count
        return total

    @staticmethod
    def _position(module: str, executed: dict[str, int]) -> int | None:
        if module in executed:
            return executed[module]
        inside = [i for name, i in executed.items() if name.startswith(module + ".")]
        return min(inside) if inside else None
