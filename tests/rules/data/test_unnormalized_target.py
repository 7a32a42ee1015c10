"""unnormalized-target (live): raw regression targets the model never fits; not when it rescales its output."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity


@pytest.mark.parametrize(
    "script,fn,low",
    [
        ("buggy/unnormalized-target_raw_diabetes_adam.py", "mse_loss", 300),  # raw disease progression, MSE
        ("buggy/unnormalized-target_house_prices_l1.py", "l1_loss", 100_000),  # prices in dollars, L1
    ],
)
def test_raw_targets_that_are_never_fitted_are_found(script, fn, low):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "unnormalized-target"]
    ev = f.evidence
    assert f.severity is Severity.WARNING
    assert ev["loss_function"] == fn and ev["target_scale"] >= low
    assert ev["share_of_constant_predictor"] >= 0.9
    assert "y_train.std()" in f.fix


def test_raw_targets_fitted_slowly_are_found():
    """Prices fed raw: the model gets to R^2 ~0.87, but the loss is still a fifth of the constant
    predictor's and falling when training stops (standardised targets: R^2 ~0.99)."""
    result = run_zoo("buggy/unnormalized-target_raw_prices_slow_fit.py")
    (f,) = [f for f in result.findings if f.id == "unnormalized-target"]
    ev = f.evidence
    assert ev["target_scale"] >= 30_000 and ev["still_falling"] is True
    assert 0.1 <= ev["share_of_constant_predictor"] < 0.9
    assert "y_train.std()" in f.fix


def test_healthy_runs_do_not_fire(clean_results):
    # Includes a model that maps its output back to raw diabetes targets itself.
    assert "raw_targets_output_rescaled" in clean_results
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "unnormalized-target"], name


def test_targets_fitted_at_their_own_scale_are_not_reported():
    # Broadcast-free, standardised regression: targets within a few units, never judged.
    result = run_zoo("buggy/output-activation-mismatch_sigmoid_regression.py")
    assert not [f for f in result.findings if f.id == "unnormalized-target"]
