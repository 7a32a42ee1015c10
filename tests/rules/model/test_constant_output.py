"""constant-output: one value or one class for every input; not a model that is still learning."""

from __future__ import annotations

import pytest

from conftest import run_zoo
from nndoctor.findings import Severity
from nndoctor.rules.model.constant_output import ConstantOutput
from nndoctor.trace import Trace


@pytest.mark.parametrize(
    "script,severity,key",
    [
        ("buggy/constant-output_dropout_one.py", Severity.ERROR, "prediction_spread"),  # value collapse
        ("buggy/constant-output_class_collapse.py", Severity.WARNING, "predicted_majority_share"),  # one class
    ],
)
def test_collapsed_predictions_are_found(script, severity, key):
    result = run_zoo(script)
    (f,) = [f for f in result.findings if f.id == "constant-output"]
    assert f.where == "model" and f.severity is severity
    if key == "prediction_spread":
        assert f.evidence[key] < 1e-3 and f.evidence["target_spread"] > 0.1
    else:
        assert f.evidence[key] >= 0.8 and f.evidence["target_majority_share"] < 0.3


def test_a_collapsed_attention_model_is_pointed_at_its_padding_mask():
    # src_key_padding_mask = tokens != PAD (inverted): attention sees only padding, one class wins
    result = run_zoo("buggy/constant-output_transformer_inverted_padding_mask.py")
    (f,) = [f for f in result.findings if f.id == "constant-output"]
    assert f.evidence["predicted_majority_share"] >= 0.8
    assert "check the mask's sense" in f.fix and "mask = tokens == PAD" in f.fix
    (other,) = [f for f in run_zoo("buggy/constant-output_class_collapse.py").findings if f.id == "constant-output"]
    assert "padding mask" not in other.fix  # no attention there


def test_weights_pulled_to_zero_by_l2_give_one_prediction_for_all():
    """Adam(weight_decay=1.0): the L2 term pulls every weight to ~0; first one class wins every sample
    (class collapse), then the logits stop depending on the input at all (value collapse)."""
    result = run_zoo("buggy/constant-output_adam_l2_weight_decay_one.py")
    (f,) = [f for f in result.findings if f.id == "constant-output"]
    assert f.where == "model"
    assert f.evidence.get("prediction_spread", 1.0) < 1e-3 or f.evidence.get("predicted_majority_share", 0.0) >= 0.8
    assert "lr-too-high" not in {g.id for g in result.findings}  # the updates are not large; the weights are ~0


def test_healthy_runs_do_not_collapse(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "constant-output"], name


def _calls(shares, target_share=0.15, spreads=None, steps=None):
    trace = Trace()
    steps = steps or [0, 1, 2, 3, 4] + [10 * i for i in range(1, len(shares) - 4)]
    for i, (step, share) in enumerate(zip(steps, shares, strict=False)):
        data = {"fn": "cross_entropy", "input_shape": [64, 10], "pred_majority_share": share}
        data.update(target_majority_share=target_share, target_classes=8, classes=10)
        data["pred_spread"] = spreads[i] if spreads else 0.5
        trace.event("loss_call", step, **data)
    return trace


def test_class_collapse_needs_a_long_stretch_and_balanced_targets():
    early = [1.0] * 6 + [0.3] * 12  # a few early steps on one class, then learning
    assert list(ConstantOutput().check(_calls(early).view(final=True))) == []
    stuck = [0.3] * 5 + [0.95] * 12
    (f,) = ConstantOutput().check(_calls(stuck).view())
    assert f.evidence["collapsed_since_step"] == 10
    assert list(ConstantOutput().check(_calls(stuck, target_share=0.9).view())) == []  # imbalanced data
    learning = _calls(stuck)
    for step in range(130):
        learning.scalar("loss", step, 2.3 - step * 0.01)  # a slow start: the loss falls all along
    assert list(ConstantOutput().check(learning.view())) == []


def test_value_collapse_ignores_a_zero_initialised_first_step():
    spreads = [0.0] + [0.4] * 16
    assert list(ConstantOutput().check(_calls([0.3] * 17, spreads=spreads).view(final=True))) == []
    spreads = [0.5] * 5 + [0.0] * 12
    (f,) = ConstantOutput().check(_calls([0.3] * 17, spreads=spreads).view())
    assert f.severity is Severity.ERROR and f.evidence["constant_since_step"] == 10
