"""Faults found on programs nndoctor had never seen (third round): a NaN made by an operation is
blamed on that operation and not on the learning rate, a loss that raises on bad class ids is
explained, and a schedule that drives the rate to exactly zero is caught."""

from __future__ import annotations

from conftest import run_zoo
from nndoctor.findings import Severity


def _by_id(result):
    return {f.id: f for f in result.findings}


def test_dice_loss_without_epsilon_is_a_division_by_zero_not_the_learning_rate():
    result = run_zoo("buggy/nonfinite-loss_dice_without_epsilon.py")
    found = _by_id(result)
    f = found["nonfinite-loss"]
    assert f.evidence["cause"] == "division-by-zero" and f.evidence["op"] == "div"
    assert "epsilon" in f.fix
    assert "lr-too-high" not in found, [x.to_dict() for x in result.findings]


def test_temperature_softmax_overflow_is_not_blamed_on_the_learning_rate():
    result = run_zoo("buggy/unstable-softmax_temperature_exp.py")
    found = _by_id(result)
    assert found["unstable-softmax"].severity is Severity.ERROR
    assert found["nonfinite-loss"].evidence["cause"] == "exp-overflow"
    assert "lr-too-high" not in found, [x.to_dict() for x in result.findings]


def test_class_ids_out_of_range_are_explained_when_the_loss_raises():
    result = run_zoo("buggy/invalid-target_labels_from_one.py")
    assert result.exit_code == 1  # the script's own IndexError passes through unchanged
    f = _by_id(result)["invalid-target"]
    assert (f.evidence["target_min"], f.evidence["target_max"], f.evidence["classes"]) == (1, 3, 3)
    assert "IndexError" in f.evidence["error"]
    assert "y = y - 1" in f.fix and "numbered from 1" in f.message
    assert "y[y == 3] = 0" in f.fix  # the other reading: the top label stands for class 0 (SVHN)


def test_a_rate_scheduled_down_to_zero_updates_is_too_low():
    result = run_zoo("buggy/lr-too-low_exponential_lr_per_batch.py")
    f = _by_id(result)["lr-too-low"]
    assert f.evidence["max_layer_update_ratio"] == 0.0  # float32 updates underflowed
    assert f.evidence["lr_decay_factor"] > 1e6 and "every batch" in f.message
