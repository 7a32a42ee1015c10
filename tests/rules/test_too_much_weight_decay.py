"""too-much-regularization (live): weight decay strong enough to pull the weights to zero."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.loss.too_much_weight_decay import _can_explain


@pytest.mark.parametrize(
    "script,optimizer,decay",
    [
        ("buggy/constant-output_adam_l2_weight_decay_one.py", "Adam", 1.0),  # MLP on digits, L2 in Adam
        ("buggy/too-much-regularization_sgd_weight_decay_wine.py", "SGD", 0.5),  # MLP on wine, SGD + momentum
        ("buggy/too-much-regularization_adamw_decay_fifty_cnn.py", "AdamW", 50.0),  # CNN on digits, decoupled
    ],
)
def test_decay_that_zeroes_the_weights_is_found(script, optimizer, decay):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "too-much-regularization"]
    ev = f.evidence
    assert f.severity is Severity.ERROR
    assert ev["optimizer"] == optimizer and ev["weight_decay"] == decay
    assert ev["weight_norm_ratio"] <= 0.25 and f.step == ev["shrunk_by_step"] <= ev["steps"]
    assert ev["recent_loss"] >= 0.9 * ev["constant_predictor_loss"]
    assert f"weight_decay={decay:g}" in f.message
    line = f.fix.split("```")[1]
    assert f"torch.optim.{optimizer}(" in line and f"weight_decay={decay:g}" not in line


def test_a_stuck_run_with_usual_decay_is_not_blamed_on_it():
    """Shuffled labels keep the loss at the constant predictor's level; SGD's weight_decay=5e-4 cannot
    shrink the weights over 230 steps, so decay is not the explanation."""
    result = run_zoo("misc/shuffled_labels_sgd_decay.py")
    assert "loss-plateau" in {f.id for f in result.findings}
    assert "too-much-regularization" not in {f.id for f in result.findings}


def test_healthy_runs_are_not_over_regularized(clean_results):
    for name, result in clean_results.items():
        assert "too-much-regularization" not in {f.id for f in result.findings}, name


def test_whether_decay_can_explain_the_shrink():
    # SGD: lr * wd / (1 - momentum) per step, compounded
    assert _can_explain("SGD", 0.5, 0.05, 0.9, 50)
    assert not _can_explain("SGD", 5e-4, 0.05, 0.9, 230)
    assert _can_explain("SGD", 5e-4, 0.05, 0.9, 100_000)
    # AdamW: lr * wd per step, no momentum factor
    assert not _can_explain("AdamW", 1e-2, 1e-3, 0.9, 10_000)
    assert _can_explain("AdamW", 50.0, 3e-3, 0.9, 20)
    # Adam's coupled L2 decay: judged by its size
    assert _can_explain("Adam", 1.0, 1e-3, 0.0, 10) and not _can_explain("Adam", 1e-3, 1e-3, 0.0, 10**6)
    assert not _can_explain("SGD", 1.0, float("nan"), 0.0, 100)
