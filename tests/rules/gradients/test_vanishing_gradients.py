"""vanishing-gradients: deep sigmoid / plain deep ReLU stacks fire; residual, recurrent, attention nets do not."""

from __future__ import annotations

import pytest
from _gradient_runs import dump, found

from nndoctor.findings import Severity
from nndoctor.rules.gradients.vanishing_gradients import VanishingGradients
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,min_orders,saturating",
    [
        ("buggy/vanishing-gradients_sigmoid_mlp_digits.py", 5, True),  # 10 sigmoid layers
        ("buggy/vanishing-gradients_deep_relu_breast_cancer.py", 3, False),  # 12 plain ReLU layers
        ("buggy/vanishing-gradients_tanh_small_init.py", 5, True),  # 8 tanh layers, N(0, 0.01) init
    ],
)
def test_deep_stacks_lose_their_gradient(script, min_orders, saturating):
    hits = found(script, "vanishing-gradients")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.where == "model.0"  # the first layer, where the gradient is smallest
    assert f.evidence["orders_of_magnitude"] >= min_orders
    assert f.evidence["first_to_last_ratio"] < 1e-3
    assert ("saturating_activations" in f.evidence) == saturating
    assert "relu" in f.fix.lower()


def test_healthy_runs_do_not_fire(clean_results):
    # Deep residual MLP with batch norm, LSTM, GRU, transformer, embedding models, GANs.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "vanishing-gradients"], name


def _view(relative, steps=60, loss=(2.3, 2.3), dead=None):
    """Three affine layers with the given gradient/weight ratios, over ``steps`` steps."""
    trace = Trace()
    names = [f"model.{2 * i}" for i in range(len(relative))]
    trace.event("structure", 0, model="model", layers=[{"name": n, "type": "Linear", "params": 10} for n in names])
    trace.event("optimizer_config", 0, optimizer="optimizer", type="SGD", groups=[{"lr": 0.1}],
                shapes={f"{n}.weight": [8, 8] for n in names})  # fmt: skip
    for step in range(0, steps, 10):
        for n, r in zip(names, relative, strict=True):
            trace.scalar("param_grad_norm", step, r, f"{n}.weight")
            trace.scalar("param_norm", step, 1.0, f"{n}.weight")
        if dead is not None:
            trace.scalar("dead_fraction", step, dead, "model.1")
    for step in range(steps):
        trace.scalar("loss", step, loss[0] + (loss[1] - loss[0]) * step / steps)
    for step in range(steps):
        trace.scalar("grad_norm", step, 1.0, "optimizer")
    return trace.view(final=True)


def test_thresholds():
    rule = VanishingGradients()
    assert len(list(rule.check(_view([1e-6, 1e-4, 1e-2])))) == 1  # 1e-4: always
    assert list(rule.check(_view([3e-4, 1e-3, 1e-1], loss=(2.3, 0.5)))) == []  # 3e-3 but the loss falls
    assert len(list(rule.check(_view([3e-4, 1e-3, 1e-1])))) == 1  # 3e-3 and the loss is stuck
    assert list(rule.check(_view([3e-3, 1e-2, 1e-1]))) == []  # 3e-2: normal depth profile


def test_stuck_loss_from_dead_relus_is_left_to_dead_relu():
    assert list(VanishingGradients().check(_view([3e-4, 1e-3, 1e-1], dead=0.9))) == []
    assert len(list(VanishingGradients().check(_view([1e-6, 1e-3, 1e-1], dead=0.9)))) == 1


def test_two_layers_are_not_a_depth_profile():
    assert list(VanishingGradients().check(_view([1e-7, 1e-1]))) == []


def test_arguments_are_validated():
    with pytest.raises(ValueError, match="ratio"):
        VanishingGradients(ratio=0.1, stalled_ratio=0.01)
    with pytest.raises(ValueError, match="min_layers"):
        VanishingGradients(min_layers=1)


def test_vanishing_gradients_that_stall_training_are_an_error():
    # Ten sigmoid layers on wine: the first layer's gradient is ~1e-8 of the last's and the loss
    # sits at the constant predictor's. The cause outranks its symptoms (collapsed outputs, plateau).
    script = "buggy/vanishing-gradients_deep_sigmoid_wine.py"
    hits = found(script, "vanishing-gradients")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.severity is Severity.ERROR and f.evidence["orders_of_magnitude"] > 6
    assert f.evidence["loss_improvement"] < 0.1 and f.evidence["saturating_activations"] >= 8
