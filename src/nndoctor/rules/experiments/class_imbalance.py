"""class-imbalance: one class dominates the training labels."""

from __future__ import annotations

from nndoctor.balance import IMBALANCE_MAJORITY, IMBALANCE_RATIO
from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g
from nndoctor.rules.loss.class_imbalance import CLASS_WEIGHT_CODE, POS_WEIGHT_CODE

#: Largest / smallest class count at or above this is imbalanced (about the usual 1:10 rule of thumb).
RATIO = IMBALANCE_RATIO
#: ...or the majority class holds at least this share of the labels.
MAJORITY = IMBALANCE_MAJORITY


@register
class ClassImbalance(ExamineRule):
    """One class dominates the training labels.

    What it detects:
        The largest class is at least 8x the smallest, or holds 85 % of the labels, and the
        loss has no class weights (``weight=`` / ``pos_weight=``).
    Why it matters:
        The model can score the majority share of accuracy by never predicting the rare
        classes; the loss barely rewards learning them, and accuracy hides it.
    Fix:
        Weight the loss by inverse class frequency or resample, and judge the model by
        per-class recall or F1 rather than accuracy.
    """

    id = "class-imbalance"
    severity = Severity.WARNING
    title = "The classes are imbalanced"

    def check(self, view):
        b = data_of(view, "class_balance")
        probe = data_of(view, "loss_probe") or {}
        if not b or b.get("classes", 0) < 2 or probe.get("class_weighted"):
            return
        if b["ratio"] < RATIO and b["majority_share"] < MAJORITY:
            return
        evidence = {
            "majority_share": b["majority_share"],
            "ratio": b["ratio"],
            "counts": b.get("counts"),
            "majority_class": b.get("majority_class"),
        }
        counts = b.get("counts") or {}
        rare = min(counts, key=counts.get) if counts else None
        if b.get("multilabel"):
            evidence.update(label=b.get("label"), positive_share=b.get("positive_share"))
            message = (
                f"Label {b.get('label')} is positive in {b.get('positive_share', 0):.1%} of the {b.get('n', '?')} "
                f"training examples (the {b['classes']} labels' most lopsided): always answering "
                f"{'yes' if b.get('positive_share', 0) > 0.5 else 'no'} for it already scores {b['majority_share']:.0%}."
            )
            fix = (
                "Weight each label's positives by its negative/positive ratio:\n"
                "```\npos = y_train.float().mean(0)\nloss_fn = nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos.clamp_min(1e-6))\n```"
            )
            yield self.finding(message, fix, evidence=evidence)
            return
        message = (
            f"The majority class holds {b['majority_share']:.0%} of the {b.get('n', '?')} training labels; the "
            f"largest class is {g(b['ratio'])}x the smallest (class {rare}: {counts.get(rare, '?')} examples). "
            f"Always predicting the majority already scores {b['majority_share']:.0%} accuracy."
        )
        if str(probe.get("loss", "")).startswith("binary_cross_entropy"):  # float 0/1 targets: pos_weight
            fix = (
                "Weight the rare positives by the negative/positive ratio (or use a WeightedRandomSampler), and track "
                f"the positives' recall:\n```\n{POS_WEIGHT_CODE}\n```"
            )
        else:
            fix = (
                "Weight the loss by inverse class frequency (or use a WeightedRandomSampler), and track per-class recall:\n"
                f"```\n{CLASS_WEIGHT_CODE}\n```"
            )
        yield self.finding(message, fix, evidence=evidence)
