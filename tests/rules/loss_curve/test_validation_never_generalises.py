"""distribution-shift / labels-uninformative (live): validation never beats a constant prediction
while the training loss falls; how well training fits tells which."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.validation_never_generalises import LabelsDoNotFollowInputs, ValidationInputsDiffer
from nndoctor.trace import Trace

IDS = ("distribution-shift", "labels-uninformative")


@pytest.mark.parametrize(
    "script,rule_id",
    [
        ("buggy/distribution-shift_validation_not_standardised_wine.py", "distribution-shift"),
        ("buggy/labels-uninformative_x_and_y_split_separately.py", "labels-uninformative"),
    ],
)
def test_validation_that_never_beats_a_constant_is_found(script, rule_id):
    result = run_zoo(script)
    ids = [f.id for f in result.findings if f.id in IDS]
    assert ids == [rule_id], [f.to_dict() for f in result.findings]
    (f,) = [f for f in result.findings if f.id == rule_id]
    ev = f.evidence
    assert f.severity is Severity.WARNING and ev["evaluations"] >= 5
    assert ev["best_val_loss"] >= ev["constant_predictor_loss"] > ev["train_loss_now"]
    assert "train_test_split(X, y" in f.fix if rule_id == "labels-uninformative" else "X_val" in f.fix


def test_validation_labels_numbered_otherwise_are_told_from_inputs_prepared_otherwise():
    # training targets (label - 1) % 10, validation labels as they are: 0 of 497 right, 50 by chance
    result = run_zoo("buggy/distribution-shift_val_labels_shifted_by_one.py")
    (f,) = [f for f in result.findings if f.id in IDS]
    assert f.id == "distribution-shift" and f.title == "Validation labels are not encoded like the training targets"
    ev = f.evidence
    assert ev["val_correct"] <= 0.1 * ev["val_correct_by_chance"] and ev["val_examples"] == 497
    assert "labels shifted by one" in f.message and "encoder" in f.fix
    # inputs prepared otherwise: wrong answers, but no more often than chance
    (g,) = [f for f in run_zoo("buggy/distribution-shift_validation_not_standardised_wine.py").findings if f.id in IDS]
    assert "val_correct" not in g.evidence and "standardised" in g.message


def test_healthy_runs_generalise(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id in IDS], name


def _view(train, val, base=2.3):
    trace = Trace()
    for step, v in enumerate(train):
        trace.scalar("loss", step, v)
        trace.scalar("loss_fn_value", step, v, "cross_entropy")
        if step % 10 == 0:
            trace.scalar("constant_baseline", step, base, "cross_entropy")
    for i, v in enumerate(val):
        trace.scalar("val_loss", (i + 1) * len(train) // len(val), v)
    return trace.view(final=True)


def _found(view):
    return [f.id for rule in (ValidationInputsDiffer(), LabelsDoNotFollowInputs()) for f in rule.check(view)]


def test_a_slow_learner_whose_validation_still_falls_is_left_alone():
    train = list(np.linspace(2.3, 1.9, 200))
    assert _found(_view(train, [2.45, 2.42, 2.39, 2.36, 2.33, 2.31])) == []  # falling towards the constant's
    assert _found(_view(train, [2.33, 2.35, 2.36, 2.38, 2.40, 2.43])) == ["labels-uninformative"]
    fits = list(np.geomspace(2.3, 0.05, 200))
    assert _found(_view(fits, [9.0, 20.0, 30.0, 35.0, 38.0])) == ["distribution-shift"]
    assert _found(_view(fits, [2.0, 1.0, 0.5, 0.4, 0.3])) == []  # it generalises
    assert _found(_view(fits, [9.0, 20.0, 30.0, 35.0])) == []  # four evaluations: too few to judge
