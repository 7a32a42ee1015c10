"""missing-zero-grad: gradients are never cleared between optimizer steps."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

#: Watch windows (step k -> step k+1) that must have been seen before judging.
MIN_STALE_WINDOWS = 3
#: Share of watched windows in which the gradients were never cleared.
MIN_STALE_SHARE = 0.5


@register
class MissingZeroGrad(Rule):
    """Gradients are never cleared between optimizer steps.

    What it detects:
        Between two steps of the same optimizer, its parameters' gradients were never set to
        ``None`` or zero, so each ``backward()`` added to the previous steps' gradients.
        Checked on sample parameters in watch windows (the first steps, then sampled ones);
        loops that update parameters by hand are checked between backward passes. Gradient
        accumulation (several backward passes, ``zero_grad`` after the step), ``zero_grad(
        set_to_none=False)``, ``model.zero_grad()`` and ``p.grad = None`` all clear them.
    Why it matters:
        PyTorch accumulates gradients on purpose. Without clearing, step ``k`` uses the sum of
        all ``k`` gradients: the effective learning rate grows every step and momentum
        optimizers overshoot; the loss stalls, oscillates or diverges.
    Fix:
        Call ``optimizer.zero_grad()`` once per step, before ``loss.backward()`` (or right
        after ``optimizer.step()``).
    """

    id = "missing-zero-grad"
    severity = Severity.ERROR
    title = "Gradients are never cleared between optimizer steps"
    requires = frozenset({"grad_clearing", "grad_norm"})

    def check(self, view):
        for key in view.keys("stale_grad"):
            series = view.series("stale_grad", key)
            stale = series.values >= 0.5
            n_stale = int(stale.sum())
            if n_stale < MIN_STALE_WINDOWS or n_stale < MIN_STALE_SHARE * len(series):
                continue
            yield self._finding(view, key, series, n_stale)

    def _finding(self, view, key, series, n_stale):
        first = int(series.steps[series.values >= 0.5][0])
        event = next((e for e in view.events("stale_grad_params") if e.data.get("key") == key), None)
        params = list(event.data.get("params", [])) if event else []
        where = params[0].split(".")[0] if params else None
        manual = key == "manual"
        evidence = {
            "windows_checked": len(series),
            "windows_not_cleared": n_stale,
            "params_checked": params,
        }
        growth = ""
        norms = view.series("grad_norm", key)
        if not manual and len(norms) >= 10:
            k = max(3, len(norms) // 10)
            early, late = float(norms.values[:k].mean()), float(norms.values[-k:].mean())
            evidence["grad_norm_early"] = early
            evidence["grad_norm_late"] = late
            if early > 0 and late > 2 * early:
                growth = f" The gradient norm grew from {early:.3g} to {late:.3g} as the gradients piled up."
        var = next(
            (e.data["variable"] for e in view.events("optimizer_variable") if e.data.get("optimizer") == key), None
        )
        if var:
            evidence["optimizer_variable"] = var
        what = (
            "between hand-written parameter updates"
            if manual
            else f"between steps of {key}" + (f" ({var})" if var and var != key else "")
        )
        message = (
            f"The gradients were never cleared {what} in {n_stale} of {len(series)} checked windows: "
            f"each backward() adds to all previous gradients, so every update uses their running sum.{growth}"
        )
        if manual:
            fix = (
                "Clear each gradient after using it in the update:\n```\n"
                "p.grad = None   # or p.grad.zero_(), inside the torch.no_grad() update loop\n```"
            )
        else:
            fix = (
                "Clear the gradients once per step, before backward:\n```\n"
                f"{var or 'optimizer'}.zero_grad()   # then loss.backward(); {var or 'optimizer'}.step()\n```"
            )
        return self.finding(message, fix, where=where, step=first, evidence=evidence)
