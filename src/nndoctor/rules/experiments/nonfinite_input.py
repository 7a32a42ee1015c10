"""nonfinite-input: the training or validation data contains NaN/Inf."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule


@register
class NonFiniteInput(ExamineRule):
    """The data contains NaN or infinite values.

    What it detects:
        Any NaN/Inf in the inputs or the targets of the training or validation split.
    Why it matters:
        One NaN in a batch makes that batch's loss NaN; the update then writes NaN into every
        weight and training is over. Validation metrics become NaN or silently skip examples.
    Fix:
        Impute or drop the rows before training, and assert it.
    """

    id = "nonfinite-input"
    severity = Severity.ERROR
    title = "The data contains NaN/Inf"

    def check(self, view):
        bad = [e.data for e in view.events("data_stats") if e.data.get("nonfinite") or e.data.get("target_nonfinite")]
        if not bad:
            return
        evidence = {}
        parts = []
        for d in bad:
            s = d["split"]
            evidence[f"{s}_nonfinite_values"] = d.get("nonfinite", 0)
            evidence[f"{s}_rows"] = d.get("nonfinite_rows", 0)
            evidence[f"{s}_examples"] = d.get("n")
            if d.get("first_nonfinite"):
                evidence[f"{s}_first_rows"] = d["first_nonfinite"]
            if d.get("target_nonfinite"):
                evidence[f"{s}_nonfinite_targets"] = d["target_nonfinite"]
            what = []
            if d.get("nonfinite"):
                what.append(
                    f"{d['nonfinite']} non-finite input values in {d.get('nonfinite_rows')} of {d.get('n')} rows"
                )
            if d.get("target_nonfinite"):
                what.append(f"{d['target_nonfinite']} non-finite targets")
            parts.append(f"{s}: " + ", ".join(what))
        message = (
            "The data contains NaN/Inf (" + "; ".join(parts) + "). The first batch that holds one makes the loss NaN."
        )
        fix = (
            "Drop or impute the rows before training (use the training set's statistics), then check:\n"
            "```\nkeep = torch.isfinite(X).all(dim=1); X, y = X[keep], y[keep]; assert torch.isfinite(X).all()\n```"
        )
        yield self.finding(message, fix, evidence=evidence)
