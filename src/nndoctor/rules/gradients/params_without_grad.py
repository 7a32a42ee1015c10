"""params-without-grad: trainable parameters in an optimizer never receive a gradient."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule
from nndoctor.rules.gradients._signals import cleared_before_step, executed_modules, module_of, optimizer_configs

CUT_FIX = (
    "Keep the graph connected from these parameters to the loss: no .detach(), .data, .item(), .numpy() "
    "or torch.no_grad() on the way (use .detach() only for values you log):\n"
    "```\nh = self.encoder(x)            # not self.encoder(x).detach() / .data\n```"
)
UNUSED_FIX = (
    "Call the layer in forward(), or delete it (or leave it out of the optimizer) if it is not meant to be used:\n"
    "```\nx = self.conv2(x)   # defined in __init__ but never called\n```"
)
DISCONNECTED_FIX = (
    "Call backward() on the loss tensor the model produced, not on a new tensor built from its value:\n"
    "```\nloss = F.cross_entropy(model(x), y); loss.backward()   # not torch.tensor(loss.item(), requires_grad=True)\n```"
)


def never_with_grad(view) -> dict[str, tuple[list[str], int, int]]:
    """Per optimizer: parameters without a gradient at every measured step, first and last step.

    ``params_without_grad`` events are written when the set changes, so a parameter that was
    in every event never had a gradient at any measured step.
    """
    out = {}
    by_opt: dict[str, list] = {}
    for e in view.events("params_without_grad"):
        by_opt.setdefault(e.data.get("optimizer", "optimizer"), []).append(e)
    for label, events in by_opt.items():
        names = list(events[0].data.get("names") or [])
        for e in events[1:]:
            keep = set(e.data.get("names") or [])
            names = [n for n in names if n in keep]
        counts = view.series("params_without_grad", label)
        if names and len(counts):
            out[label] = (names, int(counts.steps[0]), int(counts.steps[-1]))
    return out


@register
class ParamsWithoutGrad(Rule):
    """Trainable parameters held by an optimizer never receive a gradient.

    What it detects:
        Parameters with ``requires_grad=True`` in an optimizer whose ``.grad`` is still None at
        every measured step for at least ``min_steps`` steps. It tells three cases apart: no
        parameter gets a gradient (the loss is not connected to the model), a layer that runs in
        forward() gets none (the graph is cut after it: ``.detach()``, ``.data``, ``.item()``,
        ``no_grad``), and a layer that never runs (defined but unused).
    Why it matters:
        Those weights stay at their random initialisation while the optimizer reports steps;
        the rest of the network trains around them, or nothing trains at all.
    Fix:
        Remove the ``.detach()``/``.data``/``.item()`` on the path to the loss, call the unused
        layer or drop it, and call ``backward()`` on the loss the model produced.
    """

    id = "params-without-grad"
    severity = Severity.ERROR
    title = "Parameters never receive a gradient"
    requires = frozenset({"step_order", "param_coverage", "structure", "param_stats"})

    def __init__(self, min_steps: int = 10) -> None:
        if min_steps < 1:
            raise ValueError(f"min_steps must be at least 1, got {min_steps}")
        self.min_steps = min_steps

    def check(self, view):
        executed = executed_modules(view)
        cleared = cleared_before_step(view)
        for label, (names, first, last) in never_with_grad(view).items():
            if last - first < self.min_steps or label in cleared:
                continue  # (gradients cleared after backward(): params-not-updated says so)
            named = (optimizer_configs(view).get(label) or {}).get("shapes") or {}
            held = view.series("params_in_optimizer", label)
            total = len(named) if named else (int(held.values[-1]) if len(held) else len(names))
            base = {"optimizer": label, "steps_checked": last - first + 1, "first_step": first}
            if len(names) >= total:
                yield self._disconnected(names, base, first)
                continue
            ran, unused = self._split(names, executed)
            if ran:
                yield self._cut(ran, executed, base, first)
            if unused:
                yield self._unused(unused, executed, base, first)

    @staticmethod
    def _split(names: list[str], executed: dict[str, int] | None) -> tuple[list[str], list[str]]:
        if executed is None:
            return names, []
        ran, unused = [], []
        for name in names:
            module = module_of(name)
            has_run = module in executed or any(m.startswith(module + ".") for m in executed)
            (ran if has_run else unused).append(name)
        return ran, unused

    def _disconnected(self, names, base, step):
        evidence = {**base, "params": names[:20], "count": len(names)}
        roots = sorted({n.split(".", 1)[0] for n in names})
        message = (
            f"None of the {len(names)} parameters in the optimizer ever received a gradient: the loss that "
            "backward() is called on is not connected to the model (rebuilt from .item()/.numpy(), computed "
            "under torch.no_grad(), or from detached outputs). optimizer.step() changes nothing."
        )
        return self.finding(
            message, DISCONNECTED_FIX, where=roots[0] if len(roots) == 1 else None, step=step, evidence=evidence
        )

    def _cut(self, names, executed, base, step):
        modules = _ordered_modules(names, executed)
        evidence = {
            **base,
            "params": names[:20],
            "count": len(names),
            "modules": modules[:10],
            "modules_run_in_forward": True,
        }
        message = (
            f"{len(names)} parameter(s) of {', '.join(modules[:4])}{' ...' if len(modules) > 4 else ''} never received a "
            f"gradient ({', '.join(names[:4])}{' ...' if len(names) > 4 else ''}), although these layers run in "
            f"forward(): the graph is cut after {modules[-1]} (.detach(), .data, .item(), torch.no_grad() or a "
            "numpy round trip), so they never train."
        )
        return self.finding(message, CUT_FIX, where=modules[-1], step=step, evidence=evidence)

    def _unused(self, names, executed, base, step):
        modules = _ordered_modules(names, executed)
        evidence = {
            **base,
            "params": names[:20],
            "count": len(names),
            "modules": modules[:10],
            "modules_run_in_forward": False,
        }
        message = (
            f"{', '.join(modules[:4])}{' ...' if len(modules) > 4 else ''} never ran in forward(), so "
            f"{len(names)} parameter(s) the optimizer holds ({', '.join(names[:4])}{' ...' if len(names) > 4 else ''}) "
            "never received a gradient: the layer is defined but unused."
        )
        return self.finding(
            message, UNUSED_FIX, where=modules[0], step=step, evidence=evidence, severity=Severity.WARNING
        )


def _ordered_modules(names: list[str], executed: dict[str, int] | None) -> list[str]:
    """Modules of ``names``, in forward order where known, then in parameter order."""
    modules: list[str] = []
    for name in names:
        m = module_of(name)
        if m not in modules:
            modules.append(m)
    if executed:
        big = len(executed)
        modules.sort(
            key=lambda m: executed.get(m, min((i for k, i in executed.items() if k.startswith(m + ".")), default=big))
        )
    return modules
