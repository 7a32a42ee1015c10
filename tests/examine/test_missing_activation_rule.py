"""The examine rule for missing-activation judges linear pairs as the live rule does: layers of
different parents (encoder -> decoder), depthwise -> pointwise convs and bottlenecks are deliberate."""

import pytest

from nndoctor.rules.experiments.missing_activation import MissingActivation
from nndoctor.trace import Trace


def _chain(**over):
    chain = {
        "first": "model.0",
        "second": "model.1",
        "first_type": "Linear",
        "second_type": "Linear",
        "first_in": 64,
        "first_out": 128,
        "second_in": 128,
        "second_out": 64,
        "first_depthwise": False,
        "second_depthwise": False,
        "same_parent": True,
        "between": [],
    }
    chain.update(over)
    return chain


def _findings(chain):
    trace = Trace()
    trace.event("loss_probe", 0, loss="cross_entropy")
    trace.event("linear_chain", 0, **chain)
    return list(MissingActivation().check(trace.view(final=True)))


def test_a_plain_linear_pair_is_reported():
    (f,) = _findings(_chain())
    assert f.where == "model.0" and f.evidence["second"] == "model.1" and f.evidence["widths"] == [64, 128, 64]


@pytest.mark.parametrize(
    "over",
    [
        {"same_parent": False, "first": "model.encoder.2", "second": "model.decoder.0"},  # encoder -> decoder
        {"first_depthwise": True, "first_type": "Conv2d", "second_type": "Conv2d"},  # separable convolution
        {"first_in": 64, "first_out": 4, "second_in": 4, "second_out": 10},  # low-rank bottleneck
    ],
)
def test_deliberate_linear_pairs_are_not_reported(over):
    assert _findings(_chain(**over)) == []


def test_a_run_trace_is_left_to_the_live_rule():
    trace = Trace()
    trace.event("linear_chain", 0, **_chain())
    assert list(MissingActivation().check(trace.view(final=True))) == []
