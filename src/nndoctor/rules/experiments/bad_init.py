"""bad-init: weights far from Xavier/Kaiming scale, or identical rows that never break symmetry."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: std(W) * sqrt(fan_in): PyTorch default 0.58, LeCun 1, Kaiming 1.41. Flag beyond these bounds.
MAX_RATIO = 5.0
MIN_RATIO = 0.05


@register
class BadInit(ExamineRule):
    """Weights initialised far too large, far too small, or identically.

    What it detects:
        For each Linear/Conv layer, ``std(W) * sqrt(fan_in)`` (PyTorch default 0.58, LeCun 1,
        Kaiming 1.41) above 5 or, except for the output layer, below 0.05; and hidden layers
        whose rows are all identical (a constant or zero fill) and still identical after the
        overfit experiment trained them: symmetry never broke.
    Why it matters:
        Activations and gradients are multiplied by about that ratio at every layer: too
        large saturates units and explodes the initial loss, too small starves deep layers of
        signal. Identical units compute and learn the same thing, so a layer of 128 acts as one.
    Fix:
        Leave PyTorch's default initialisation, or use Kaiming (ReLU) / Xavier (tanh) with
        random values; never a constant fill for hidden layers.
    """

    id = "bad-init"
    severity = Severity.WARNING
    title = "Weights are badly initialised"

    def check(self, view):
        w = data_of(view, "weight_stats")
        if not w:
            return
        symmetry = (data_of(view, "symmetry") or {}).get("layers", {})
        for layer in w["layers"]:
            name = layer["name"]
            evidence = {
                "std": layer["std"],
                "fan_in": layer["fan_in"],
                "ratio_std_sqrt_fan_in": layer["ratio"],
                "kaiming_std": layer["kaiming_std"],
                "default_std": layer["default_std"],
            }
            if layer["rows_identical"] and not layer["is_output"] and layer["units"] > 1:
                if symmetry.get(name) is False:
                    continue  # the other layers broke the symmetry during training
                fill = "all zero" if layer["all_zero"] else f"all identical (std {g(layer['std'])})"
                measured = " and still identical after the overfit training" if name in symmetry else ""
                evidence["still_identical_after_training"] = symmetry.get(name)
                message = (
                    f"The {layer['units']} units of {name} start with {fill} weights{measured}: they compute the "
                    "same value and receive the same gradient, so they never become different."
                )
                yield self.finding(message, _fix(layer), where=name, evidence=evidence, severity=Severity.ERROR)
            elif layer["ratio"] > MAX_RATIO:
                message = (
                    f"{name}'s weights have std {g(layer['std'])}, {g(layer['std'] / layer['kaiming_std'])}x the Kaiming "
                    f"value {g(layer['kaiming_std'])} for fan-in {layer['fan_in']}: activations grow about "
                    f"{g(layer['ratio'])}x through this layer, saturating units and inflating the initial loss."
                )
                yield self.finding(message, _fix(layer), where=name, evidence=evidence)
            elif layer["ratio"] < MIN_RATIO and not layer["is_output"] and not layer["all_zero"]:
                message = (
                    f"{name}'s weights have std {g(layer['std'])}, {g(layer['kaiming_std'] / max(layer['std'], 1e-30))}x "
                    f"below the Kaiming value {g(layer['kaiming_std'])} for fan-in {layer['fan_in']}: the signal "
                    "shrinks through this layer and the layers before it get almost no gradient."
                )
                yield self.finding(message, _fix(layer), where=name, evidence=evidence)


def _fix(layer: dict) -> str:
    return (
        "Use PyTorch's default initialisation, or Kaiming for ReLU networks (Xavier for tanh):\n"
        f"```\nnn.init.kaiming_normal_(layer.weight, nonlinearity='relu')   # layer = {layer['name']}\n```"
    )
