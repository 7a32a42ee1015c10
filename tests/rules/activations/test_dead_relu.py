"""dead-relu: fires on dead layers in real runs, not on healthy ones or on a passing dip."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.activations.dead_relu import DeadReLU
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,where,from_init",
    [
        ("buggy/dead-relu_bias_init.py", "model.1", True),  # nn.ReLU module, negative bias init
        ("buggy/dead-relu_high_lr.py", "model.conv2", False),  # functional F.relu, SGD lr far too high
    ],
)
def test_dead_layers_are_found(script, where, from_init):
    result = run_zoo(script)
    found = {f.where: f for f in result.findings if f.id == "dead-relu"}
    assert where in found, [f.to_dict() for f in result.findings]
    f = found[where]
    assert f.evidence["dead_fraction"] >= 0.6 and f.evidence["units"] >= 16
    assert (f.evidence["dead_since_step"] <= 4) == from_init
    assert "kaiming" in f.fix.lower() if from_init else "learning rate" in f.fix


def test_healthy_runs_have_no_dead_layers(clean_results):
    for name, result in clean_results.items():
        found = [f for f in result.findings if f.id == "dead-relu"]
        if name == "vae_wide_relu_encoder_digits":
            # Most of the encoder's second layer goes silent, but the ELBO keeps falling: a note.
            (f,) = found
            assert f.severity is Severity.INFO and f.evidence["model_learns"] is True, f.to_dict()
            assert "still learns" in f.message
        else:
            assert not found, name


def _trace(values, units=32, final=False):
    trace = Trace()
    trace.event("activation_site", 2, key="model.1", kind="ReLU", functional=False, after="model.0", units=units)
    steps = [2, 3, 4] + list(range(10, 10 * (len(values) - 2), 10))
    for step, v in zip(steps, values, strict=False):
        trace.scalar("dead_fraction", step, v, "model.1")
    return trace.view(final=final)


def test_a_passing_dip_is_not_a_dead_layer():
    # 3 measurements over 60% for 20 steps, then recovery: a layer whose inputs shifted, not dead.
    values = [0.1, 0.2, 0.2, 0.3, 0.65, 0.7, 0.65, 0.3, 0.2, 0.1]
    assert list(DeadReLU().check(_trace(values))) == []
    assert list(DeadReLU().check(_trace(values, final=True))) == []


def test_sustained_or_final_or_from_init_is_dead():
    sustained = [0.0, 0.1, 0.2, 0.7, 0.8, 0.9, 0.95, 0.95, 0.95, 0.95]
    (f,) = DeadReLU().check(_trace(sustained))
    assert f.step == 10 and f.severity is Severity.ERROR and f.evidence["dead_fraction"] == 0.95
    ends_dead = [0.0, 0.1, 0.2, 0.3, 0.3, 0.7, 0.7, 0.7]
    assert list(DeadReLU().check(_trace(ends_dead))) == []
    (f,) = DeadReLU().check(_trace(ends_dead, final=True))
    assert f.severity is Severity.WARNING
    (f,) = DeadReLU().check(_trace([0.8, 0.7, 0.75]))
    assert f.evidence["dead_since_step"] == 2 and "kaiming" in f.fix.lower()


def _with_loss(trace, losses, baseline=2.3):
    for step, v in enumerate(losses):
        trace.scalar("loss", step, v)
        trace.scalar("loss_fn_value", step, v, "cross_entropy")
        trace.scalar("constant_baseline", step, baseline, "cross_entropy")
    return trace


@pytest.mark.parametrize(
    "dead,losses,severity,learns",
    [
        (0.7, [2.3] * 40, Severity.WARNING, False),  # a dead layer and a model that learns nothing
        (0.95, [2.3] * 40, Severity.ERROR, False),
        (0.7, [2.3 * 0.97**i for i in range(40)], Severity.INFO, True),  # learns well without them
        (0.95, [2.3 * 0.97**i for i in range(40)], Severity.WARNING, True),  # nearly all gone: still a warning
        (0.7, [2.3 - 0.01 * i for i in range(40)], Severity.WARNING, None),  # 85% of baseline: cannot tell
    ],
)
def test_severity_follows_what_the_dead_units_cost(dead, losses, severity, learns):
    trace = Trace()
    trace.event("activation_site", 2, key="model.1", kind="ReLU", functional=False, after="model.0", units=32)
    for step in [2, 3, 4, 10, 20, 30]:
        trace.scalar("dead_fraction", step, dead, "model.1")
    (f,) = DeadReLU().check(_with_loss(trace, losses).view(final=True))
    assert f.severity is severity and f.evidence.get("model_learns") is learns, f.to_dict()
    assert ("constant prediction" in f.message) == (learns is not None)


def test_narrow_layers_and_bad_arguments():
    assert list(DeadReLU().check(_trace([1.0, 1.0, 1.0, 1.0], units=4))) == []
    with pytest.raises(ValueError, match="share of units"):
        DeadReLU(threshold=1.5)


def test_the_fix_names_the_users_optimizer_or_the_piled_up_gradients():
    from nndoctor.rules.activations.dead_relu import PILED_UP_FIX, training_fix
    from nndoctor.rules.loss.lr_too_high import LrTooHigh
    from nndoctor.trace import Trace

    trace = Trace()
    trace.event("optimizer_config", 0, optimizer="optimizer", type="Adam", groups=[{"lr": 1.0}])
    trace.scalar("lr", 0, 1.0, "optimizer.group0")
    assert "torch.optim.Adam(model.parameters(), lr=0.1)" in training_fix(trace.view())
    assert not LrTooHigh.gradients_pile_up(trace.view())
    for step in range(4):
        trace.scalar("stale_grad", step, 1.0, "optimizer")
    assert LrTooHigh.gradients_pile_up(trace.view()) and "zero_grad()" in PILED_UP_FIX
