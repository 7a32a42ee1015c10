"""Each examine diagnosis fires on recipes that have the fault (two or more models and datasets),
with the right ``where`` and the key numbers in its evidence. The clean recipes (test_clean.py)
must stay silent."""

import pytest
from examine_helpers import examined, found

DATA = ("data",)
SPLIT = ("split",)
LOSS = ("init", "data", "initial-loss")
TRAIN = ("init", "gradient-flow", "batch-independence", "overfit", "learning-rate")
BASE = ("split", "baselines")

# (diagnosis id, recipe, experiments to run, expected ``where`` (None: not checked), evidence keys)
CASES = [
    ("unnormalized-input", "unnormalized_input_digits", DATA, "model.0", ["rms", "absmax"]),
    (
        "unnormalized-input",
        "unnormalized_input_wine_tabular",
        DATA,
        "model.0",
        ["feature_rms_max", "feature_rms_median"],
    ),
    ("unnormalized-input", "unnormalized_input_uint8_cast", DATA, "model.conv", ["rms", "dtype"]),
    ("nonfinite-input", "nonfinite_input_digits", DATA, None, ["train_nonfinite_values", "train_first_rows"]),
    ("nonfinite-input", "nonfinite_input_diabetes_val", DATA, None, ["val_nonfinite_values"]),
    ("class-imbalance", "class_imbalance_breast_cancer", DATA, None, ["ratio", "majority_share"]),
    ("class-imbalance", "class_imbalance_digits_binary", DATA, None, ["ratio", "majority_share"]),
    ("class-imbalance", "class_imbalance_multilabel_rare_digits", DATA, None, ["label", "positive_share"]),
    ("class-imbalance", "class_imbalance_weak_signal_synthetic", DATA, None, ["ratio", "majority_share"]),
    ("data-leakage", "data_leakage_digits", SPLIT, None, ["val_in_train", "share"]),
    ("data-leakage", "data_leakage_diabetes", SPLIT, None, ["val_in_train", "share"]),
    ("distribution-shift", "distribution_shift_val_unscaled", SPLIT, None, ["auc", "top_features"]),
    ("distribution-shift", "distribution_shift_sorted_split", SPLIT, None, ["auc", "z"]),
    ("labels-uninformative", "labels_uninformative_shuffled_digits", ("labels", "baselines"), None, ["chance", "z"]),
    (
        "labels-uninformative",
        "labels_uninformative_shuffled_imbalanced",
        ("labels", "baselines"),
        None,
        ["chance", "z", "model_val"],
    ),
    (
        "labels-uninformative",
        "labels_uninformative_misaligned_diabetes",
        ("labels", "baselines"),
        None,
        ["cv_ridge", "z"],
    ),
    ("double-softmax", "double_softmax_digits", (), "model.3", ["rows_sum_to_one", "producer_type"]),
    ("double-softmax", "double_softmax_breast_cancer_sigmoid", (), "model.3", ["producer_type", "pred_max"]),
    ("double-softmax", "double_softmax_in_loss_fn", (), "model.2", ["op_before_loss", "rows_sum_to_one"]),
    ("loss-shape-broadcast", "loss_shape_broadcast_diabetes", (), "model.2", ["prediction_shape", "target_shape"]),
    ("loss-shape-broadcast", "loss_shape_broadcast_l1_wine", (), "model.2", ["prediction_shape", "target_shape"]),
    ("output-activation-mismatch", "output_activation_nll_logits", (), "model.2", ["final_type", "pred_max"]),
    ("output-activation-mismatch", "output_activation_relu_regression", (), "model.3", ["targets_out_of_range"]),
    ("output-activation-mismatch", "output_activation_tanh_logits_wine", (), "model.3", ["min_reachable_loss"]),
    ("wrong-loss", "wrong_loss_bce_multiclass", (), "model.2", ["target_distinct"]),
    ("wrong-loss", "wrong_loss_mse_class_indices", (), "model.2", ["output_shape", "target_dtype"]),
    ("invalid-target", "invalid_target_one_based", (), "model.2", ["target_max", "output_units"]),
    ("invalid-target", "invalid_target_pm1_bce", (), "model.2", ["target_min"]),
    ("missing-activation", "missing_activation_digits", (), "model.0", ["first", "second"]),
    ("missing-activation", "missing_activation_wine_dropout", (), "model.fc1", ["second"]),
    ("bad-init", "bad_init_normal_std1", ("init",), "model.2", ["ratio_std_sqrt_fan_in", "kaiming_std"]),
    ("bad-init", "bad_init_constant_fill", ("init", "overfit"), "model.0", ["still_identical_after_training"]),
    ("unnormalized-target", "unnormalized_target_diabetes", ("data",), None, ["mean", "std"]),
    ("unnormalized-target", "unnormalized_target_prices", ("data",), None, ["mean", "std"]),
    ("initial-loss-off", "initial_loss_off_scaled_head", LOSS, "model.2", ["initial_loss", "expected"]),
    ("initial-loss-off", "initial_loss_off_temperature", LOSS, "model", ["initial_loss", "expected"]),
    ("params-without-grad", "params_without_grad_unused_layer", ("gradient-flow",), "model.fc2", ["parameters"]),
    ("params-without-grad", "params_without_grad_detach", ("gradient-flow",), "model.encoder.0", ["parameters"]),
    ("params-not-updated", "params_not_updated_head_only", ("gradient-flow",), "model.0", ["parameters"]),
    ("params-not-updated", "params_not_updated_new_layer", ("gradient-flow",), "model.2", ["modules"]),
    ("vanishing-gradients", "vanishing_gradients_deep_sigmoid", ("gradient-flow",), "model.0", ["relative_grad"]),
    ("vanishing-gradients", "vanishing_gradients_deep_tanh_regression", ("gradient-flow",), "model.0", ["ratio"]),
    ("batch-dependence", "batch_dependence_view", ("batch-independence",), "model", ["relative_leak", "before_module"]),
    ("batch-dependence", "batch_dependence_lstm_batch_first", ("batch-independence",), "model.lstm", ["relative_leak"]),
    ("gradcheck-failed", "gradcheck_custom_swish", ("gradcheck",), "model.1", ["relative_error", "custom_functions"]),
    (
        "gradcheck-failed",
        "gradcheck_custom_linear",
        ("gradcheck",),
        "model.hidden",
        ["relative_error", "wrong_gradient_of"],
    ),
    ("cannot-overfit", "cannot_overfit_maximize", TRAIN, None, ["shape", "likely_causes"]),
    ("cannot-overfit", "cannot_overfit_frozen_lr", TRAIN, None, ["shape", "likely_causes"]),
    ("cannot-overfit", "double_softmax_digits", TRAIN, None, ["likely_causes"]),
    ("loss-increasing", "cannot_overfit_maximize", ("learning-rate",), None, ["checks"]),
    ("too-much-regularization", "too_much_regularization_weight_decay", ("overfit",), None, ["weight_decay"]),
    ("too-much-regularization", "too_much_regularization_dropout", ("overfit",), None, ["dropout", "weight_decay"]),
    ("lr-too-high", "lr_too_high_sgd", ("learning-rate",), None, ["suggested_lr", "lr"]),
    ("lr-too-high", "lr_too_high_regression", ("learning-rate",), None, ["suggested_lr", "lr"]),
    ("worse-than-baseline", "worse_than_baseline_tiny_lr", BASE, None, ["model_val", "majority_or_mean"]),
    ("worse-than-baseline", "high_bias_bottleneck", BASE, None, ["model_val", "linear"]),
    ("high-bias", "high_bias_bottleneck", BASE, None, ["train_error", "baseline_error", "fixes_ranked"]),
    ("high-bias", "high_bias_wine_weight_decay", BASE, None, ["train_error", "baseline_error"]),
    ("high-variance", "high_variance_noise_features", BASE, None, ["val_error", "train_error", "fixes_ranked"]),
    ("high-variance", "high_variance_digits_few_examples", BASE, None, ["val_error", "train_error", "gap"]),
]


