"""distribution-shift: training and validation inputs come from different distributions."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of, g

#: A classifier separates train from val at least this well (AUC; 0.5 = indistinguishable)...
AUC = 0.75
#: ...and the AUC is this many standard errors above 0.5 (small validation sets are noisy).
Z = 4.0


@register
class DistributionShift(ExamineRule):
    """Training and validation inputs come from different distributions.

    What it detects:
        A classifier two-sample test: a cross-validated logistic regression tells training
        inputs from validation inputs with AUC >= 0.75, at least 4 standard errors above 0.5;
        the features whose standardised mean difference is largest are named. Also validation
        classes that never occur in training.
    Why it matters:
        Validation then measures something the model was not trained for; a common cause is
        a split sorted by time or class, or validation data preprocessed differently
        (normalised with other statistics, another resize, another dtype).
    Fix:
        Shuffle before splitting (stratify by class), and preprocess both splits with the
        same code and the training set's statistics.
    """

    id = "distribution-shift"
    severity = Severity.WARNING
    title = "Training and validation data differ"

    def check(self, view):
        t = data_of(view, "two_sample")
        balance = data_of(view, "class_balance") or {}
        unseen = balance.get("missing_in_train") or []
        shifted = bool(t and t["auc"] >= AUC and t["z"] >= Z)
        if not shifted and not unseen:
            return
        evidence = {}
        parts = []
        if shifted:
            evidence.update(
                auc=t["auc"],
                z=t["z"],
                examples_each=t["n_val"],
                max_smd=t["max_smd"],
                shifted_features=t["shifted_features"],
                features=t["features"],
                top_features=[(f["feature"], round(f["smd"], 3)) for f in t["top_features"][:5]],
            )
            top = t["top_features"][0] if t["top_features"] else None
            parts.append(
                f"A classifier tells training inputs from validation inputs with AUC {g(t['auc'])} (0.5 would mean "
                f"indistinguishable; {g(t['z'])} standard errors above it). {t['shifted_features']} of {t['features']} "
                f"features differ by more than half a standard deviation"
                + (f"; the most shifted is feature {top['feature']} (SMD {g(top['smd'])})." if top else ".")
            )
        if unseen:
            evidence["val_classes_not_in_train"] = unseen
            parts.append(f"Validation contains classes never seen in training: {unseen}.")
        fix = (
            "Shuffle before splitting (stratified by class) and preprocess both splits identically, with the "
            "training statistics:\n```\nfrom sklearn.model_selection import train_test_split; "
            "X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, shuffle=True, stratify=y)\n```"
        )
        yield self.finding(" ".join(parts), fix, evidence=evidence)
