"""nonfinite-loss: for each cause, `where` names the first module (forward or backward) and the cause is right."""

from __future__ import annotations

import math

import pytest
from _gradient_runs import dump, found

CAUSES = [
    # script, where, direction, cause, op, words in the fix
    ("buggy/nonfinite-loss_softmax_by_hand_attention.py", "model.attn", "forward", "exp-overflow", "exp",
     "log_softmax"),
    ("buggy/nonfinite-loss_division_empty_sequences.py", "model.pool", "forward", "division-by-zero", "div", "1e-8"),
    ("buggy/nonfinite-loss_sqrt_distance_backward.py", "model.distance", "backward", "sqrt-at-zero", "sqrt",
     "1e-12"),
    ("buggy/nonfinite-loss_log_of_zero_bce.py", None, "forward", "log-of-nonpositive", "log", "with_logits"),
    ("buggy/nonfinite-loss_gaussian_nll_raw_variance.py", None, "forward", "log-of-nonpositive", "log", "softplus"),
    ("buggy/nonfinite-input_zero_std_digits.py", "model", "input", "nonfinite-input", None, "isfinite"),
    ("buggy/lr-too-high_sgd_mlp_digits.py", "model.4", "forward", "overflow", "linear", "learning rate"),
]  # fmt: skip


@pytest.mark.parametrize("script,where,direction,cause,op,fix_word", CAUSES)
def test_first_nonfinite_value_is_localised_and_explained(script, where, direction, cause, op, fix_word):
    hits = found(script, "nonfinite-loss")
    assert len(hits) == 1, dump(script)
    f = hits[0]
    assert f.where == where
    assert f.evidence["direction"] == direction
    assert f.evidence["cause"] == cause
    assert f.evidence.get("op") == op
    assert fix_word in f.fix


def test_user_code_line_is_shown_for_hand_written_operations():
    (f,) = found("buggy/nonfinite-loss_softmax_by_hand_attention.py", "nonfinite-loss")
    assert "torch.exp(scores)" in f.evidence["source"]
    assert f.evidence["op_input_absmax"] > 88.7  # float32 exp overflows above 88.7
    (f,) = found("buggy/nonfinite-loss_sqrt_distance_backward.py", "nonfinite-loss")
    assert "torch.sqrt" in f.evidence["source"] and f.evidence["backward_node"] == "SqrtBackward0"
    assert math.isnan(f.evidence["value"])  # the gradient norm: the loss itself stayed finite


def test_divergence_is_attributed_to_the_learning_rate():
    (f,) = found("buggy/lr-too-high_sgd_mlp_digits.py", "nonfinite-loss")
    assert f.evidence["attributed_to"] == "learning-rate"
    assert f.evidence["loss_growth"] > 1e3 and "learning rate is too high" in f.message


def test_a_hand_written_log_outside_the_model_is_found_from_the_graph():
    (f,) = found("buggy/nonfinite-loss_log_of_zero_bce.py", "nonfinite-loss")
    assert "after the model" in f.evidence["location"] and "attributed_to" not in f.evidence


def test_log_of_a_negative_variance_is_not_blamed_on_the_learning_rate():
    """log(var) with var taken raw from a linear layer: the gradient grows like 1/var as var nears 0,
    but the loss never grew, so neither the learning rate nor a softmax underflow is accused."""
    script = "buggy/nonfinite-loss_gaussian_nll_raw_variance.py"
    (f,) = found(script, "nonfinite-loss")
    assert "attributed_to" not in f.evidence and "learning rate" not in f.fix
    assert not found(script, "lr-too-high") and not found(script, "unstable-softmax"), dump(script)
    assert not found(script, "exploding-gradients"), dump(script)  # the 1/var growth ending in the NaN


def test_healthy_runs_do_not_fire(clean_results):
    for name, result in clean_results.items():
        assert not [f for f in result.findings if f.id == "nonfinite-loss"], name
