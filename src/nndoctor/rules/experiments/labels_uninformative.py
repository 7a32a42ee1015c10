"""labels-uninformative: nothing in the inputs predicts the labels."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments._bias_variance import is_rate, trivial_margin
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: Standard errors above chance a model must reach for the labels to count as learnable.
Z = 3.0


@register
class LabelsUninformative(ExamineRule):
    """The labels carry no information a simple model can find in the inputs.

    What it detects:
        A cross-validated logistic/ridge regression and a random forest on the flattened
        inputs both score no better than chance (the majority-class accuracy, or R^2 = 0) by
        3 standard errors, and the recipe's own model, trained briefly, does no better than
        the majority/mean baseline on validation either.
    Why it matters:
        Shuffled labels, labels misaligned with their inputs (sorted separately, off by
        one, a join on the wrong key) or a target column taken from the wrong place: the
        network can only memorise, and no tuning helps.
    Fix:
        Check the pairing of inputs and labels: print a few examples with their labels.
    """

    id = "labels-uninformative"
    severity = Severity.ERROR
    title = "The labels cannot be predicted from the inputs"

    def check(self, view):
        s = data_of(view, "label_signal")
        if not s or s["z"] >= Z:
            return
        b = data_of(view, "baselines")
        if b and b.get("model_val") is not None and b.get("trivial") is not None:
            p = b["trivial"]
            margin = trivial_margin(b) if is_rate(b["metric"]) else 0.1 * p
            if b["model_val"] < p - margin:  # the model itself finds signal: do not accuse the labels
                return
        evidence = {
            "metric": s["metric"],
            "chance": s["chance"],
            **{f"cv_{k}": v for k, v in s["scores"].items()},
            "z": s["z"],
            "examples": s["n"],
        }
        if b and b.get("model_val") is not None:
            evidence.update(model_val=b["model_val"], trivial_val=b["trivial"])
        scores = ", ".join(f"{k} {g(v)}" for k, v in s["scores"].items())
        chance = {
            "accuracy": f"the majority-class accuracy {g(s['chance'])}",
            "balanced accuracy": f"chance, a balanced accuracy of 1/{s.get('classes', '?')} (the classes are imbalanced)",
        }.get(s["metric"], "R^2 = 0")
        message = (
            f"Cross-validated simple models score {scores} ({s['metric']}) on {s['n']} training examples: no "
            f"better than {chance}. Shuffled or misaligned labels look exactly like this."
        )
        fix = (
            "Check that each input is paired with its own label (shuffle X and y with one permutation):\n"
            "```\nperm = torch.randperm(len(X)); X, y = X[perm], y[perm]   # never permute them separately\n```"
        )
        yield self.finding(message, fix, evidence=evidence)