@pytest.mark.parametrize(("rule_id", "recipe", "only", "where", "keys"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_fault_is_found(rule_id, recipe, only, where, keys):
    result = examined(recipe, only)
    hits = found(result, rule_id)
    assert hits, f"{rule_id} not found; got {[(f.id, f.where) for f in result.findings]}"
    if where is not None:
        assert where in [f.where for f in hits], [f.where for f in hits]
    f = next(f for f in hits if where is None or f.where == where)
    for key in keys:
        assert key in f.evidence, (key, f.evidence)
    assert f.message and "```" in f.fix


def test_lr_too_high_suggests_a_clean_rate_below_the_recipes():
    f = found(examined("lr_too_high_sgd", ("learning-rate",)), "lr-too-high")[0]
    assert f.evidence["suggested_lr"] < f.evidence["lr"] / 2
    assert f.severity.value == "error"


def test_cannot_overfit_ranks_causes_by_curve_shape_and_confirmed_evidence():
    ascent = found(examined("cannot_overfit_maximize", TRAIN), "cannot-overfit")[0]
    assert "maximize" in ascent.evidence["likely_causes"][0]  # the descent check confirmed it
    assert not found(examined("cannot_overfit_maximize", TRAIN), "lr-too-high")  # not the rate's fault
    frozen = found(examined("cannot_overfit_frozen_lr", TRAIN), "cannot-overfit")[0]
    assert frozen.evidence["shape"] == "plateau"
    assert "learning rate is too low" in frozen.evidence["likely_causes"][0]
    softmax = found(examined("double_softmax_digits", TRAIN), "cannot-overfit")[0]
    assert "probabilities instead of logits" in softmax.evidence["likely_causes"][0]


def test_too_much_regularization_is_shown_by_fitting_without_it():
    f = found(examined("too_much_regularization_weight_decay", ("overfit",)), "too-much-regularization")[0]
    assert f.evidence["eval_loss_without"] < f.evidence["eval_loss_regularized"]


def test_bias_variance_verdicts_rank_their_fixes():
    bias = found(examined("high_bias_bottleneck", BASE), "high-bias")[0]
    assert bias.evidence["fixes_ranked"][0].startswith("a bigger model")
    assert bias.evidence["train_error"] > bias.evidence["baseline_error"]
    variance = found(examined("high_variance_noise_features", BASE), "high-variance")[0]
    assert variance.evidence["fixes_ranked"][0] == "more training data"
    assert variance.evidence["val_error"] > variance.evidence["train_error"]


def test_cannot_overfit_names_a_broadcasting_loss_first():
    f = found(examined("loss_shape_broadcast_diabetes", TRAIN), "cannot-overfit")[0]
    assert "broadcast" in f.evidence["likely_causes"][0]
    softmax = found(examined("double_softmax_in_loss_fn", TRAIN), "cannot-overfit")
    assert not softmax or "broadcast" not in " ".join(softmax[0].evidence["likely_causes"])


IMBALANCED = ("data", "split", "labels", "baselines")


@pytest.mark.parametrize(
    "recipe", ["class_imbalance_weak_signal_synthetic", "class_imbalance_weak_signal_digits_pixels"]
)
def test_a_weak_signal_under_imbalance_is_judged_by_balanced_accuracy(recipe):
    """By accuracy these models sit within noise of always answering the majority class, and
    examine called their labels uninformative; by balanced accuracy the signal is clear."""
    result = examined(recipe, IMBALANCED)
    view = result.trace.view()
    signal = view.events("label_signal")[0].data
    assert signal["metric"] == "balanced accuracy" and signal["chance"] == 0.5 and signal["z"] >= 3, signal
    baselines = view.events("baselines")[0].data
    assert baselines["metric"] == "balanced error" and baselines["trivial"] == 0.5
    assert baselines["n_val_effective"] < baselines["n_val"] / 2  # the rare class sets the noise
    assert found(result, "class-imbalance") and not found(result, "labels-uninformative")


def test_a_model_that_learned_the_rare_class_is_not_called_worse_than_the_majority():
    result = examined("class_imbalance_weak_signal_synthetic", IMBALANCED)
    b = result.trace.view().events("baselines")[0].data
    # the plain error rates are within three standard errors of each other...
    assert b["accuracy_error"]["trivial"] - b["accuracy_error"]["model_val"] < 3 * (0.06 * 0.94 / b["n_val"]) ** 0.5
    # ...the balanced ones are not, and the rule judges by those
    assert b["trivial"] - b["model_val"] > 3 * b["model_val_chance_se"]
    assert not found(result, "worse-than-baseline"), [f.message for f in result.findings]


def test_a_model_collapsed_onto_the_majority_class_is_told_why():
    """250 steps of unweighted cross-entropy leave the eight-pixel model answering "not a nine"
    for everything: no better than the majority, and the message names the imbalance."""
    result = examined("class_imbalance_weak_signal_digits_pixels", IMBALANCED)
    (f,) = found(result, "worse-than-baseline")
    assert f.evidence["answers_majority"] >= 0.95 and "class-imbalance" in f.message
    assert "weight=" in f.fix
