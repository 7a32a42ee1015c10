"""Legitimate patterns that look like faults stay quiet: each recipe runs the experiments that
would accuse it, and none of them may report a problem."""

import pytest
from examine_helpers import examined, problems

CASES = [
    # (recipe, experiments, the finding it could be mistaken for)
    ("clean_straight_through", ("gradcheck",), "gradcheck-failed"),
    ("clean_lora_bottleneck", ("init", "gradient-flow"), "missing-activation"),
    ("clean_uint8_scaled_in_forward", ("data", "labels"), "unnormalized-input"),
    ("clean_input_batchnorm_raw_wine", ("data", "initial-loss"), "unnormalized-input"),
    ("clean_embedding_tokens", ("data", "batch-independence", "overfit"), "bad-init"),
    ("clean_weighted_imbalanced", ("data",), "class-imbalance"),
    ("clean_autoencoder_digits", ("init", "baselines"), "missing-activation"),
    ("clean_separable_cnn_digits", ("init",), "missing-activation"),
]


@pytest.mark.parametrize(("recipe", "only", "lookalike"), CASES, ids=[c[0] for c in CASES])
def test_legitimate_pattern_is_not_reported(recipe, only, lookalike):
    result = examined(recipe, only)
    assert {o.name: o.status for o in result.outcomes}.get(only[0]) in ("done", "skipped")
    assert problems(result) == {}, [f.to_dict() for f in result.findings]


def test_straight_through_estimator_was_checked_and_recognised():
    events = examined("clean_straight_through", ("gradcheck",)).trace.view().events("gradcheck")
    quantizer = next(e.data for e in events if e.data["module"] == "model.2")
    assert not quantizer["passed"] and quantizer["straight_through"]


def test_a_deliberate_stop_gradient_is_not_a_wrong_gradient():
    result = examined("params_without_grad_detach", ("gradcheck",))
    root = next(e.data for e in result.trace.view().events("gradcheck") if e.data["module"] == "model")
    assert not root["passed"] and not root["wrong"] and "encoder.0.weight" in root["detached"]
    assert not [f for f in result.findings if f.id == "gradcheck-failed"]


def test_token_ids_use_the_replacement_check():
    data = examined("clean_embedding_tokens", ("data", "batch-independence", "overfit")).trace.view()
    assert data.events("batch_independence")[0].data["method"] == "replacement"


@pytest.mark.parametrize(
    ("recipe", "first", "second"),
    [
        ("clean_autoencoder_digits", "model.encoder.2", "model.decoder.0"),  # different parent modules
        ("clean_separable_cnn_digits", "model.3", "model.4"),  # depthwise conv, then pointwise
    ],
)
def test_deliberate_linear_pairs_are_seen_and_excused(recipe, first, second):
    result = examined(recipe, ("init",))
    chains = [(e.data["first"], e.data["second"]) for e in result.trace.view().events("linear_chain")]
    assert (first, second) in chains  # the pair was seen...
    assert not [f for f in result.findings if f.id == "missing-activation"]  # ...and not blamed


def test_an_autoencoder_has_no_linear_baseline():
    data = examined("clean_autoencoder_digits", ("init", "baselines")).trace.view().events("baselines")[0].data
    assert data["reconstruction"] and "linear" not in data


def test_the_probe_judges_what_the_loss_received():
    """A loss function may transform the output first; the probe reads what the loss was called with
    (test_clean.py examines both recipes in full: no output-activation-mismatch, no loss-shape-broadcast)."""
    probe = examined("clean_nll_log_softmax_in_loss").trace.view().events("loss_probe")[0].data
    assert probe["prediction_source"] == "loss input" and probe["rows_are_log_probs"]
    probe = examined("clean_squeeze_in_loss").trace.view().events("loss_probe")[0].data
    assert probe["output_shape"][1:] == [1] and probe["loss_input_shape"] == probe["loss_target_shape"]
