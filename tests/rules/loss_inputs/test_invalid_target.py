"""invalid-target (live): binary cross-entropy fed targets outside [0, 1]; soft 0-1 targets are fine."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity


@pytest.mark.parametrize(
    "script,lo,hi",
    [
        ("buggy/invalid-target_bce_pm1_labels.py", -1.0, 1.0),  # -1/+1 labels, functional BCE-with-logits
        ("buggy/invalid-target_bce_labels_one_two.py", 1.0, 2.0),  # labels 1/2 left unmapped, nn.BCEWithLogitsLoss
    ],
)
def test_binary_targets_outside_zero_one_are_found(script, lo, hi):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "invalid-target"]
    assert f.severity is Severity.ERROR
    assert f.evidence["loss_function"] == "binary_cross_entropy_with_logits"
    assert (f.evidence["target_min"], f.evidence["target_max"]) == (lo, hi)
    assert "(y > 0).float()" in f.fix


def test_healthy_runs_do_not_fire(clean_results):
    # Includes mixup and label-smoothed soft targets, multilabel BCE and an imbalanced BCE.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "invalid-target"], name
