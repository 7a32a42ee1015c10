"""data-leakage: validation examples duplicated in the training set."""

from __future__ import annotations

from nndoctor.findings import Severity
from nndoctor.registry import register
from nndoctor.rules.experiments.base import ExamineRule, data_of

#: Share of validation examples found byte for byte in train at or above which the split leaks
#: (an error from ERROR_SHARE on; below it, natural duplicates in the data are plausible).
SHARE = 0.05
ERROR_SHARE = 0.2
MIN_COUNT = 3


@register
class DataLeakage(ExamineRule):
    """Validation examples also appear in the training set.

    What it detects:
        Validation inputs found byte for byte among the training inputs: 5 % of the
        validation set or more (and at least 3 examples); an error from 20 % on.
    Why it matters:
        The model is scored on examples it trained on, so validation overstates how well it
        generalises, and early stopping or model selection picks the wrong model.
    Fix:
        De-duplicate before splitting, and split by group (patient, user, source file) when
        examples come in related groups.
    """

    id = "data-leakage"
    severity = Severity.ERROR
    title = "Validation examples are duplicated in the training set"

    def check(self, view):
        d = data_of(view, "duplicates")
        if not d or d["val_in_train"] < MIN_COUNT or d["share"] < SHARE:
            return
        evidence = {
            "val_in_train": d["val_in_train"],
            "val_examples": d["val_n"],
            "share": d["share"],
            "same_label": d["same_label"],
            "examples_val_train": d["examples"],
        }
        message = (
            f"{d['val_in_train']} of the {d['val_n']} validation examples ({d['share']:.0%}) also appear, "
            f"identical, in the training set ({d['same_label']} of them with the same label): validation "
            "scores measure memory, not generalisation."
        )
        fix = (
            "Remove duplicates before splitting (and split by group when examples are related):\n"
            "```\nX, idx = np.unique(X, axis=0, return_index=True); y = y[idx]  # then split\n```"
        )
        severity = None if d["share"] >= ERROR_SHARE else Severity.WARNING
        yield self.finding(message, fix, evidence=evidence, severity=severity)
