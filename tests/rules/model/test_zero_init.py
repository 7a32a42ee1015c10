"""bad-init (live): zero-filled weight matrices that never move, and constant-filled ones whose rows stay
identical, are found; a zero output layer is not."""

from __future__ import annotations

import pytest
import torch

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.quantities.weight_symmetry import rows_identical


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


@pytest.mark.parametrize(
    ("script", "where", "tied"),
    [
        # ReLU MLP on wine, every weight 0.05, SGD: ~70% validation accuracy
        ("buggy/bad-init_constant_fill_wine.py", "model.fc1", ["model.fc1.weight", "model.fc2.weight"]),
        # tanh MLP on digits, every weight 0.01, Adam: ~25% training accuracy
        ("buggy/bad-init_constant_fill_tanh_digits.py", "model.0", ["model.0.weight", "model.2.weight"]),
    ],
)
def test_constant_filled_weights_whose_units_never_differ_are_named(script, where, tied):
    # The output layer's rows part at the first update (each class its own gradient): only the
    # hidden layers, whose units all get the same gradient, stay tied.
    (f,) = [f for f in run_zoo(script).findings if f.id == "bad-init"]
    assert f.severity is Severity.ERROR and f.where == where
    assert f.evidence["identical_row_weights"] == tied and f.evidence["since_step"] == 0
    assert "symmetry" in f.message and "kaiming" in f.fix.lower()


def test_rows_identical_tolerates_rounding_and_nothing_more():
    w = torch.full((8, 5), 0.05)
    assert rows_identical(w)
    w[3, 2] += 1e-7  # a few ulps of a matrix product's rounding
    assert rows_identical(w)
    assert not rows_identical(torch.randn(8, 5)) and not rows_identical(torch.zeros(8, 5))
    w[3, 2] += 1e-3
    assert not rows_identical(w)


def test_a_zero_initialised_output_layer_trains_and_is_left_alone():
    result = run_zoo("clean/zero_init_last_layer_digits.py")
    assert result.exit_code == 0 and not [f for f in result.findings if f.id == "bad-init"]


def test_healthy_runs_have_moving_weights(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "bad-init"], name
