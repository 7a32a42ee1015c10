"""missing-activation: two linear layers stacked with no nonlinearity between them."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

FIX = "Put a nonlinearity between the two layers:\n```\nnn.Sequential(nn.Linear(a, b), nn.ReLU(), nn.Linear(b, c))   # or x = F.relu(self.fc1(x))\n```"


@register
class MissingActivation(Rule):
    """Stacked Linear/Conv layers with no nonlinearity between them.

    What it detects:
        A Linear (or Conv) layer whose input is exactly the output of another Linear/Conv layer
        of the same parent module, at most through dropout, flatten, identity or batch-norm
        layers (all affine at inference). Provenance is tracked by tensor identity during a
        forward pass, so a functional ``F.relu`` in ``forward`` breaks the chain and is never
        mistaken for a missing activation. Deliberate linear pairs are left alone: a bottleneck
        narrower than both ends (a low-rank factorisation, LoRA, an autoencoder's code), a
        depthwise conv followed by a pointwise conv (separable convolution), and layers that
        belong to different parent modules (an encoder's last layer feeding a decoder).
    Why it matters:
        A composition of linear maps is one linear map: ``W2 (W1 x + b1) + b2 = W x + b``.
        The extra layer adds parameters and compute but no expressive power, so the network is
        shallower than it looks and may underfit.
    Fix:
        Insert an activation (ReLU, GELU, ...) between the layers, or merge them into one.
    """

    id = "missing-activation"
    severity = Severity.WARNING
    title = "No nonlinearity between stacked layers"
    requires = frozenset({"structure"})

    def check(self, view):
        for e in view.events("linear_chain"):
            d = e.data
            if not d.get("same_parent", True) or d.get("first_depthwise"):
                continue
            a_in, mid, c_out = int(d.get("first_in") or 0), int(d.get("first_out") or 0), int(d.get("second_out") or 0)
            if a_in and mid and c_out and mid < a_in and mid < c_out:
                continue  # a bottleneck: an intentional low-rank factorisation
            first, second = d["first"], d["second"]
            between = d.get("between") or []
            via = f" (through {', '.join(between)} only)" if between else ""
            evidence = {
                "first": first,
                "first_type": d.get("first_type"),
                "second": second,
                "second_type": d.get("second_type"),
                "widths": [a_in, mid, c_out],
                "between": between,
            }
            message = (
                f"{second} ({d.get('second_type')}) receives the output of {first} ({d.get('first_type')}) directly"
                f"{via}: two stacked linear maps are one linear map ({a_in}->{mid}->{c_out} equals a single "
                f"{a_in}->{c_out} layer), so the extra layer adds no expressive power."
            )
            yield self.finding(message, FIX, where=first, step=e.step, evidence=evidence)
