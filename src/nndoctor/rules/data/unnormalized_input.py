"""unnormalized-input: what the model's first weight layer receives is far from unit scale."""

from __future__ import annotations

import numpy as np

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

STANDARDISE_FIX = (
    "Standardise every input feature with statistics of the training set (and apply the same to "
    "validation/test data):\n"
    "```\nX_val = (X_val - X_train.mean(0)) / (X_train.std(0) + 1e-8)   # likewise X_train and X_test\n```"
)
PIXEL_FIX = (
    "Scale raw pixel values to [0, 1] and normalise them per channel:\n"
    "```\nx = (x / 255.0 - mean) / std   # per channel; torchvision: ToTensor() then Normalize(mean, std)\n```"
)
TINY_FIX = (
    "Rescale the inputs to unit scale with training-set statistics:\n"
    "```\nmean, std = X_train.mean(0), X_train.std(0) + 1e-12; X_train = (X_train - mean) / std\n```"
)


def verdict(rms: float, absmax: float, feature_rms_max: float, large_rms: float, large_feature: float) -> str | None:
    """'large', 'tiny' or None for a batch's scale statistics."""
    if rms >= large_rms or feature_rms_max >= large_feature:
        return "large"
    if 0 < absmax <= 1e-2 and rms < 1e-3:
        return "tiny"
    return None


@register
class UnnormalizedInput(Rule):
    """Inputs far from zero mean and unit scale (raw pixels, unscaled tabular features).

    What it detects:
        Floating-point model inputs whose typical size (root mean square, median over the
        sampled steps) is ``large_rms`` or more, or one feature (column, or image channel) with
        rms ``large_feature`` or more while the rule of thumb is zero mean and unit variance;
        or inputs that are all tiny (every value below 0.01). The same must hold for what the
        first Linear/Conv/RNN layer receives, so a model that divides by 255, standardises
        inside ``forward`` or starts with a batch-norm layer is not flagged, nor one with no
        such layer at all (a formula with a few parameters fitted to physical inputs). Integer inputs
        (token ids for an embedding) are never flagged, nor inputs computed by another model in
        the same graph (a decoder fed an encoder's latent: its scale is learned, and a latent that
        grows is a symptom of the objective, not of data preparation).
    Why it matters:
        Pre-activations scale with the inputs: large inputs saturate sigmoid/tanh units, blow
        up the first layer's gradients and make the usable learning rate tiny; one feature on a
        scale 1000x the others dominates every dot product, so the others are ignored.
    Fix:
        Standardise each feature with training-set mean and std; scale pixels to [0, 1] and
        normalise per channel.
    """

    id = "unnormalized-input"
    severity = Severity.WARNING
    title = "Inputs are not normalised"
    requires = frozenset({"inputs"})

    def __init__(self, large_rms: float = 5.0, large_feature: float = 10.0, min_samples: int = 3) -> None:
        if large_rms <= 1 or large_feature <= 1:
            raise ValueError("large_rms and large_feature are multiples of unit scale and must exceed 1")
        if min_samples < 1:
            raise ValueError(f"min_samples must be at least 1, got {min_samples}")
        self.large_rms = large_rms
        self.large_feature = large_feature
        self.min_samples = min_samples

    def check(self, view):
        first_layers = {e.data.get("model"): e.data for e in view.events("first_layer")}
        for model in view.keys("input_rms"):
            stats = self._medians(view, "input", model)
            if stats is None:
                continue
            if 2 * len(view.series("input_computed", model)) >= len(view.series("input_rms", model)):
                continue  # it is fed another model's output (a latent code): not data to standardise
            kind = verdict(stats["rms"], stats["absmax"], stats["feature_rms_max"], self.large_rms, self.large_feature)
            if kind is None:
                continue
            first = self._medians(view, "first_layer_input", model)
            if first is None:
                continue  # no Linear/Conv/RNN takes the input (a parametric formula in t): no pre-activations to blow up
            inner = verdict(first["rms"], first["absmax"], first["feature_rms_max"], self.large_rms, self.large_feature)
            if inner != kind:
                continue  # the model normalises its input itself
            yield self._finding(view, model, kind, stats, first, first_layers.get(model, {}))

    def _medians(self, view, prefix: str, model: str) -> dict[str, float] | None:
        out = {}
        for name in ("rms", "absmax", "mean", "std", "feature_rms_max", "feature_rms_median", "feature_argmax"):
            s = view.series(f"{prefix}_{name}", model)
            if len(s) < self.min_samples:
                return None
            out[name] = float(np.median(s.values))
        return out

    def _finding(self, view, model, kind, stats, first, layer):
        evidence = {
            "input_rms": stats["rms"],
            "input_mean": stats["mean"],
            "input_std": stats["std"],
            "input_absmax": stats["absmax"],
            "feature_rms_max": stats["feature_rms_max"],
            "feature_rms_median": stats["feature_rms_median"],
            "largest_feature_index": int(stats["feature_argmax"]),
            "sampled_steps": len(view.series("input_rms", model)),
        }
        if first is not None:
            evidence["first_layer_input_rms"] = first["rms"]
        if layer.get("module"):
            evidence["first_layer"] = layer["module"]
        step = int(view.series("input_rms", model).steps[0])
        if kind == "tiny":
            message = (
                f"The inputs of {model} are tiny (largest |x| {stats['absmax']:.3g}, rms {stats['rms']:.3g}); "
                "the first layer's outputs are then tiny too and its weights must grow by orders of magnitude."
            )
            return self.finding(message, TINY_FIX, where=model, step=step, evidence=evidence)
        pixels = 200 <= stats["absmax"] <= 256 and stats["mean"] >= 0
        spread = stats["feature_rms_max"] / max(stats["feature_rms_median"], 1e-12)
        detail = (
            f"; feature {int(stats['feature_argmax'])} has rms {stats['feature_rms_max']:.3g} while the median "
            f"feature has {stats['feature_rms_median']:.3g}, so it dominates every dot product"
            if spread >= 10
            else ""
        )
        message = (
            f"The inputs of {model} are far from zero mean / unit scale: rms {stats['rms']:.3g}, mean "
            f"{stats['mean']:.3g}, std {stats['std']:.3g}, largest |x| {stats['absmax']:.3g}{detail}. "
            "Large inputs make large pre-activations and gradients, saturate sigmoid/tanh units and force a tiny "
            "learning rate."
        )
        if pixels:
            message += " They look like raw 0-255 pixel values."
        return self.finding(
            message, PIXEL_FIX if pixels else STANDARDISE_FIX, where=model, step=step, evidence=evidence
        )
