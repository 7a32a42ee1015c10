"""Healthy recipes get no error and no warning from any experiment (false alarms cost as much as misses)."""

import pytest
from examine_helpers import examined, problems

#: The issue's three clean recipes: an MLP on digits, a batch-normed MLP on wine, a regression on diabetes.
CLEAN = ["clean_mlp_digits", "clean_bn_wine", "clean_regression_diabetes"]
#: Healthy recipes unlike those: other architectures, losses, optimizers and tasks.
MORE_CLEAN = [
    "clean_cnn_bn_digits",  # Conv2d + BatchNorm2d + dropout on 8x8 images in [0, 1], SGD with momentum
    "clean_separable_cnn_digits",  # depthwise conv straight into a pointwise conv
    "clean_gru_sequences",  # a GRU classifier on (batch, time, features) sequences
    "clean_multilabel_digits",  # three labels per image, BCEWithLogitsLoss
    "clean_adamw_breast_cancer",  # one logit, BCEWithLogitsLoss, dropout, AdamW weight decay 0.01
    "clean_autoencoder_digits",  # denoising autoencoder: targets are the inputs, encoder -> decoder Linear
    "clean_segmentation_conv",  # one class per pixel: (N, H, W) targets
    "clean_binary_mask_conv",  # a 0/1 mask per example, BCEWithLogitsLoss
    "clean_token_tagging_lstm",  # one class per token: (N, T) targets, token-id inputs
    "clean_slow_sgd_tanh_digits",  # plain SGD: still learning when the short trainings end
    "clean_nll_log_softmax_in_loss",  # logits, log_softmax inside the loss function, then nll_loss
    "clean_squeeze_in_loss",  # (N, 1) output squeezed inside the loss function against (N,) targets
    "clean_weight_norm_digits",  # weight_norm / spectral_norm parametrized Linear layers
    "clean_tuple_output_aux",  # forward returns (logits, aux_logits); the loss_fn weighs both
]
#: Every diagnosis the examine experiments exist to find (the issue's list).
EXAMINE_IDS = {
    "unnormalized-input",
    "nonfinite-input",
    "class-imbalance",
    "data-leakage",
    "distribution-shift",
    "labels-uninformative",
    "double-softmax",
    "output-activation-mismatch",
    "wrong-loss",
    "missing-activation",
    "bad-init",
    "initial-loss-off",
    "params-without-grad",
    "vanishing-gradients",
    "batch-dependence",
    "gradcheck-failed",
    "cannot-overfit",
    "too-much-regularization",
    "lr-too-high",
    "worse-than-baseline",
    "high-bias",
    "high-variance",
}


@pytest.mark.parametrize("name", CLEAN + MORE_CLEAN)
def test_clean_recipe_has_no_problems(name):
    result = examined(name)
    statuses = {o.name: o.status for o in result.outcomes}
    assert "failed" not in statuses.values(), statuses
    assert problems(result) == {}, [f.to_dict() for f in result.findings]


@pytest.mark.parametrize("name", CLEAN)
def test_clean_recipe_gets_none_of_the_examine_diagnoses(name):
    """Not even as advice: each of these ids must be absent on the three clean recipes."""
    assert not {f.id for f in examined(name).findings} & EXAMINE_IDS


def test_initial_loss_is_near_its_expected_value_on_clean_recipes():
    import math

    digits = examined("clean_mlp_digits").trace.view().events("initial_loss")[0].data
    assert digits["expected_formula"] == "ln(10)" and abs(digits["expected"] - math.log(10)) < 1e-6
    assert abs(digits["loss"] - math.log(10)) < 0.3
    diabetes = examined("clean_regression_diabetes").trace.view().events("initial_loss")[0].data
    assert diabetes["expected_formula"] == "mean(y^2)"
    assert abs(diabetes["target_variance"] - 1.0) < 0.15  # standardised targets: mean(y^2) ~ variance ~ 1


def test_every_experiment_ran_on_a_clean_recipe():
    statuses = {o.name: o.status for o in examined("clean_mlp_digits").outcomes}
    assert statuses.pop("gradcheck") == "skipped"  # only stock layers: nothing custom to check
    assert set(statuses.values()) == {"done"}, statuses


def test_every_experiment_ran_on_the_new_architectures():
    for name in ("clean_cnn_bn_digits", "clean_gru_sequences"):
        statuses = {o.name: o.status for o in examined(name).outcomes}
        statuses.pop("gradcheck")  # the GRU recipe's own Net class is checked; the CNN has nothing custom
        assert set(statuses.values()) == {"done"}, (name, statuses)
    assert {o.name: o.status for o in examined("clean_gru_sequences").outcomes}["gradcheck"] == "done"


def test_report_data_events_are_recorded():
    view = examined("clean_mlp_digits").trace.view()
    curve = view.events("lr_range_curve")[0].data
    assert len(curve["lrs"]) == len(curve["losses"]) > 5
    overfit = view.events("overfit_curve")[0].data
    assert overfit["n"] == 10 and len(overfit["steps"]) == len(overfit["losses"])
    assert [(e.data["n"], e.data["reached"]) for e in view.events("overfit")] == [(10, True), (100, True)]
    cm = view.events("confusion_matrix")[0].data
    assert cm["labels"] == [str(i) for i in range(10)] and sum(map(sum, cm["matrix"])) == 397
    items = view.events("sample_predictions")[0].data["items"]
    assert {"index", "label", "predicted", "correct"} <= set(items[0])
    bv = view.events("bias_variance")[0].data
    assert bv["train_error"] <= bv["val_error"] < 0.1 and bv["baseline_error"] < 0.1


def test_multilabel_targets_get_per_label_baselines():
    data = examined("clean_multilabel_digits").trace.view().events("baselines")[0].data
    assert data["metric"] == "error"  # the share of wrong label decisions
    assert data["model_val"] < data["linear"] < data["trivial"] < 0.5


def test_unfinished_trainings_are_advice_not_problems():
    """Curves still falling when the budget ends say "more steps", as info, with the numbers."""
    result = examined("clean_slow_sgd_tanh_digits")
    for f in result.findings:
        assert f.severity.value == "info", f.to_dict()
        assert f.evidence.get("late_drop") or f.evidence.get("late_improvement")
    seg = [f for f in examined("clean_segmentation_conv").findings if f.id == "cannot-overfit"]
    assert all(f.severity.value == "info" and "more steps" in f.message for f in seg)
