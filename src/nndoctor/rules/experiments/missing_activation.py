"""missing-activation: stacked linear layers with no nonlinearity between them."""

from __future__ import annotations

from typing import Any

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of


def deliberate(chain: dict[str, Any], widths: dict[str, dict[str, Any]]) -> bool:
    """A linear pair that is linear on purpose, as the live rule judges it.

    Layers of different parent modules (an encoder's last layer feeding a decoder), a depthwise
    conv followed by a pointwise one (a separable convolution), and a bottleneck narrower than
    both ends (a low-rank factorisation, as in LoRA adapters or an autoencoder's code).
    """
    if not chain.get("same_parent", True) or chain.get("first_depthwise"):
        return True
    a_in, mid, c_out = (int(chain.get(k) or 0) for k in ("first_in", "first_out", "second_out"))
    if not (a_in and mid and c_out):  # an older trace without widths: read them from the weight statistics
        a, b = widths.get(chain.get("first", "")), widths.get(chain.get("second", ""))
        if a and b:
            a_in, mid, c_out = a["fan_in"], a["units"], b["units"]
    return bool(a_in and mid and c_out and mid < a_in and mid < c_out)


@register
class MissingActivation(ExamineRule):
    """Two affine layers follow each other with no nonlinearity in between.

    What it detects:
        In the probe's forward pass, the output of a Linear/Conv layer reaching another
        Linear/Conv layer of the same parent module as is (possibly through dropout, flatten or
        a batch-norm layer). A functional activation (``F.relu``) between them breaks the chain
        and is not reported, nor are pairs that are linear on purpose: a bottleneck narrower than
        both ends (a low-rank factorisation, LoRA adapters), a depthwise conv followed by a
        pointwise conv (a separable convolution), and layers of different parent modules (an
        encoder's last layer feeding a decoder).
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
        reported = 0
        for e in view.events("linear_chain"):
            d = e.data
            if deliberate(d, widths):
                continue
            first, second = d.get("first"), d.get("second")
            between = d.get("between") or []
            via = f" (through {', '.join(between)} only)" if between else ""
            dims = [d.get("first_in"), d.get("first_out"), d.get("second_out")]
            message = (
                f"{first}'s output goes straight into {second}{via} with no nonlinearity between them: together "
                "they compute one affine map, so the extra layer adds parameters but no expressive power."
            )
            fix = (
                "Add an activation between the two layers:\n"
                "```\nnn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c))\n```"
            )
            evidence = {
                "first": first,
                "first_type": d.get("first_type"),
                "second": second,
                "second_type": d.get("second_type"),
                "widths": dims,
                "between": between,
            }
            yield self.finding(message, fix, where=first, evidence=evidence)
            reported += 1
            if reported >= 5:
                return
