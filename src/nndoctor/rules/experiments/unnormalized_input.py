"""unnormalized-input: what the first layer receives is far from zero mean / unit scale."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: Overall RMS above this (raw 0-255 pixels: ~100; raw 0-16 digits: ~8; standardised: ~1).
MAX_RMS = 4.0
#: Overall RMS below this: the inputs are practically zero.
MIN_RMS = 0.01
#: One feature's RMS this many times the median feature's, and above MAX_FEATURE_RMS: unscaled columns.
FEATURE_SPREAD = 20.0
MAX_FEATURE_RMS = 20.0


@register
class UnnormalizedInput(ExamineRule):
    """Inputs reach the first layer far from zero mean and unit scale.

    What it detects:
        The root mean square of what the first parametrised layer receives (measured on a
        batch, so normalisation inside ``forward`` counts), above 4 (raw 0-255 pixels give
        ~100) or below 0.01, or one feature on a scale 20x the median feature's (unscaled
        tabular columns). Skipped when the first layer is a normalisation layer or an embedding.
    Why it matters:
        Large inputs give large pre-activations: saturated units, an initial loss far above
        ln(C), a learning rate that must be tiny. A feature 100x larger than the others
        dominates the first layer's gradient.
    Fix:
        Standardise with the training set's statistics, or divide pixels by 255.
    """

    id = "unnormalized-input"
    severity = Severity.WARNING
    title = "Inputs are not normalised"

    def check(self, view):
        first = data_of(view, "first_layer_input")
        train = next((e.data for e in view.events("data_stats") if e.data.get("split") == "train"), None)
        stats = first if first and "rms" in first else train
        if not stats or "rms" not in stats or (first and (first.get("normalizes") or first.get("embedding"))):
            return
        rms, fmax, fmed = stats["rms"], stats.get("feature_rms_max", 0.0), stats.get("feature_rms_median", 0.0)
        evidence = {
            "rms": rms,
            "mean": stats.get("mean"),
            "std": stats.get("std"),
            "absmax": stats.get("absmax"),
            "feature_rms_max": fmax,
            "feature_rms_median": fmed,
            "first_layer": (first or {}).get("module"),
        }
        if train:
            evidence["dtype"] = train.get("dtype")
        where = (first or {}).get("module")
        spread = fmax > MAX_FEATURE_RMS and fmed > 0 and fmax > FEATURE_SPREAD * fmed
        if spread:
            evidence["feature"] = stats.get("feature_max")
        dominant = (
            f"Input feature {stats.get('feature_max')} has RMS {g(fmax)} while the median feature has {g(fmed)}: "
            "the features are on very different scales and the large ones dominate."
        )
        absmax = stats.get("absmax", 0)
        if rms > MAX_RMS:
            scale = "pixel-like values in 0-255" if 100 < absmax <= 255 and stats.get("mean", 0) >= 0 else "values"
            message = (
                f"The first layer ({where}) receives {scale} with RMS {g(rms)} (mean {g(stats.get('mean'))}, "
                f"max |x| {g(absmax)}); a network trains best on inputs of about unit scale."
            )
            if spread:
                message += " " + dominant
        elif rms < MIN_RMS and absmax < 10 * MIN_RMS:
            message = f"The first layer ({where}) receives inputs with RMS {g(rms)}: they are practically zero."
        elif spread:
            message = dominant
        else:
            return
        fix = (
            "Standardise the inputs with the training set's statistics (the same ones for validation):\n"
            "```\nmean, std = X_train.mean(0), X_train.std(0) + 1e-8\n"
            "X_train, X_val = (X_train - mean) / std, (X_val - mean) / std\n```"
        )
        yield self.finding(message, fix, where=where, evidence=evidence)
