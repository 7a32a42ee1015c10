"""missing-activation: stacked linear layers with no nonlinearity between them."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of


@register
class MissingActivation(ExamineRule):
    """Two affine layers follow each other with no nonlinearity in between.

    What it detects:
        In the probe's forward pass, the output of a Linear/Conv layer reaching another
        Linear/Conv layer as is (possibly through dropout, flatten or a normalisation layer).
        A functional activation (``F.relu``) between them breaks the chain and is not reported,
        nor is a narrow bottleneck (a low-rank factorisation, as in LoRA adapters).
    Why it matters:
        Two affine maps compose into one: the extra layer adds parameters but no expressive
        power, and the network is shallower than it looks.
    Fix:
        Put an activation between them (or merge them into one layer if a bottleneck was meant).
    """

    id = "missing-activation"
    severity = Severity.WARNING
    title = "Linear layers stacked without an activation"

    def check(self, view):
        if not view.events("loss_probe"):
            return  # a run's trace has linear_chain events too: the live rule judges those
        widths = {layer["name"]: layer for layer in (data_of(view, "weight_stats") or {}).get("layers", [])}
        for e in view.events("linear_chain")[:5]:
            first, second = e.data.get("first"), e.data.get("second")
            a, b = widths.get(first), widths.get(second)
            if a and b and a["units"] * 2 < min(a["fan_in"], b["units"]):
                continue  # a low-rank factorisation (a LoRA-style bottleneck) is linear on purpose
            message = (
                f"{first}'s output goes straight into {second} with no nonlinearity between them: together they "
                "compute one affine map, so the extra layer adds parameters but no expressive power."
            )
            fix = "Add an activation between the two layers:\n```\nnn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c))\n```"
            yield self.finding(message, fix, where=first, evidence={"first": first, "second": second})
