"""nonfinite-input: a batch fed to the model (or the targets fed to the loss) contains NaN/Inf."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.base import Rule

INPUT_CAUSES = ("nonfinite-input", "nonfinite-target")

FIX = (
    "Find where the NaN/Inf enter the data and clean them before training (impute or drop missing values; "
    "guard divisions), and assert it once:\n"
    "```\nassert torch.isfinite(X).all(), torch.isnan(X).any(dim=0).nonzero()\n```"
)
ZERO_STD_FIX = (
    "Whole features are NaN in every sample: typically a standardisation (x - mean) / std where a feature is "
    "constant (std = 0). Guard the denominator (or drop constant features):\n"
    "```\nX = (X - X.mean(0)) / (X.std(0) + 1e-8)\n```"
)

INF_FIX = (
    "The values are infinite, not missing (no NaN): typically log(0) or a division by zero in preprocessing. "
    "Use a transform defined at 0, or guard the denominator:\n"
    "```\nX = np.log1p(X)   # not np.log(X); or x / (d + 1e-8)\n```"
)


@register
class NonFiniteInput(Rule):
    """A batch fed to the model contains NaN or Inf.

    What it detects:
        NaN/Inf values in the tensors passed to a watched model's forward() (seen by the input
        statistics on sampled steps, and by the replay of the step whose loss or gradient first
        went non-finite), or in the targets passed to the loss function.
    Why it matters:
        One NaN in a batch makes that step's loss and gradients NaN; the optimizer then writes
        NaN into every weight and training is over, whatever the learning rate.
    Fix:
        Clean the data: impute or drop missing values, guard divisions in preprocessing (a
        constant feature has standard deviation 0), and check ``torch.isfinite(x).all()``.
    """

    id = "nonfinite-input"
    severity = Severity.ERROR
    title = "Non-finite values in the input data"
    requires = frozenset({"inputs", "loss"})

    def check(self, view):
        for e in view.events("nonfinite"):
            d = e.data
            if d.get("kind") != "input" and d.get("cause") not in INPUT_CAUSES:
                continue
            target = d.get("cause") == "nonfinite-target"
            where = d.get("where") or d.get("model")
            evidence = {"step": e.step, "tensor": "target" if target else "input"}
            count = d.get("nonfinite_values", d.get("nonfinite_count"))
            if count is not None:
                evidence["nonfinite_values"] = count
            for key in (
                "nan_count",
                "inf_count",
                "nonfinite_share",
                "samples_affected",
                "batch_size",
                "features_affected",
                "nonfinite_features",
                "whole_features",
                "input_shape",
            ):
                if d.get(key) not in (None, [], ""):
                    evidence[key] = d[key]
            share = view.series("input_nonfinite", d.get("model") or where)
            if len(share):
                evidence["sampled_batches_with_nonfinite"] = int((share.values > 0).sum())
                evidence["sampled_batches"] = len(share)
            what = "targets passed to the loss" if target else f"batch fed to {where}"
            parts = []
            if count:
                parts.append(f"{count} non-finite value(s)")
            if d.get("samples_affected") and d.get("batch_size"):
                parts.append(f"in {d['samples_affected']} of {d['batch_size']} samples")
            detail = f" ({' '.join(parts)})" if parts else ""
            whole = bool(d.get("whole_features"))
            features = d.get("nonfinite_features") or []
            if whole and features:
                feats = f" Features {features[:8]} are non-finite in every sample of the batch."
            elif features:
                feats = f" Affected features: {features[:8]}."
            else:
                feats = ""
            message = (
                f"The {what} at step {e.step} contain{'' if target else 's'} NaN/Inf{detail}.{feats} One NaN in a "
                "batch makes the loss and every gradient NaN, and the next update writes NaN into every weight."
            )
            only_inf = d.get("nan_count") == 0 and (d.get("inf_count") or 0) > 0
            fix = ZERO_STD_FIX if whole else INF_FIX if only_inf else FIX
            yield self.finding(message, fix, where=where, step=e.step, evidence=evidence)
            return
