"""saturated-activation: hidden sigmoid/tanh in their tails; a confident final sigmoid is fine."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.rules.activations.saturated_activation import SaturatedActivation
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,where,cause_in_fix",
    [
        ("buggy/saturated-activation_large_init.py", "model.3", "xavier"),  # nn.Tanh, std-1 init
        ("buggy/saturated-activation_raw_inputs.py", "model.hidden", "standardise"),  # torch.sigmoid, raw inputs
        ("buggy/saturated-activation_tanh_unscaled_counts.py", "model.1", "standardise"),  # nn.Tanh, raw counts
    ],
)
def test_saturated_layers_are_found(script, where, cause_in_fix):
    result = run_zoo(script)
    found = {f.where: f for f in result.findings if f.id == "saturated-activation"}
    assert where in found, [f.to_dict() for f in result.findings]
    f = found[where]
    assert f.evidence["saturated_fraction"] >= 0.5 and f.evidence["sampled_steps_saturated"] >= 3
    assert cause_in_fix in f.fix.lower()


def test_healthy_runs_have_no_saturated_layers(clean_results):
    # Includes a confident final sigmoid (autoencoder) and sigmoid gates / tanh layers.
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "saturated-activation"], name


def test_needs_three_measurements_in_a_row():
    trace = Trace()
    for step, v in zip([0, 1, 2, 3, 4, 10], [0.9, 0.9, 0.2, 0.9, 0.9, 0.1], strict=True):
        trace.scalar("saturated_fraction", step, v, "model.act")
    assert list(SaturatedActivation().check(trace.view())) == []
    trace = Trace()
    for step, v in zip([0, 1, 2, 3, 4], [0.4, 0.6, 0.7, 0.8, 0.1], strict=True):
        trace.scalar("saturated_fraction", step, v, "model.act")
    (f,) = SaturatedActivation().check(trace.view())
    assert f.step == 1 and f.evidence["sampled_steps_saturated"] == 3


def test_saturation_that_training_develops_later_is_not_an_init_problem():
    """Tails reached after hundreds of steps of learning (measured: an actor-critic's tanh trunk,
    0% saturated to step 200, then 60-70% while its policy reached the maximum episode length)
    are not what the init/input-scale fix addresses."""
    trace = Trace()
    steps = [0, 1, 2, 3, 4, 10, 20, 50, 100, 200, 300, 400, 500]
    values = [0.0] * 10 + [0.68, 0.66, 0.62]
    for step, v in zip(steps, values, strict=True):
        trace.scalar("saturated_fraction", step, v, "net.body.3")
    assert list(SaturatedActivation().check(trace.view())) == []
