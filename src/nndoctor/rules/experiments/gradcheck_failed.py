"""gradcheck-failed: a custom backward disagrees with finite differences."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, g


@register
class GradcheckFailed(ExamineRule):
    """A custom module's or autograd Function's backward disagrees with finite differences.

    What it detects:
        ``torch.autograd.gradcheck`` in float64 (with respect to inputs and parameters) fails
        for a module that is not a stock ``torch.nn`` layer; only the deepest failing modules
        are blamed, and only for gradients that are nonzero and wrong (each input and parameter is
        checked alone; the relative error along a random direction is reported). A zero
        gradient where the output moves (a ``detach``: a stop-gradient) or a zero numerical
        derivative where the backward passes gradients (a straight-through estimator) is
        usually deliberate and is not reported here.
    Why it matters:
        The optimizer follows the gradient it is given: a wrong backward (a missing factor,
        a wrong sign, a wrong transpose) trains in a wrong direction, usually with no error
        at all, just a model that learns badly.
    Fix:
        Fix the ``backward`` of the custom ``torch.autograd.Function`` (or drop it and let
        autograd differentiate the forward), and test it with gradcheck.
    """

    id = "gradcheck-failed"
    severity = Severity.ERROR
    title = "A custom gradient is wrong"

    def check(self, view):
        failed = [e.data for e in view.events("gradcheck") if not e.data.get("passed") and e.data.get("wrong")]
        names = [d["module"] for d in failed]
        for d in failed:
            if any(other != d["module"] and other.startswith(d["module"] + ".") for other in names):
                continue  # a custom child fails: blame the child
            fns = d.get("functions") or []
            evidence = {
                "relative_error": d.get("rel_error"),
                "module_type": d.get("type"),
                "custom_functions": fns,
                "wrong_gradient_of": d.get("wrt"),
                "gradcheck": (d.get("error") or "")[:200],
            }
            wrt = f" The first mismatch is in the gradient with respect to {d['wrt']}." if d.get("wrt") else ""
            via = (
                f" (it uses the custom autograd Function{'s' if len(fns) > 1 else ''} {', '.join(fns)})" if fns else ""
            )
            message = (
                f"The analytical gradient of {d['module']} ({d.get('type')}){via} disagrees with finite differences "
                f"in float64: relative error {g(d.get('rel_error'))} along a random direction.{wrt}"
            )
            fix = (
                "Fix the backward of the custom Function and check it with gradcheck:\n"
                "```\nx = torch.randn(4, 3, dtype=torch.double, requires_grad=True)\ntorch.autograd.gradcheck(MyFunction.apply, (x,))\n```"
            )
            yield self.finding(message, fix, where=d["module"], evidence=evidence)
