"""bad-init (live): zero-filled weight matrices that never move are found; a zero output layer is not."""

from __future__ import annotations

from conftest import run_zoo
from nndoctor.findings import Severity


def test_zero_filled_weights_that_never_move_are_named():
    # Every Linear of a breast-cancer MLP zero-filled: the hidden units stay identical and get no
    # gradient, the output is the same for every input.
    result = run_zoo("buggy/bad-init_zero_weights_breast_cancer.py")
    (f,) = [f for f in result.findings if f.id == "bad-init"]
    assert f.severity is Severity.ERROR and f.where == "model.fc1"
    assert f.evidence["zero_weights"] == ["model.fc1.weight", "model.fc2.weight", "model.out.weight"]
    assert "kaiming" in f.fix.lower()
    ids = {g.id for g in result.findings}
    assert "lr-too-high" not in ids  # a bias moving from 0 says nothing about the rate
    assert "constant-output" not in ids  # the symptom; bad-init is its cause


def test_a_zero_initialised_output_layer_trains_and_is_left_alone():
    result = run_zoo("clean/zero_init_last_layer_digits.py")
    assert result.exit_code == 0 and not [f for f in result.findings if f.id == "bad-init"]


def test_healthy_runs_have_moving_weights(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "bad-init"], name
