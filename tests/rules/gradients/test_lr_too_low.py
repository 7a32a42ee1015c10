"""lr-too-low: tiny updates with a flat loss fire; warm-ups, converged and diverged runs do not."""

from __future__ import annotations

import pytest
from _gradient_runs import dump, found

from nndoctor.rules.loss.lr_too_low import LrTooLow
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,lr",
    [
        ("buggy/lr-too-low_sgd_mlp_digits.py", 1e-4),  # SGD + momentum
        ("buggy/lr-too-low_adam_gru_sequences.py", 1e-6),  # Adam on a GRU
    ],
)
def test_tiny_updates_and_a_flat_loss(script, lr):
    hits = found(script, "lr-too-low")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.evidence["lr"] == pytest.approx(lr)
    assert f.evidence["max_layer_update_ratio"] < 1e-4
    assert f.evidence["loss_improvement"] < 0.05
    assert 10 * lr < f.evidence["suggested_lr"] < 1e5 * lr
    assert "lr=" in f.fix


def test_healthy_runs_do_not_fire(clean_results):
    # Includes a run that ends mid-warm-up and runs whose schedule decayed the rate after converging.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "lr-too-low"], name


def test_a_diverged_run_is_not_too_low():
    # After SGD lr=0.5 blew the loss up 1e5x, the dead network barely moves: not a timid rate.
    script = "buggy/lr-too-high_sgd_regression_diabetes.py"
    assert not found(script, "lr-too-low"), dump(script)


def _view(ratio, loss_end, lrs=None, steps=100):
    trace = Trace()
    trace.event("optimizer_config", 0, optimizer="optimizer", type="SGD", groups=[{"lr": 0.01}],
                shapes={"model.0.weight": [4, 4], "model.2.weight": [4, 4]})  # fmt: skip
    for step in range(steps):
        trace.scalar("loss", step, 2.0 + (loss_end - 2.0) * step / steps)
        if step % 10 == 0:
            trace.scalar("update_ratio", step, ratio, "model.0.weight")
            trace.scalar("update_ratio", step, ratio / 2, "model.2.weight")
            lr = lrs(step) if lrs else 0.01
            trace.scalar("lr", step, lr, "optimizer.group0")
    return trace.view(final=True)


def test_thresholds():
    assert len(list(LrTooLow().check(_view(1e-5, 1.99)))) == 1
    assert list(LrTooLow().check(_view(1e-5, 1.5))) == []  # the loss moves: slow, but learning
    assert list(LrTooLow().check(_view(1e-3, 1.99))) == []  # normal updates: something else is wrong


def test_still_warming_up():
    assert list(LrTooLow().check(_view(1e-5, 1.99, lrs=lambda s: 1e-5 * (s + 1)))) == []


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="ratio"):
        LrTooLow(ratio=0.5)
