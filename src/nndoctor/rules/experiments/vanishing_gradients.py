"""vanishing-gradients: early layers' gradients orders of magnitude below later layers'."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: A layer's relative gradient ||g||/||w|| this far below the largest later one has vanished.
RATIO = 1e-3
MIN_LAYERS = 3


@register
class VanishingGradients(ExamineRule):
    """Early layers get gradients orders of magnitude smaller than later ones.

    What it detects:
        The relative gradient ``||grad|| / ||weight||`` of each weight layer after a backward
        pass at initialisation, in forward order; a layer whose value is below 1/1000 of the
        largest value of the layers after it (3 weight layers at least).
    Why it matters:
        With the same learning rate, those layers move 1000x slower than the last ones: the
        network trains as if the early layers were frozen. Deep stacks of sigmoid/tanh and
        small initialisations are the classic causes.
    Fix:
        ReLU-family activations, Kaiming initialisation, normalisation layers, residual
        connections.
    """

    id = "vanishing-gradients"
    severity = Severity.WARNING
    title = "Gradients vanish in the early layers"

    def check(self, view):
        d = data_of(view, "grad_flow")
        layers = [x for x in (d or {}).get("layers", []) if x["relative"] is not None]  # zero weights: undefined
        if len(layers) < MIN_LAYERS:
            return
        rel = [layer["relative"] for layer in layers]
        for i, layer in enumerate(layers[:-1]):
            later = max(rel[i + 1 :])
            if later > 0 and rel[i] < RATIO * later:
                top = layers[i + 1 :][rel[i + 1 :].index(later)]["name"]
                evidence = {"relative_grad": {x["name"]: x["relative"] for x in layers}, "ratio": rel[i] / later}
                message = (
                    f"{layer['name']}'s gradient is {g(rel[i])} of its weight norm, {g(later / max(rel[i], 1e-30))}x "
                    f"smaller than {top}'s ({g(later)}): with one learning rate, the early layers barely move."
                )
                fix = (
                    "Use ReLU-family activations with Kaiming initialisation, add normalisation or residual connections:\n"
                    "```\nnn.Sequential(nn.Linear(a, b), nn.BatchNorm1d(b), nn.ReLU(), ...)\n```"
                )
                yield self.finding(message, fix, where=layer["name"], evidence=evidence)
                return
